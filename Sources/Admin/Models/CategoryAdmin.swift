import Postgres
import Shop
import Web

/// Categories: name and slug (the slug filled in from the name as staff type,
/// and unique, as the table's constraint says).
enum CategoryAdmin {
    static var admin: ModelAdmin {
        ModelAdmin(
            appLabel: "shop", appName: "Shop", modelName: "category",
            verboseName: "category", verboseNamePlural: "categories",
            changeList: ChangeListSpec(
                table: "shop_category",
                columns: [.init(field: "name", label: "Name", kind: .text, linksToChange: true),
                          .init(field: "slug", label: "Slug", kind: .text)],
                filters: [], searchFields: ["name"], defaultOrdering: ["name"]),
            form: ChangeFormSpec(
                table: Category.table, fields: ["name", "slug"],
                validate: { context, form, id in
                    guard let slug = form["slug"]?.string else { return }
                    let taken = try context.database.scalar(
                        "SELECT count(*) FROM shop_category WHERE slug = $1 AND id IS DISTINCT FROM $2",
                        [slug, id], as: Int.self) ?? 0
                    if taken > 0 { form.addError("slug", Validators.unique(model: "Category", field: "Slug")) }
                },
                describe: { _, values in values["name"]?.string ?? "" },
                prepopulated: ["slug": "name"]),
            deletion: DeletionSpec(
                table: "shop_category",
                describe: { context, id in
                    try context.database.scalar("SELECT name FROM shop_category WHERE id = $1", [id], as: String.self)
                },
                refusal: { context, id, name in
                    let products = try context.database.scalar(
                        "SELECT count(*) FROM shop_product WHERE category_id = $1", [id], as: Int.self) ?? 0
                    guard products > 0 else { return nil }
                    return "Cannot delete the category “\(name)”: \(products) \(products == 1 ? "product belongs" : "products belong") to it. Move or delete \(products == 1 ? "it" : "them") first."
                }))
    }
}
