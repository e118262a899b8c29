import Web

/// Products: the classic shop's list (name, slug, price, available, created,
/// updated) with price and available editable in the list.
enum ProductAdmin {
    static var admin: ModelAdmin { ModelAdmin(
        appLabel: "shop", appName: "Shop", modelName: "product",
        verboseName: "product", verboseNamePlural: "products",
        changeList: ChangeListSpec(
            table: "shop_product",
            columns: [.init(field: "image", label: "Image", kind: .image),
                      .init(field: "name", label: "Name", kind: .text, linksToChange: true),
                      .init(field: "slug", label: "Slug", kind: .text),
                      .init(field: "price", label: "Price", kind: .money),
                      .init(field: "available", label: "Available", kind: .boolean),
                      .init(field: "created", label: "Created", kind: .datetime),
                      .init(field: "updated", label: "Updated", kind: .datetime)],
            filters: [.boolean(field: "available", label: "available"),
                      .date(field: "created", label: "created"),
                      .date(field: "updated", label: "updated")],
            searchFields: ["name"], defaultOrdering: ["name"],
            editable: [.init(field: "price", kind: .money), .init(field: "available", kind: .boolean)]),
        addView: { _ in throw HTTPError.notFound() }, changeView: { _ in throw HTTPError.notFound() },
        deleteView: { _ in throw HTTPError.notFound() }) }
}
