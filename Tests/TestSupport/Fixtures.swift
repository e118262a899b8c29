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

/// Small files for upload tests.
public enum TestImages {
    /// A whole 1×1 PNG (signature, IHDR, IDAT, IEND), as a browser would upload it.
    public static let png: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
        0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
        0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
        0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
}
