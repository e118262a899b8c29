import Web

/// Categories: name and slug (the slug filled in from the name as staff type).
enum CategoryAdmin {
    static var admin: ModelAdmin { ModelAdmin(
        appLabel: "shop", appName: "Shop", modelName: "category",
        verboseName: "category", verboseNamePlural: "categories",
        changeList: ChangeListSpec(
            table: "shop_category",
            columns: [.init(field: "name", label: "Name", kind: .text, linksToChange: true),
                      .init(field: "slug", label: "Slug", kind: .text)],
            filters: [], searchFields: ["name"], defaultOrdering: ["name"]),
        addView: { _ in throw HTTPError.notFound() }, changeView: { _ in throw HTTPError.notFound() },
        deleteView: { _ in throw HTTPError.notFound() }) }
}
