import Postgres
import TestSupport
import Web
import XCTest

/// The cart as every page's layout shows it, and what an emptied cart leaves behind.
final class CartSummaryTests: XCTestCase {
    var database: PostgresConnection!
    var browser: InProcessBrowser!
    var sencha = 0, matcha = 0

    override func setUpWithError() throws {
        database = try TestDatabase.reset()
        let fixture = CatalogFixture(database: database)
        let tea = try fixture.category("Tea", slug: "tea")
        sencha = try fixture.product("Sencha", slug: "sencha", category: tea, price: "8.50")
        matcha = try fixture.product("Matcha", slug: "matcha", category: tea, price: "24.00")
        browser = InProcessBrowser(try TestApplication.make { $0.debug = true })
    }

    func add(_ id: Int, _ quantity: Int) {
        XCTAssertEqual(browser.postWithToken("/cart/add/\(id)/", form: [("quantity", String(quantity)), ("override", "False")]).status, 302)
    }

    func sqlCount(_ html: String) -> Int { html.components(separatedBy: "<li><code>").count - 1 }

    func testCartSummaryUsesCurrentPricesWithoutAQueryOfItsOwn() throws {
        add(sencha, 2)
        add(matcha, 1)
        try database.execute("UPDATE shop_product SET price = 9.00 WHERE id = $1", [sencha])
        let html = browser.get("/").bodyText
        XCTAssertTrue(html.contains("$42.00"), "the summary uses current prices")
        XCTAssertEqual(sqlCount(html), 2, "the versions, then the page's rows re-read by id (a price changes no list); the cart adds nothing")
        XCTAssertEqual(html.components(separatedBy: "WHERE id = ANY").count - 1, 1, "one read by id: the page's, which the cart shares")
        for path in ["/", "/\(sencha)/sencha/", "/cart/"] {
            let page = browser.get(path).bodyText
            XCTAssertTrue(page.contains("$42.00"), path)
            XCTAssertEqual(sqlCount(page), 1, "\(path): only the catalog's version check")
        }
    }

    func testUnavailableProductStillLeavesTheCartOnTheProductList() throws {
        add(sencha, 1)
        add(matcha, 1)
        try database.execute("UPDATE shop_product SET available = false WHERE id = $1", [matcha])
        let html = browser.get("/").bodyText
        XCTAssertTrue(html.contains("$8.50"))
        XCTAssertTrue(html.contains("no longer available"))
        XCTAssertEqual(CartPage.lines(in: browser.get("/cart/").bodyText), [sencha: 1])
    }

    func testEmptiedCartDeletesTheSessionSoAReplayedCookieFindsNothing() throws {
        add(sencha, 3)
        let oldKey = try XCTUnwrap(browser.cookies["sessionid"])
        let oldVersion = browser.cookies["sessionid_version"]
        let removed = browser.postWithToken("/cart/remove/\(sencha)/", form: [])
        XCTAssertEqual(removed.status, 302)
        let deletions = removed.headers(named: "Set-Cookie").filter { $0.hasPrefix("sessionid") }
        XCTAssertEqual(deletions.count, 2)
        for cookie in deletions {
            XCTAssertTrue(cookie.contains("Max-Age=0"), cookie)
            XCTAssertTrue(cookie.contains("HttpOnly"), "a deletion must be able to replace the HttpOnly cookie: \(cookie)")
        }
        XCTAssertEqual(try database.scalar("SELECT count(*) FROM django_session WHERE session_key = $1", [oldKey], as: Int.self), 0)
        // A client that replays the old cookies gets an empty cart, not the removed line back.
        browser.setCookie("sessionid", oldKey)
        browser.setCookie("sessionid_version", oldVersion)
        XCTAssertEqual(CartPage.lines(in: browser.get("/cart/").bodyText), [:])
    }

    func testEachLinesSelectShowsItsQuantityEvenPastTwenty() throws {
        add(sencha, 3)
        add(matcha, 15)
        add(matcha, 10)
        let html = browser.get("/cart/").bodyText
        XCTAssertEqual(CartPage.lines(in: html), [sencha: 3, matcha: 25])
        XCTAssertTrue(html.contains("<option value=\"3\" selected>3</option>"))
        XCTAssertTrue(html.contains("<option value=\"25\" selected>25</option>"), "an accumulated quantity stays selectable")
        XCTAssertEqual(html.components(separatedBy: " selected>").count - 1, 2, "one selected option per line")
        let detail = browser.get("/\(sencha)/sencha/").bodyText
        XCTAssertTrue(detail.contains("<option value=\"1\" selected>1</option>"))
        XCTAssertFalse(detail.contains("<option value=\"25\""))
    }
}
