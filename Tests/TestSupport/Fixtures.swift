import Foundation
import Postgres

/// Catalog rows for tests, inserted with plain SQL so tests do not depend on the code under test.
public struct CatalogFixture {
    public let database: PostgresConnection

    public init(database: PostgresConnection) { self.database = database }

    @discardableResult
    public func category(_ name: String, slug: String) throws -> Int {
        try database.scalar("INSERT INTO shop_category (name, slug) VALUES ($1, $2) RETURNING id", [name, slug], as: Int.self)!
    }

    @discardableResult
    public func product(_ name: String, slug: String, category: Int, price: String, available: Bool = true,
                        image: String = "", description: String = "") throws -> Int {
        try database.scalar("""
            INSERT INTO shop_product (category_id, name, slug, price, available, image, description)
            VALUES ($1, $2, $3, $4::numeric, $5, $6, $7) RETURNING id
            """, [category, name, slug, price, available, image, description], as: Int.self)!
    }
}
