import Postgres

/// The catalog's queries. Every one is parameterized.
public struct Catalog {
    let database: PostgresConnection

    public init(database: PostgresConnection) { self.database = database }

    public func categories() throws -> [Category] {
        try database.query("SELECT id, name, slug FROM shop_category ORDER BY name").map(Category.init)
    }

    /// How many products are available (in a category, or in all with nil).
    public func availableCount(categoryID: Int?) throws -> Int {
        if let categoryID {
            return try database.scalar("SELECT count(*) FROM shop_product WHERE available AND category_id = $1", [categoryID], as: Int.self) ?? 0
        }
        return try database.scalar("SELECT count(*) FROM shop_product WHERE available", as: Int.self) ?? 0
    }

    /// A slice of the available products by name (and id, so pages never
    /// overlap), in a category or in all. The partial indexes on (name, id)
    /// and (category_id, name, id) serve it; the ids are picked in the index
    /// alone and only the page's rows are read.
    public func availableProducts(categoryID: Int?, offset: Int, limit: Int) throws -> [Product] {
        let filter = categoryID == nil ? "" : " AND category_id = $3"
        var parameters: [any PostgresBindable] = [limit, offset]
        if let categoryID { parameters.append(categoryID) }
        return try database.query("""
            SELECT \(Product.columns) FROM shop_product WHERE id IN (
                SELECT id FROM shop_product WHERE available\(filter) ORDER BY name, id LIMIT $1 OFFSET $2)
            ORDER BY name, id
            """, parameters).map(Product.init)
    }

    /// Products by id, whatever their availability (the cart decides what to do with them).
    public func products(ids: [Int]) throws -> [Product] {
        guard !ids.isEmpty else { return [] }
        let list = "{" + ids.map(String.init).joined(separator: ",") + "}"
        return try database.query("SELECT \(Product.columns) FROM shop_product WHERE id = ANY($1::bigint[])", [list]).map(Product.init)
    }
}
