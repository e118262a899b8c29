import Foundation
import Postgres
import Web

/// `shop_category`.
public struct Category: Sendable, Equatable {
    public var id: Int
    public var name: String
    public var slug: String

    /// Django's `get_absolute_url`, reversed; empty if the slug could not route (an import's typo).
    public func url(_ urls: URLs) -> String {
        (try? urls.path("shop:product_list_by_category", ["category_slug": slug])) ?? ""
    }

    init(row: PostgresRow) throws {
        id = try row.get("id")
        name = try row.get("name")
        slug = try row.get("slug")
    }
}

/// `shop_product`. Prices are exact `Decimal`s from numeric(10,2).
public struct Product: Sendable, Equatable {
    public var id: Int
    public var categoryID: Int
    public var name: String
    public var slug: String
    /// Path below MEDIA_ROOT (`products/tea.png`), or empty.
    public var image: String
    public var description: String
    public var price: Decimal {
        didSet { priceInCents = nil }  // nil: formatted from the Decimal
    }
    /// The price in whole cents, read with it from the database: what the cart's pages add up and
    /// show (exact, and far cheaper than Decimal's arithmetic). Nil if the text was not N.NN.
    public private(set) var priceInCents: Int?
    public var available: Bool
    public var created: Date
    public var updated: Date

    /// Django's `get_absolute_url` (`/{id}/{slug}/`), reversed; empty if the slug could not route.
    public func url(_ urls: URLs) -> String {
        (try? urls.path("shop:product_detail", ["id": id, "slug": slug])) ?? ""
    }

    /// The image as nginx serves it, or the placeholder.
    public var imageURL: String { image.isEmpty ? "/static/img/no_image.png" : "/media/" + image }

    static let columns = "id, category_id, name, slug, image, description, price, available, created, updated"

    init(row: PostgresRow) throws {
        id = try row.get("id")
        categoryID = try row.get("category_id")
        name = try row.get("name")
        slug = try row.get("slug")
        image = try row.get("image", as: String?.self) ?? ""
        description = try row.get("description", as: String?.self) ?? ""
        price = try row.get("price")
        priceInCents = PriceFormat.cents(fromNumericText: try row.get("price", as: String.self))
        available = try row.get("available")
        created = try row.get("created")
        updated = try row.get("updated")
    }
}
