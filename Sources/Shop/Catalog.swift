import Postgres

/// The catalog's queries. Every one is parameterized.
public struct Catalog {
    let database: PostgresConnection

    public init(database: PostgresConnection) { self.database = database }

    public func categories() throws -> [Category] {
        try database.query("SELECT id, name, slug FROM shop_category ORDER BY name").map(Category.init)
    }

    /// The available products, by name.
    public func availableProducts() throws -> [Product] {
        try database.query("SELECT \(Product.columns) FROM shop_product WHERE available ORDER BY name, id").map(Product.init)
    }

    /// Products by id, whatever their availability (the cart decides what to do with them).
    public func products(ids: [Int]) throws -> [Product] {
        guard !ids.isEmpty else { return [] }
        let list = "{" + ids.map(String.init).joined(separator: ",") + "}"
        return try database.query("SELECT \(Product.columns) FROM shop_product WHERE id = ANY($1::bigint[])", [list]).map(Product.init)
    }
}
