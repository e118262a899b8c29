import Postgres

/// The catalog's queries. Every one is parameterized.
public struct Catalog {
    /// `RequestContext.memo` key of the products a view loaded in this request
    /// (`[Int: Product]`), so the cart summary can reuse them instead of asking again.
    public static let loadedProductsMemoKey = "shop.loadedProducts"

    let database: PostgresConnection

    public init(database: PostgresConnection) { self.database = database }

    public func categories() throws -> [Category] {
        try database.query("SELECT id, name, slug FROM shop_category ORDER BY name").map(Category.init)
    }

    public func category(slug: String) throws -> Category? {
        try database.queryOne("SELECT id, name, slug FROM shop_category WHERE slug = $1", [slug]).map(Category.init)
    }

    /// The available products, by name; of one category when given.
    public func availableProducts(in category: Category? = nil) throws -> [Product] {
        if let category {
            return try database.query(
                "SELECT \(Product.columns) FROM shop_product WHERE available AND category_id = $1 ORDER BY name, id",
                [category.id]).map(Product.init)
        }
        return try database.query("SELECT \(Product.columns) FROM shop_product WHERE available ORDER BY name, id").map(Product.init)
    }

    /// The product page's product: it exists, is available and the slug matches; else nil (a 404).
    public func availableProduct(id: Int, slug: String) throws -> Product? {
        try database.queryOne(
            "SELECT \(Product.columns) FROM shop_product WHERE id = $1 AND slug = $2 AND available",
            [id, slug]).map(Product.init)
    }

    /// Products by id, whatever their availability (the cart decides what to do with them).
    public func products(ids: [Int]) throws -> [Product] {
        guard !ids.isEmpty else { return [] }
        let list = "{" + ids.map(String.init).joined(separator: ",") + "}"
        return try database.query("SELECT \(Product.columns) FROM shop_product WHERE id = ANY($1::bigint[])", [list]).map(Product.init)
    }
}
