import Foundation
import Postgres

/// A saved order as the confirmation page shows it.
public struct Order {
    public struct Item {
        public var productID: Int
        public var productName: String
        public var price: Decimal
        public var quantity: Int
        public var total: Decimal { price * Decimal(quantity) }
    }

    public var id: Int
    public var firstName: String
    public var lastName: String
    public var email: String
    public var address: String
    public var postalCode: String
    public var city: String
    public var paid: Bool
    public var created: Date
    public var items: [Item]

    public var total: Decimal { items.reduce(Decimal(0)) { $0 + $1.total } }
}

/// The orders tables' queries. Every one is parameterized.
public struct OrderStore {
    let database: PostgresConnection

    public init(database: PostgresConnection) { self.database = database }

    /// What became of a checkout.
    public enum Outcome: Equatable {
        /// A new order.
        case placed(orderID: Int)
        /// This cart (its checkout token) was already ordered, by a concurrent
        /// or repeated submit of the same session: that order, nothing new.
        case alreadyPlaced(orderID: Int)
        /// These products were deleted or made unavailable since the cart was
        /// read; nothing was saved. The name is nil for a deleted product.
        case unavailable([(id: Int, name: String?)])

        public static func == (lhs: Outcome, rhs: Outcome) -> Bool {
            switch (lhs, rhs) {
            case let (.placed(a), .placed(b)), let (.alreadyPlaced(a), .alreadyPlaced(b)): a == b
            case let (.unavailable(a), .unavailable(b)): a.map(\.id) == b.map(\.id) && a.map(\.name) == b.map(\.name)
            default: false
            }
        }
    }

    /// Places an order in one transaction: locks the cart's products (FOR SHARE,
    /// so no price change or delete can slip in before the commit), checks they
    /// are all still available, inserts the order with the cart's checkout token
    /// (unique: a second submit of the same cart waits for the first and then
    /// finds its order) and all the items at the products' current prices.
    /// `fields` are the form's cleaned values.
    public func place(fields: [String: String], lines: [(productID: Int, quantity: Int)], checkoutToken: String) throws -> Outcome {
        precondition(!lines.isEmpty, "an order needs items")
        let ids = lines.map(\.productID)
        return try database.transaction { () throws -> Outcome in
            let locked = try database.query(
                "SELECT id, name, available FROM shop_product WHERE id = ANY($1::bigint[]) ORDER BY id FOR SHARE",
                [OrderStore.arrayLiteral(ids.sorted())])
            var found: [Int: (name: String, available: Bool)] = [:]
            for row in locked {
                found[try row.get("id", as: Int.self)] = (try row.get("name", as: String.self), try row.get("available", as: Bool.self))
            }
            let gone = ids.sorted().compactMap { id -> (id: Int, name: String?)? in
                guard let product = found[id] else { return (id, nil) }
                return product.available ? nil : (id, product.name)
            }
            if !gone.isEmpty { return .unavailable(gone) }

            guard let orderID = try database.scalar("""
                INSERT INTO orders_order (first_name, last_name, email, address, postal_code, city, checkout_token)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (checkout_token) DO NOTHING
                RETURNING id
                """, [fields["first_name"] ?? "", fields["last_name"] ?? "", fields["email"] ?? "",
                      fields["address"] ?? "", fields["postal_code"] ?? "", fields["city"] ?? "", checkoutToken],
                as: Int.self)
            else {
                guard let existing = try database.scalar(
                    "SELECT id FROM orders_order WHERE checkout_token = $1", [checkoutToken], as: Int.self)
                else { throw PostgresError(kind: .query, message: "checkout token conflict without an order") }
                return .alreadyPlaced(orderID: existing)
            }
            // One statement for all items; the prices are read from the locked rows.
            let inserted = try database.execute("""
                INSERT INTO orders_orderitem (order_id, product_id, price, quantity)
                SELECT $1, p.id, p.price, line.quantity
                FROM unnest($2::bigint[], $3::integer[]) WITH ORDINALITY AS line (product_id, quantity, position)
                JOIN shop_product p ON p.id = line.product_id
                ORDER BY line.position
                """, [orderID, OrderStore.arrayLiteral(ids), OrderStore.arrayLiteral(lines.map(\.quantity))])
            guard inserted == lines.count else {
                throw PostgresError(kind: .query, message: "order \(orderID): \(inserted) of \(lines.count) items inserted")
            }
            return .placed(orderID: orderID)
        }
    }

    /// The order placed from the cart with this checkout token, if any.
    public func orderID(checkoutToken: String) throws -> Int? {
        try database.scalar("SELECT id FROM orders_order WHERE checkout_token = $1", [checkoutToken], as: Int.self)
    }

    /// The order with its items, or nil.
    public func order(id: Int) throws -> Order? {
        guard let row = try database.queryOne("""
            SELECT id, first_name, last_name, email, address, postal_code, city, paid, created
            FROM orders_order WHERE id = $1
            """, [id]) else { return nil }
        let items = try database.query("""
            SELECT i.product_id, p.name, i.price, i.quantity
            FROM orders_orderitem i LEFT JOIN shop_product p ON p.id = i.product_id
            WHERE i.order_id = $1 ORDER BY i.id
            """, [id]).map { item in
            Order.Item(productID: try item.get("product_id"), productName: try item.get("name", as: String?.self) ?? "",
                       price: try item.get("price"), quantity: try item.get("quantity"))
        }
        return Order(
            id: try row.get("id"), firstName: try row.get("first_name"), lastName: try row.get("last_name"),
            email: try row.get("email"), address: try row.get("address"), postalCode: try row.get("postal_code"),
            city: try row.get("city"), paid: try row.get("paid"), created: try row.get("created"), items: items)
    }

    static func arrayLiteral(_ values: [Int]) -> String {
        "{" + values.map(String.init).joined(separator: ",") + "}"
    }
}
