import Postgres
import Shop
import Web

/// Products: the classic shop's list (name, slug, price, available, created,
/// updated) with price and available editable in the list; the form with the
/// image upload and the slug filled in from the name.
enum ProductAdmin {
    static var admin: ModelAdmin {
        ModelAdmin(
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
            form: ChangeFormSpec(
                table: Product.table,
                fields: ["category", "name", "slug", "image", "description", "price", "available"],
                choices: { context in
                    let rows = try context.database.query("SELECT id, name FROM shop_category ORDER BY name, id")
                    return ["category": FormField.ModelChoices(try rows.map { (try $0.get("id"), try $0.get("name")) })]
                },
                describe: { _, values in values["name"]?.string ?? "" },
                prepopulated: ["slug": "name"],
                uploadDirectory: "products",
                touchesUpdated: true),
            deletion: DeletionSpec(
                table: "shop_product",
                describe: { context, id in
                    try context.database.scalar("SELECT name FROM shop_product WHERE id = $1", [id], as: String.self)
                },
                refusal: { context, id, name in
                    let orders = try context.database.scalar(
                        "SELECT count(DISTINCT order_id) FROM orders_orderitem WHERE product_id = $1", [id], as: Int.self) ?? 0
                    guard orders > 0 else { return nil }
                    return "Cannot delete the product “\(name)”: it appears in \(orders) \(orders == 1 ? "order" : "orders"), and orders keep their history. Mark it unavailable instead."
                }))
    }
}
