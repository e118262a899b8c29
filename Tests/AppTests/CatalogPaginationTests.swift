import Foundation
import Postgres
import TestSupport
import Web
import XCTest

/// The catalog's pages of 24 (`?page=N`, Django's Paginator and ListView), and
/// the worker's bounded catalog cache: never stale, and what it evicted comes back.
final class CatalogPaginationTests: AppTestCase {
    /// Adds `count` available products named "Item 001"... in the test category.
    @discardableResult
    func makeItems(_ count: Int, category: Int? = nil) throws -> [Int] {
        try database.query("""
            INSERT INTO shop_product (category_id, name, slug, price)
            SELECT $1, 'Item ' || lpad(n::text, 3, '0'), 'item-' || n, 1.00 + n
            FROM generate_series(1, $2) AS n RETURNING id
            """, [category ?? categoryID, count]).map { try $0.get("id") }
    }

    /// The product ids of a list page, in order.
    func listed(_ html: String) -> [Int] {
        html.components(separatedBy: "data-product-id=\"").dropFirst().compactMap { Int($0.prefix { $0 != "\"" }) }
    }

    /// The DEBUG footer's statements, unescaped.
    func sqlStatements(_ html: String) -> [String] {
        html.components(separatedBy: "<li><code>").dropFirst().map {
            String($0.prefix { $0 != "<" }).replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&lt;", with: "<")
        }
    }

    // MARK: Pagination

    func testAShopOfUpTo24ProductsHasOnePageAndNoLinks() throws {
        try makeItems(23)  // with Green Tea: 24
        let shopper = browser()
        let page = shopper.get("/")
        XCTAssertEqual(page.status, 200)
        XCTAssertEqual(listed(page.bodyText).count, 24)
        XCTAssertFalse(page.bodyText.contains("class=\"pagination\""))
        XCTAssertFalse(page.bodyText.contains("?page="))
        XCTAssertEqual(listed(shopper.get("/?page=1").bodyText).count, 24)
        XCTAssertEqual(listed(shopper.get("/?page=").bodyText).count, 24, "an empty page is the first, as in Django")
        XCTAssertEqual(shopper.get("/?page=2").status, 404)
    }

    func testPagesOf24ByNameCoverEveryAvailableProductOnce() throws {
        var ids = try makeItems(60)
        try setAvailable(ids.removeLast(), false)
        ids.append(teaID)  // "Green Tea" sorts before "Item ..."
        let shopper = browser()
        let first = shopper.get("/").bodyText
        let pages = [first, shopper.get("/?page=2").bodyText, shopper.get("/?page=3").bodyText]
        let shown = pages.map(listed)
        XCTAssertEqual(shown.map(\.count), [24, 24, 12])
        XCTAssertEqual(shown.flatMap { $0 }, [teaID] + ids.dropLast(), "by name, each product once")
        XCTAssertEqual(shopper.get("/?page=last").bodyText.contains("Item 059"), true)

        XCTAssertTrue(first.contains("<a href=\"/?page=2\" rel=\"next\">"))
        XCTAssertTrue(first.contains("<a href=\"/?page=3\">3</a>"))
        XCTAssertFalse(first.contains("rel=\"prev\""))
        XCTAssertTrue(first.contains("Page 1 of 3"))
        XCTAssertTrue(pages[1].contains("<a href=\"/?page=1\" rel=\"prev\">"))
        XCTAssertTrue(pages[1].contains("<span class=\"current\" aria-current=\"page\">2</span>"))
        XCTAssertFalse(pages[2].contains("rel=\"next\""))
    }

    func testACategoryPaginatesOnItsOwnPath() throws {
        let coffee = try XCTUnwrap(database.scalar("INSERT INTO shop_category (name, slug) VALUES ('Coffee', 'coffee') RETURNING id", as: Int.self))
        let beans = try makeItems(30, category: coffee)
        let shopper = browser()
        let first = shopper.get("/coffee/").bodyText
        XCTAssertEqual(listed(first), Array(beans.prefix(24)))
        XCTAssertTrue(first.contains("<a href=\"/coffee/?page=2\" rel=\"next\">"))
        XCTAssertEqual(listed(shopper.get("/coffee/?page=2").bodyText), Array(beans.suffix(6)))
        XCTAssertEqual(shopper.get("/coffee/?page=3").status, 404)
        XCTAssertFalse(shopper.get("/tea/").bodyText.contains("class=\"pagination\""), "Tea has one product")
    }

    /// Django's ListView: a page that is not a number, or not in the list, is a 404.
    func testABadPageIs404() throws {
        try makeItems(30)
        let shopper = browser()
        for bad in ["0", "-1", "3", "abc", "2.0", "1e1", "%EF%BC%92", "99999999999999999999999", "-99999999999999999999", "+", "last1", "%00"] {
            let response = shopper.get("/?page=\(bad)")
            XCTAssertEqual(response.status, 404, bad)
            XCTAssertTrue(response.bodyText.contains("id=\"cart-summary\""), "\(bad): the 404 page uses the layout")
        }
        XCTAssertEqual(shopper.get("/?page=%2B2").status, 200, "int('+2') is 2")
        XCTAssertEqual(shopper.get("/?page=02").status, 200)
        XCTAssertEqual(shopper.get("/?page=%202%20").status, 200, "int(' 2 ') is 2")
        XCTAssertEqual(shopper.get("/?page=1&page=2").bodyText.contains("Page 2 of 2"), true, "the last value, as QueryDict.get")
    }

    /// Django's `get_elided_page_range` (3 on each side, 2 at the ends).
    func testManyPagesLinkTheEndsAndTheNeighbours() throws {
        try makeItems(999)  // 1,000 products: 42 pages
        let html = browser().get("/?page=20").bodyText
        let links = html.components(separatedBy: "<a href=\"/?page=").dropFirst().map { $0.prefix { $0 != "\"" } }
        XCTAssertEqual(links, ["19", "1", "2", "17", "18", "19", "21", "22", "23", "41", "42", "21"])
        XCTAssertEqual(html.components(separatedBy: "class=\"gap\"").count - 1, 2)
        XCTAssertTrue(html.contains("Page 20 of 42"))
    }

    // MARK: Deep pages

    /// The list's available product ids in the shop's order (all, or one category's), by SQL.
    func expectedList(category: Int? = nil) throws -> [Int] {
        try database.query("""
            SELECT id FROM shop_product WHERE available AND ($1::bigint IS NULL OR category_id = $1) ORDER BY name, id
            """, [category]).map { try $0.get("id") }
    }

    /// Every page of a list, each shown by `shopper`, against the list by SQL.
    func assertEveryPage(_ path: String, _ shopper: InProcessBrowser, category: Int? = nil, _ message: String,
                         file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try expectedList(category: category)
        let pages = (expected.count + 23) / 24
        for number in 1...pages {
            XCTAssertEqual(listed(shopper.get("\(path)?page=\(number)").bodyText),
                           Array(expected[((number - 1) * 24)..<min(expected.count, number * 24)]),
                           "\(message): page \(number) of \(pages)", file: file, line: line)
        }
        XCTAssertEqual(shopper.get("\(path)?page=\(pages + 1)").status, 404, message, file: file, line: line)
    }

    /// A long list's second deep page since its make-up changed reads the list's marks (every
    /// stretch's first product, in one statement), and deep pages then enter the index at the
    /// nearest mark instead of walking it from the start with OFFSET. Every page stays what
    /// OFFSET gives, through renames, removals, additions and a category's own list.
    func testDeepPagesReadFromTheListsMarksAreThePagesOffsetGives() throws {
        let coffee = try XCTUnwrap(database.scalar("INSERT INTO shop_category (name, slug) VALUES ('Coffee', 'coffee') RETURNING id", as: Int.self))
        try database.execute("""
            INSERT INTO shop_product (category_id, name, slug, price)
            SELECT CASE WHEN n % 3 = 0 THEN $1::bigint ELSE $2::bigint END, 'Item ' || lpad((n % 250)::text, 4, '0'), 'item-' || n, 1.00
            FROM generate_series(1, 700) AS n
            """, [coffee, categoryID])  // names repeat: the id orders them
        // CATALOG_CACHE_SIZE=96: 4 pages cached, 4 marks a list; 701 products, 30 pages: stretches of 8 pages.
        let worker = try makeApplication { $0.catalogCacheSize = 96 }
        let shopper = browser(worker)
        func statements(_ path: String) -> [String] { sqlStatements(shopper.get(path).bodyText) }

        XCTAssertFalse(statements("/?page=12").contains { $0.contains("WITH RECURSIVE") }, "a first deep page: OFFSET")
        let second = statements("/?page=20")
        XCTAssertTrue(second.contains { $0.contains("WITH RECURSIVE") }, "the second reads the marks: \(second)")
        XCTAssertTrue(second.last?.contains("(name, id) >=") ?? false, "and enters the index at one: \(second)")
        let shallow = statements("/?page=3")
        XCTAssertFalse(shallow.contains { $0.contains("(name, id) >=") || $0.contains("RECURSIVE") }, "within the first stretch: \(shallow)")
        try assertEveryPage("/", shopper, "from the marks")

        let last = try XCTUnwrap(try expectedList().last)
        try database.execute("UPDATE shop_product SET name = 'Aardvark' WHERE id = $1", [last])
        try assertEveryPage("/", shopper, "after a rename moved the last product first")
        let some = try expectedList().enumerated().filter { $0.offset % 7 == 3 }.map { String($0.element) }
        try database.execute("UPDATE shop_product SET available = false WHERE id = ANY($1::bigint[])", ["{" + some.joined(separator: ",") + "}"])
        try assertEveryPage("/", shopper, "after every seventh went")
        try database.execute("""
            INSERT INTO shop_product (category_id, name, slug, price)
            SELECT $1, 'Item 0100', 'more-' || n, 2.00 FROM generate_series(1, 50) AS n
            """, [categoryID])
        try assertEveryPage("/", shopper, "after 50 more in the middle")
        try assertEveryPage("/coffee/", shopper, category: coffee, "a category's list")
        try assertEveryPage("/tea/", shopper, category: categoryID, "the other category's list")
    }

    // MARK: The bounded cache

    func testACachedPageOrProductShowsASQLWriteAtTheNextRequest() throws {
        let items = try makeItems(30)
        let shopper = browser()
        _ = shopper.get("/?page=2")
        _ = shopper.get("/\(items[29])/item-30/")
        XCTAssertEqual(sqlStatements(shopper.get("/?page=2").bodyText).count, 1, "warm: only the version check")
        XCTAssertEqual(sqlStatements(shopper.get("/\(items[29])/item-30/").bodyText).count, 1)

        try database.execute("UPDATE shop_product SET price = 77.70 WHERE id = $1", [items[29]])
        XCTAssertTrue(shopper.get("/?page=2").bodyText.contains("$77.70"))
        XCTAssertTrue(shopper.get("/\(items[29])/item-30/").bodyText.contains("$77.70"))

        try database.execute("UPDATE shop_product SET available = false WHERE id = $1", [items[29]])
        XCTAssertEqual(listed(shopper.get("/?page=2").bodyText).count, 6)
        XCTAssertEqual(shopper.get("/\(items[29])/item-30/").status, 404)
        try database.execute("UPDATE shop_product SET available = false WHERE id = ANY($1::bigint[])",
                             ["{" + items.suffix(7).map(String.init).joined(separator: ",") + "}"])
        XCTAssertEqual(shopper.get("/?page=2").status, 404, "the list shrank to one page")
    }

    /// A price changes no list's make-up: a cached page re-reads its 24 rows by
    /// id (no count, no OFFSET). A rename can reorder the lists: they are read again.
    func testAPriceChangeRereadsAPagesRowsAndARenameReordersTheLists() throws {
        let items = try makeItems(60)
        let shopper = browser()
        _ = shopper.get("/")
        XCTAssertEqual(listed(shopper.get("/?page=2").bodyText), Array(items[23..<47]))
        try setPrice(items[30], "55.55")
        let page = shopper.get("/?page=2").bodyText
        XCTAssertTrue(page.contains("$55.55"))
        let statements = sqlStatements(page)
        XCTAssertEqual(statements.count, 2, "\(statements)")
        XCTAssertTrue(statements.last?.contains("id = ANY") ?? false, "\(statements)")

        try database.execute("UPDATE shop_product SET name = 'Aardvark Tea' WHERE id = $1", [items[40]])
        XCTAssertEqual(listed(shopper.get("/").bodyText).first, items[40])
        XCTAssertFalse(listed(shopper.get("/?page=2").bodyText).contains(items[40]))
        XCTAssertTrue(listed(shopper.get("/tea/?page=2").bodyText).contains(items[41]))
        let coffee = try XCTUnwrap(database.scalar("INSERT INTO shop_category (name, slug) VALUES ('Coffee', 'coffee') RETURNING id", as: Int.self))
        _ = shopper.get("/tea/?page=2")
        try database.execute("UPDATE shop_product SET category_id = $2 WHERE id = $1", [items[41], coffee])
        XCTAssertFalse(listed(shopper.get("/tea/?page=2").bodyText).contains(items[41]), "moved to another category")
        XCTAssertEqual(listed(shopper.get("/coffee/").bodyText), [items[41]])
    }

    func testTheCacheKeepsNoMoreThanItsSizeAndReloadsWhatItDropped() throws {
        try makeItems(100)
        // CATALOG_CACHE_SIZE=48: two pages of 24, and 48 products by id.
        let worker = try makeApplication { $0.catalogCacheSize = 48 }
        let shopper = browser(worker)
        func statements(_ path: String) -> [String] { sqlStatements(shopper.get(path).bodyText) }
        _ = statements("/?page=1")
        _ = statements("/?page=2")
        XCTAssertEqual(statements("/?page=1").count, 1, "both pages fit")
        XCTAssertEqual(statements("/?page=2").count, 1, "both pages fit")
        // Two more pages push pages 1 and 2 out (of the rendered pages and of the pages' rows).
        XCTAssertEqual(statements("/?page=3").count, 2)
        XCTAssertEqual(statements("/?page=4").count, 2)
        XCTAssertEqual(statements("/?page=4").count, 1)
        let reloaded = statements("/?page=2")
        XCTAssertEqual(reloaded.count, 2, "page 2 was dropped and is read again: \(reloaded)")
        XCTAssertTrue(reloaded.last?.contains("FROM shop_product") ?? false)
        XCTAssertTrue(shopper.get("/?page=2").bodyText.contains("Item 024"))

        let none = try makeApplication { $0.catalogCacheSize = 0 }
        let uncached = browser(none)
        _ = uncached.get("/")
        XCTAssertEqual(sqlStatements(uncached.get("/").bodyText).count, 2, "size 0: the version and the page every time (counts and categories are kept whole)")
        XCTAssertEqual(listed(uncached.get("/?page=5").bodyText).count, 5)
    }

    func testTheCartPricesFromTheCacheAndAsksOnlyForWhatItLacks() throws {
        let items = try makeItems(3)
        let shopper = browser()
        for id in items { add(shopper, id, quantity: 1) }
        let cold = try makeApplication()  // another worker: nothing cached
        let first = sqlStatements(shopper.get("/cart/", on: cold).bodyText).filter { $0.contains("shop_product") }
        XCTAssertEqual(first.count, 1, "one query for the three products: \(first)")
        XCTAssertEqual(sqlStatements(shopper.get("/cart/", on: cold).bodyText).filter { $0.contains("shop_product") }, [])

        try setPrice(items[1], "42.00")
        let lines = shopper.get("/cart/", on: cold).bodyText
        XCTAssertTrue(lines.contains("$42.00"), "a price written by SQL is in the cart at the next request")
        try setAvailable(items[2], false)
        XCTAssertEqual(Set(cartLines(shopper).keys), Set(items.prefix(2)))
        XCTAssertEqual(shopper.post("/cart/add/\(items[2])/", ["quantity": "1", "override": "False"]).status, 404)
        XCTAssertEqual(shopper.post("/cart/add/987654321/", ["quantity": "1", "override": "False"]).status, 404)
    }
}
