import Foundation
import Orders
import Postgres
import Web

/// Orders: the classic shop's list, filtered by paid/created/updated, and the
/// change page with the order's items inline (OrderItemInline).
enum OrderAdmin {
    static var admin: ModelAdmin {
        ModelAdmin(
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
            form: ChangeFormSpec(
                table: Order.table,
                fields: ["first_name", "last_name", "email", "address", "postal_code", "city", "paid"],
                describe: { id, _ in "Order \(id)" },
                touchesUpdated: true,
                inline: OrderItemInline.spec),
            deletion: DeletionSpec(
                table: "orders_order",
                describe: { context, id in
                    try context.database.scalar("SELECT id FROM orders_order WHERE id = $1", [id], as: Int.self).map { "Order \($0)" }
                },
                cascades: { context, id in
                    try context.database.query("""
                        SELECT i.quantity, i.price::text AS price, coalesce(p.name, '#' || i.product_id) AS name
                        FROM orders_orderitem i LEFT JOIN shop_product p ON p.id = i.product_id
                        WHERE i.order_id = $1 ORDER BY i.id
                        """, [id]).map { row in
                        "Order item: \(try row.get("quantity", as: Int.self)) × \(try row.get("name", as: String.self)) at $\(try row.get("price", as: String.self))"
                    }
                },
                cascadeSQL: ["DELETE FROM orders_orderitem WHERE order_id = $1"]))
    }
}
