import Postgres
import Web

/// The available catalog as of one version, with the product cards' view-models
/// already built (formatted prices, URLs), so a catalog page only picks them out.
final class CatalogSnapshot {
    let version: Int64
    let categories: [Category]
    let categoriesBySlug: [String: Category]
    let productsByID: [Int: Product]
    let cards: [Int: TemplateValue]
    let allCards: TemplateValue
    let cardsByCategory: [Int: TemplateValue]

    init(version: Int64, categories: [Category], products: [Product], urls: URLs) {
        self.version = version
        self.categories = categories
        categoriesBySlug = Dictionary(categories.map { ($0.slug, $0) }, uniquingKeysWith: { first, _ in first })
        productsByID = Dictionary(products.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let cards = Dictionary(products.map { ($0.id, TemplateValue(ShopViewModels.productCard($0, urls))) }, uniquingKeysWith: { first, _ in first })
        self.cards = cards
        allCards = .list(products.map { cards[$0.id]! })
        cardsByCategory = Dictionary(grouping: products, by: \.categoryID).mapValues { .list($0.map { cards[$0.id]! }) }
    }
}

/// Each worker's copy of the available catalog. Every use first reads the
/// version that triggers bump on any write to `shop_product` or
/// `shop_category` (whoever writes), in the same request: one trivial query
/// instead of the catalog's, and never a page older than the database.
final class CatalogCache {
    private static let stateKey = "shop.CatalogCache"
    private var snapshot: CatalogSnapshot?

    /// The catalog as of now, once per request.
    static func current(_ context: RequestContext) throws -> CatalogSnapshot {
        try context.memo.value(CatalogSnapshot.self) {
            let cache: CatalogCache
            if let existing = context.services.appState[stateKey] as? CatalogCache {
                cache = existing
            } else {
                cache = CatalogCache()
                context.services.appState[stateKey] = cache
            }
            return try cache.snapshot(context.database, urls: context.services.urls)
        }
    }

    private func snapshot(_ database: PostgresConnection, urls: URLs) throws -> CatalogSnapshot {
        let version = try database.scalar("SELECT version FROM shop_catalog_version WHERE id = 1", as: Int64.self) ?? -1
        if let snapshot, snapshot.version == version { return snapshot }
        let catalog = Catalog(database: database)
        let fresh = CatalogSnapshot(version: version, categories: try catalog.categories(), products: try catalog.availableProducts(), urls: urls)
        snapshot = fresh
        return fresh
    }
}

extension Catalog {
    /// The available products by id, current as of this request: the worker's
    /// cached catalog after its version check (the cart's prices and the
    /// add-to-cart check come from here).
    public static func availableProducts(_ context: RequestContext) throws -> [Int: Product] {
        try CatalogCache.current(context).productsByID
    }
}
