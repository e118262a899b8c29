import Postgres
import Web

/// Each worker's cache of the catalog, bounded by `CATALOG_CACHE_SIZE`
/// whatever the catalog's size, and never stale.
///
/// Never stale: statement triggers on `shop_product` and `shop_category` bump
/// `shop_catalog_version` on any write (by the shop, an import, psql): `version`
/// on every write, `lists_version` on those that can change which products a
/// list page holds or their order. Every request that shows catalog data first
/// reads both (one trivial query). When `lists_version` moved, everything is
/// dropped; when only `version` did (a price, a description), the products by
/// id are dropped and each cached page keeps its ids but re-reads their rows
/// when next shown. What a request shows is read after the versions, so it is
/// never older than them.
///
/// Bounded: nothing is loaded ahead. A list page (24 products, with their cards
/// built) is loaded when first asked for, a product by id likewise (product
/// pages, carts, add-to-cart); each kept in an LRU. `CATALOG_CACHE_SIZE`
/// products fit in the pages' LRU, as many again in the products' LRU. The
/// categories (every page's sidebar) and each list's count are kept whole; a
/// long list's marks (`ListMarks`) at most `CATALOG_CACHE_SIZE / 24` a list.
final class CatalogCache {
    private static let stateKey = "shop.CatalogCache"

    /// The versions everything below was loaded at (or after); nil before the first check.
    private var version: Int64?
    private var listsVersion: Int64?
    private var categoryList: CategoryList?
    private var counts: [Int?: Int] = [:]
    /// Marks along long lists (`ListMarks`): a list's second page past its first stretch
    /// builds them; dropped with the counts.
    private var marks: LRUCache<Int?, ListMarks>
    /// Lists that read a deep page without marks since the last change: their next one builds them.
    private var listsMissedDeep: Set<Int?> = []
    private let marksPerList: Int
    private var pages: LRUCache<CatalogPageKey, CachedPage>
    private var products: LRUCache<Int, Product?>
    /// The rendered catalog parts of list and product pages (`PageFragments`), as many as
    /// list pages fit: any catalog write empties them.
    let fragments: PageFragments
    /// Rendered parts that repeat on a page and show catalog data (a cart line), a quarter
    /// of CATALOG_CACHE_SIZE of them (each about 1.5 KB): any catalog write empties them.
    let partials: PageFragments

    init(size: Int) {
        let pageCapacity = size <= 0 ? 0 : max(1, size / CatalogPage.size)
        pages = LRUCache(capacity: pageCapacity)
        marks = LRUCache(capacity: pageCapacity == 0 ? 0 : ListMarks.listsKept)
        marksPerList = pageCapacity
        products = LRUCache(capacity: size)
        fragments = PageFragments(capacity: pageCapacity)
        partials = PageFragments(capacity: size <= 0 ? 0 : max(1, size / 4))
    }

    /// This worker's cache, its versions checked once in this request; by the session's
    /// save, in the same statement, when the request is speculative (the cart's add).
    static func current(_ context: RequestContext) throws -> CatalogCache {
        try context.memo.value(CheckedCatalog.self) {
            let cache: CatalogCache
            if let existing = context.services.appState[stateKey] as? CatalogCache {
                cache = existing
            } else {
                cache = CatalogCache(size: context.services.settings.catalogCacheSize)
                context.services.appState[stateKey] = cache
            }
            if context.session.isSpeculative, let version = cache.version, let listsVersion = cache.listsVersion {
                context.session.requireOnSave(SessionSaveCondition(
                    sql: "EXISTS (SELECT 1 FROM shop_catalog_version WHERE version = $1 AND lists_version = $2)",
                    parameters: [version, listsVersion]))
            } else if let shared = sharedCheck(context) {
                cache.apply(version: shared.version, listsVersion: shared.listsVersion)
            } else {
                try cache.checkVersions(context.database, sharing: context.services.versionChecks,
                                        sessions: context.services.sessionStore)
            }
            return CheckedCatalog(cache)
        }.cache
    }

    /// Another worker's check asked after this request arrived (`VersionCheckBoard`), when the
    /// request can do without a reply of its own; one still in flight is waited for. A request
    /// with a session cookie needs the session store's consent: a reply of this worker's would
    /// prove its cached session as well (`Catalog.checkCurrent`), and the shared one stands for
    /// it only when its worker vouched for the session notifications (`SessionStore.takesSharedCheck`).
    private static func sharedCheck(_ context: RequestContext) -> VersionCheckBoard.Answer? {
        guard let board = context.services.versionChecks, let received = context.request.receivedMilliseconds,
              context.database.isOutsideTransaction, let answer = board.awaitAnswer(forRequestReceivedAt: received),
              !context.session.browserSentKey || context.services.sessionStore.takesSharedCheck(answer)
        else { return nil }
        return answer
    }

    /// Reads the versions now; shares them with the pool's other workers when the statement was a
    /// transaction of its own, so its snapshot was taken after `asked`, with the session
    /// notifications its reply brought passed on first (`SessionStore.shareNotifications`).
    private func checkVersions(_ database: PostgresConnection, sharing board: VersionCheckBoard?, sessions: SessionStore) throws {
        // Taken before the statement is sent, and only when there is a board to share with.
        let asked = board != nil && database.isOutsideTransaction ? VersionCheckBoard.Moment.now() : nil
        // The table's one row (`CHECK (id = 1)`), read without `WHERE id = 1`: a scan of its one page
        // is cheaper than its primary key's (pgbench, 4 clients: 15.8 against 18.3 µs of PostgreSQL's
        // CPU a check, medians of 8 alternated runs), and every page asks it.
        if let board, let asked { board.announce(asking: asked) }
        let row = try database.queryOne("SELECT version, lists_version FROM shop_catalog_version")
        let now: Int64 = try row?.get("version") ?? -1
        let listsNow: Int64 = try row?.get("lists_version") ?? -1
        if let board, let asked, database.isOutsideTransaction {
            board.publish(VersionCheckBoard.Answer(askedAt: asked, version: now, listsVersion: listsNow,
                                                   sessionsHeardSince: sessions.shareNotifications() ?? 0))
        }
        apply(version: now, listsVersion: listsNow)
    }

    /// Brings the cache to the versions a check found. Any difference drops, a lower version too
    /// (a database restored from a dump): a shared check may be older than this worker's own last
    /// one, and then costs a reload, never freshness.
    private func apply(version now: Int64, listsVersion listsNow: Int64) {
        if listsNow != listsVersion {
            categoryList = nil
            counts.removeAll()
            pages.removeAll()
            marks.removeAll()
            listsMissedDeep.removeAll()
        }
        if now != version || listsNow != listsVersion {
            products.removeAll()
            fragments.removeAll()
            partials.removeAll()
        }
        version = now
        listsVersion = listsNow
    }

    /// Category writes move `lists_version`, so the list is kept as long as it.
    func categories(_ database: PostgresConnection) throws -> CategoryList {
        if let categoryList { return categoryList }
        let loaded = CategoryList(try Catalog(database: database).categories())
        categoryList = loaded
        return loaded
    }

    /// How many available products the list has (a category's, or all with nil).
    func count(categoryID: Int?, _ database: PostgresConnection) throws -> Int {
        if let count = counts[categoryID] { return count }
        let count = try Catalog(database: database).availableCount(categoryID: categoryID)
        counts[categoryID] = count
        return count
    }

    /// Page `number` (1-based, already checked against the count) of a list.
    func page(categoryID: Int?, number: Int, _ database: PostgresConnection, urls: URLs) throws -> CatalogPage {
        let key = CatalogPageKey(categoryID: categoryID, number: number)
        let catalog = Catalog(database: database)
        let rows: [Product]
        if let cached = pages.get(key) {
            if cached.version == version { return cached.page }
            // Same lists, so the same products in the same order: their rows as they are now.
            let byID = Dictionary(try catalog.products(ids: cached.ids).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            rows = cached.ids.compactMap { byID[$0] }
        } else {
            rows = try slice(categoryID: categoryID, offset: (number - 1) * CatalogPage.size, catalog)
        }
        let page = CatalogPage(products: rows, urls: urls)
        pages.put(key, CachedPage(ids: rows.map(\.id), version: version, page: page))
        // The page's products by id too: the cart summary of this very page, and
        // the product pages it links to, then cost no query.
        for product in rows { products.put(product.id, product) }
        return page
    }

    /// A page not cached: read from the list's nearest mark before it, once the list has them.
    /// A deep OFFSET walks the index from the list's start (11 ms at 80,000 products); from a
    /// mark it walks at most one stretch. The marks cost one walk of the whole list, so a list
    /// gets them at its second deep page since its make-up last changed, not its first: a list
    /// that changes between every two deep pages costs no more than OFFSET did.
    private func slice(categoryID: Int?, offset: Int, _ catalog: Catalog) throws -> [Product] {
        func fromStart() throws -> [Product] {
            try catalog.availableProducts(categoryID: categoryID, offset: offset, limit: CatalogPage.size)
        }
        guard marksPerList > 0, let count = counts[categoryID],
              case let spacing = ListMarks.spacing(count: count, marks: marksPerList), offset >= spacing else { return try fromStart() }
        let list: ListMarks
        if let kept = marks.get(categoryID) {
            list = kept
        } else if listsMissedDeep.insert(categoryID).inserted {
            return try fromStart()  // the list's first deep page since it changed
        } else {
            list = ListMarks(spacing: spacing, marks: try catalog.listMarks(categoryID: categoryID, spacing: spacing, limit: marksPerList))
            marks.put(categoryID, list)
        }
        guard let (mark, rest) = list.mark(before: offset) else { return try fromStart() }
        return try catalog.availableProducts(categoryID: categoryID, from: mark, offset: rest, limit: CatalogPage.size)
    }

    /// The products with these ids as they are now, whatever their availability
    /// (absent: no such product); one query at most, for the ids not cached.
    func products(ids: [Int], _ database: PostgresConnection) throws -> [Int: Product] {
        var found = [Int: Product](minimumCapacity: ids.count)  // allocated once, not grown line by line
        var missing: [Int] = []
        for id in Set(ids) {
            if let cached = products.get(id) {
                if let product = cached { found[id] = product }
            } else {
                missing.append(id)
            }
        }
        guard !missing.isEmpty else { return found }
        let loaded = try Catalog(database: database).products(ids: missing.sorted())
        for product in loaded { found[product.id] = product }
        for id in missing { products.put(id, found[id]) }
        return found
    }
}

/// A cached list page: its products' ids (valid while `lists_version` stays)
/// and its cards as of `version`.
struct CachedPage {
    let ids: [Int]
    let version: Int64?
    let page: CatalogPage
}

/// The memo's proof that this request checked the version: holds the worker's
/// cache (owned by the services), never the request.
final class CheckedCatalog {
    let cache: CatalogCache
    init(_ cache: CatalogCache) { self.cache = cache }
}

/// The categories by name, and by slug for the category pages.
struct CategoryList {
    let all: [Category]
    let bySlug: [String: Category]

    init(_ categories: [Category]) {
        all = categories
        bySlug = Dictionary(categories.map { ($0.slug, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

/// A list's products at every `spacing`-th place (0, spacing, 2 × spacing…), as of the
/// `lists_version` they were read at. At most `marks` of them per list, however long the list:
/// a longer list gets wider stretches, so a worker's memory stays bounded by the setting.
struct ListMarks {
    /// Lists with marks kept at once (the whole catalog and the categories last paged deep).
    static let listsKept = 8
    /// The shortest stretch, in pages: a page within the first one is read by plain OFFSET.
    static let minimumPages = 8

    let spacing: Int
    let marks: [ListMark]

    static func spacing(count: Int, marks: Int) -> Int {
        let pages = (count + CatalogPage.size - 1) / CatalogPage.size
        let perMark = max(minimumPages, marks > 0 ? (pages + marks - 1) / marks : pages)
        return perMark * CatalogPage.size
    }

    /// The last mark at or before `offset`, and how far past it `offset` lies.
    func mark(before offset: Int) -> (ListMark, Int)? {
        let index = offset / spacing
        guard index < marks.count else { return nil }
        return (marks[index], offset - index * spacing)
    }
}

struct CatalogPageKey: Hashable {
    var categoryID: Int?
    var number: Int
}

/// One page of a product list with the cards' view-models built (formatted
/// prices, URLs), so a cached page is only rendered.
struct CatalogPage {
    static let size = 24

    let cards: TemplateValue
    let isEmpty: Bool

    init(products: [Product], urls: URLs) {
        cards = .list(products.map { TemplateValue(ShopViewModels.productCard($0, urls)) })
        isEmpty = products.isEmpty
    }
}

extension Catalog {
    /// Checks the worker's cache against the catalog's versions now, once per request. A view
    /// that will show catalog data and a session calls it before touching the session: its
    /// reply also proves this worker holds every session notification committed before the
    /// request (see `CachedDatabaseSessionStore`), so the session's load needs no round trip of its own.
    public static func checkCurrent(_ context: RequestContext) throws {
        _ = try CatalogCache.current(context)
    }

    /// Rendered parts that show catalog data and repeat on pages (a cart line), kept until
    /// the catalog changes (`PageFragments.renderPartial`; the key must name all else they show).
    public static func partials(_ context: RequestContext) throws -> PageFragments {
        try CatalogCache.current(context).partials
    }

    /// Products by id as they are now (the cart's prices, the add-to-cart
    /// check), whatever their availability: callers check `available`. From
    /// the worker's cache after its version check; one query for the ids it lacks.
    public static func products(ids: [Int], _ context: RequestContext) throws -> [Int: Product] {
        try CatalogCache.current(context).products(ids: ids, context.database)
    }

    /// The product with this id if it exists and is available.
    public static func availableProduct(id: Int, _ context: RequestContext) throws -> Product? {
        guard let product = try products(ids: [id], context)[id], product.available else { return nil }
        return product
    }
}
