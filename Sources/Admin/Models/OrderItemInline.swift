import Foundation
import Orders
import Postgres
import Web

/// The order page's items (Django's `OrderItemInline`), with the contract's
/// names: `items-TOTAL_FORMS`, `items-N-id`, `items-N-product`, `items-N-price`,
/// `items-N-quantity`, `items-N-DELETE`, and 3 blank extra rows. A row's `id`
/// must be one of this order's items (another order's is "Select a valid
/// choice"); its product one that exists.
enum OrderItemInline {
    static let prefix = "items"
    /// Up to this many products the product is a select, as in the classic
    /// shop's admin; a bigger catalog gets Django's raw id input instead.
    static let selectLimit = 500

    static var spec: InlineSpec {
        InlineSpec(
            title: "Order items", prefix: prefix, extra: 3,
            formSet: { context, orderID in
                let items = try orderID.map { id in
                    try context.database.query("""
                        SELECT id, product_id, price, quantity FROM orders_orderitem WHERE order_id = $1 ORDER BY id
                        """, [id])
                } ?? []
                let initial: [[String: FormValue]] = try items.map { row in
                    ["id": .int(try row.get("id")), "product": .int(try row.get("product_id")),
                     "price": .decimal(try row.get("price")), "quantity": .int(try row.get("quantity"))]
                }
                var byID: [Int: [String: FormValue]] = [:]
                for values in initial { if let id = values["id"]?.int { byID[id] = values } }
                var productField = Order.Item.table.formField(Order.Item.table["product"]!,
                                                             rows: try productChoices(context, initial: initial))
                if try productCount(context) > selectLimit { productField.widget = .number }
                let form = Form([productField,
                                 Order.Item.table.formField(Order.Item.table["price"]!),
                                 Order.Item.table.formField(Order.Item.table["quantity"]!)])
                let formSet = FormSet(form, prefix: prefix, extra: 3, canDelete: true,
                                      rowIDs: FormField.ModelChoices(ids: byID.keys.sorted()))
                return (formSet, initial, byID)
            },
            validate: { _, formSet in
                // A deleted row is not validated (as in Django), but one naming another
                // order's item is tampering, not a deletion to skip quietly.
                let allowed = formSet.formSet.rowIDs?.ids ?? []
                for row in formSet.rows where row.isDeleted {
                    let text = row.form.inputs[FormSet.idField]?.text?.trimmingCharacters(in: .whitespaces) ?? ""
                    if !text.isEmpty, !(Int(text).map(allowed.contains) ?? false) {
                        formSet.addNonFormError("Item \(row.index + 1) to delete is not an item of this order.")
                    }
                }
            },
            save: { context, orderID, formSet in
                for row in formSet.rows {
                    if row.isDeleted {
                        if let id = row.id {
                            try context.database.execute("DELETE FROM orders_orderitem WHERE id = $1 AND order_id = $2", [id, orderID])
                        }
                        continue
                    }
                    guard row.isToSave else { continue }
                    let values = row.form.cleaned
                    if let id = row.id {
                        guard row.form.hasChanged else { continue }
                        let statement = try Order.Item.table.update(id: id, values, columns: ["product", "price", "quantity"])
                        // The id was checked against this order's items; the order_id condition keeps it so.
                        try context.database.execute(statement.sql + " AND order_id = $\(statement.parameters.count + 1)",
                                                     statement.parameters + [orderID])
                    } else {
                        try context.database.execute("""
                            INSERT INTO orders_orderitem (order_id, product_id, price, quantity) VALUES ($1, $2, $3, $4)
                            """, [orderID, values["product"] ?? .null, values["price"] ?? .null, values["quantity"] ?? .null])
                    }
                }
            },
            summary: { context, orderID in
                guard let orderID else { return [:] }
                let total = try context.database.scalar(
                    "SELECT coalesce(sum(price * quantity), 0) FROM orders_orderitem WHERE order_id = $1", [orderID],
                    as: Decimal.self) ?? 0
                return ["order_total": PriceFormat.dollars(total), "has_order_total": true]
            })
    }

    /// How many products there are, counted only up to `selectLimit + 1` (all the
    /// choice needs): a catalog of 100,000 products costs no full count per page.
    static func productCount(_ context: RequestContext) throws -> Int {
        try context.memo.value(ProductCount.self) {
            ProductCount(try context.database.scalar(
                "SELECT count(*) FROM (SELECT 1 FROM shop_product LIMIT $1) AS limited", [selectLimit + 1], as: Int.self) ?? 0)
        }.value
    }

    /// Every product (a small catalog), or only those the order has or the
    /// submission names (a big one): one query either way.
    static func productChoices(_ context: RequestContext, initial: [[String: FormValue]]) throws -> FormField.ModelChoices {
        let rows: [PostgresRow]
        if try productCount(context) <= selectLimit {
            rows = try context.database.query("SELECT id, name FROM shop_product ORDER BY name, id")
        } else {
            var ids = Set(initial.compactMap { $0["product"]?.int })
            if context.request.method == "POST" {
                for pair in try context.form().pairs where pair.name.hasPrefix(prefix + "-") && pair.name.hasSuffix("-product") {
                    if let id = Int(pair.value.trimmingCharacters(in: .whitespaces)), id > 0 { ids.insert(id) }
                    if ids.count > 2_000 { break }
                }
            }
            let list = "{" + ids.sorted().map(String.init).joined(separator: ",") + "}"
            rows = try context.database.query("SELECT id, name FROM shop_product WHERE id = ANY($1::bigint[]) ORDER BY name, id", [list])
        }
        return FormField.ModelChoices(try rows.map { (try $0.get("id"), try $0.get("name")) })
    }

    final class ProductCount {
        let value: Int
        init(_ value: Int) { self.value = value }
    }
}
