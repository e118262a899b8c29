import Postgres
import TestSupport
import Web
import XCTest

/// The catalog pages, called in process against real data.
final class CatalogViewTests: XCTestCase {
    var database: PostgresConnection!
    var browser: InProcessBrowser!
    var tea = 0, coffee = 0
    var sencha = 0, hidden = 0, grinder = 0

    override func setUpWithError() throws {
        database = try TestDatabase.reset()
        let fixture = CatalogFixture(database: database)
        tea = try fixture.category("Tea", slug: "tea")
        coffee = try fixture.category("Coffee", slug: "coffee")
        sencha = try fixture.product("Sencha", slug: "sencha", category: tea, price: "8.50", image: "products/sencha.png",
                                     description: "Grassy.\nSteep briefly.")
        try fixture.product("Assam <b>Bold</b> & \"Strong\"", slug: "assam", category: tea, price: "0.10")
        hidden = try fixture.product("Hidden Decaf", slug: "hidden-decaf", category: coffee, price: "9.99", available: false)
        grinder = try fixture.product("Grinder", slug: "grinder", category: coffee, price: "1299.00")
        browser = InProcessBrowser(try TestApplication.make())
    }

    func testIndexListsAvailableProductsByNameWithCategories() throws {
        let response = browser.get("/")
        XCTAssertEqual(response.status, 200)
        let html = response.bodyText
        XCTAssertTrue(html.contains("href=\"/tea/\""))
        XCTAssertTrue(html.contains("href=\"/coffee/\""))
        let assam = try XCTUnwrap(html.range(of: "Assam"))
        let grinderName = try XCTUnwrap(html.range(of: ">Grinder<"))
        let senchaName = try XCTUnwrap(html.range(of: ">Sencha<"))
        XCTAssertLessThan(assam.lowerBound, grinderName.lowerBound, "products are ordered by name")
        XCTAssertLessThan(grinderName.lowerBound, senchaName.lowerBound)
        XCTAssertFalse(html.contains("Hidden Decaf"), "unavailable products are not listed")
        XCTAssertTrue(html.contains("$1,299.00"))
        XCTAssertTrue(html.contains("$0.10"))
        XCTAssertTrue(html.contains("id=\"cart-summary\""))
        XCTAssertEqual(response.header("Content-Type"), "text/html; charset=utf-8")
    }

    func testNamesAreEscaped() {
        let html = browser.get("/").bodyText
        XCTAssertTrue(html.contains("Assam &lt;b&gt;Bold&lt;/b&gt; &amp; &quot;Strong&quot;"))
        XCTAssertFalse(html.contains("<b>Bold</b>"))
    }

    func testImagesAndPlaceholder() {
        let html = browser.get("/").bodyText
        XCTAssertTrue(html.contains("src=\"/media/products/sencha.png\""))
        XCTAssertTrue(html.contains("src=\"/static/img/no_image.png\""))
    }

    func testCategoryPageShowsOnlyItsAvailableProducts() {
        let response = browser.get("/coffee/")
        XCTAssertEqual(response.status, 200)
        let html = response.bodyText
        XCTAssertTrue(html.contains(">Grinder<"))
        XCTAssertFalse(html.contains(">Sencha<"))
        XCTAssertFalse(html.contains("Hidden Decaf"))
        XCTAssertTrue(html.contains("<h1>Coffee</h1>"))
    }

    func testUnknownCategoryIs404Page() {
        let response = browser.get("/no-such-category/")
        XCTAssertEqual(response.status, 404)
        XCTAssertTrue(response.bodyText.contains("404"))
        XCTAssertTrue(response.bodyText.contains("id=\"cart-summary\""), "the 404 page uses the layout")
    }

    func testProductDetailHasAddToCartForm() throws {
        let response = browser.get("/\(sencha)/sencha/")
        XCTAssertEqual(response.status, 200)
        let html = response.bodyText
        XCTAssertTrue(html.contains("<h1>Sencha</h1>"))
        XCTAssertTrue(html.contains("$8.50"))
        XCTAssertTrue(html.contains("action=\"/cart/add/\(sencha)/\""))
        XCTAssertTrue(html.contains("method=\"post\""))
        XCTAssertTrue(html.contains("<select name=\"quantity\""))
        for quantity in [1, 20] { XCTAssertTrue(html.contains("<option value=\"\(quantity)\"")) }
        XCTAssertFalse(html.contains("<option value=\"21\""))
        XCTAssertFalse(html.contains("<option value=\"0\""))
        XCTAssertTrue(html.contains("name=\"override\" value=\"False\""))
        let token = try XCTUnwrap(Browser.csrfToken(in: html))
        XCTAssertEqual(token.count, 64)
        XCTAssertNotNil(browser.cookies["csrftoken"], "a page with a form sets the CSRF cookie")
        XCTAssertTrue(html.contains("<p>Steep briefly.</p>"))
    }

    func testProduct404s() {
        XCTAssertEqual(browser.get("/\(sencha)/wrong-slug/").status, 404, "slug must match")
        XCTAssertEqual(browser.get("/\(hidden)/hidden-decaf/").status, 404, "unavailable")
        XCTAssertEqual(browser.get("/999999/sencha/").status, 404, "unknown id")
        XCTAssertEqual(browser.get("/99999999999999999999999/x/").status, 404, "id out of range")
        XCTAssertEqual(browser.get("/a/b/c/d/").status, 404)
    }

    func testBrowsingCreatesNoSessionAndNoCookies() {
        let response = browser.get("/")
        XCTAssertTrue(response.headers(named: "Set-Cookie").isEmpty)
        XCTAssertEqual(try database.scalar("SELECT count(*) FROM django_session", as: Int.self), 0)
    }

    func testMissingSlashRedirectsLikeDjango() {
        let response = browser.get("/tea")
        XCTAssertEqual(response.status, 301)
        XCTAssertEqual(response.header("Location"), "/tea/")
    }

    func testHeadHasNoBodyButTheLengthOfTheGet() {
        let page = browser.get("/")
        let response = browser.send("HEAD", "/", headers: [:], body: [])
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.body.isEmpty)
        XCTAssertGreaterThan(page.body.count, 1000)
        XCTAssertEqual(response.header("Content-Length"), String(page.body.count), "as Django's CommonMiddleware")
    }

    func testResponsesSayTheirLengthAsDjangos() {
        let page = browser.get("/tea/")
        XCTAssertEqual(page.headers(named: "Content-Length"), [String(page.body.count)])
        let missing = browser.get("/999999/sencha/")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.header("Content-Length"), String(missing.body.count))
        let redirect = browser.get("/tea")
        XCTAssertEqual(redirect.status, 301)
        XCTAssertEqual(redirect.header("Content-Length"), String(redirect.body.count))
    }

    func testWrongMethodIs405() {
        let response = browser.send("DELETE", "/", headers: [:], body: [])
        XCTAssertEqual(response.status, 405)
        XCTAssertEqual(response.header("Allow"), "GET, HEAD")
        XCTAssertEqual(browser.post("/tea/", form: [("csrfmiddlewaretoken", "x")]).status, 405)
    }

    func testDisallowedHostIs400() {
        let response = browser.get("/", headers: ["host": "evil.example"])
        XCTAssertEqual(response.status, 400)
        XCTAssertEqual(browser.get("/", headers: ["host": "evil.example:8000"]).status, 400)
        XCTAssertEqual(browser.get("/", headers: ["host": ":8000"]).status, 400, "a port is no host")
        XCTAssertEqual(browser.get("/", headers: ["host": "127.0.0.1:8000"]).status, 200, "the port is not the host")
    }

    func testHealthAnswersOk() {
        let response = browser.get("/-/health")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.bodyText, "ok")
    }

    func testHealthIs503WhenDatabaseIsUnreachable() throws {
        let down = InProcessBrowser(try TestApplication.make { $0.databaseURL = "postgresql://postgres@127.0.0.1:1/nothing?connect_timeout=2" })
        XCTAssertEqual(down.get("/-/health").status, 503)
        let page = down.get("/")
        XCTAssertEqual(page.status, 503, "a catalog page is a 503, not a 500, while the database is down")
    }

    func testDebugShowsSQLQueriesAtTheFoot() throws {
        let debug = InProcessBrowser(try TestApplication.make { $0.debug = true })
        let html = debug.get("/").bodyText
        XCTAssertTrue(html.contains("id=\"sql-queries\""))
        XCTAssertTrue(html.contains("FROM shop_product"))
        XCTAssertFalse(browser.get("/").bodyText.contains("id=\"sql-queries\""))
    }

    /// Django's rule: the SQL footer only for clients in INTERNAL_IPS (default 127.0.0.1, ::1).
    func testTheSQLFooterIsOnlyForInternalIPs() throws {
        let debugApp = try TestApplication.make { $0.debug = true }
        defer { debugApp.services.database.close() }
        func page(from address: String) -> String {
            debugApp.handle(Request(path: "/", headers: ["host": "localhost"], remoteAddress: address)).bodyText
        }
        XCTAssertTrue(page(from: "127.0.0.1").contains("id=\"sql-queries\""))
        XCTAssertTrue(page(from: "::1").contains("id=\"sql-queries\""))
        for outsider in ["203.0.113.9", "127.0.0.2", "10.0.0.1", ""] {
            let html = page(from: outsider)
            XCTAssertFalse(html.contains("id=\"sql-queries\""), outsider)
            XCTAssertFalse(html.contains("FROM shop_product"), outsider)
        }
        let office = try TestApplication.make { $0.debug = true; $0.internalIPs = ["203.0.113.9"] }
        defer { office.services.database.close() }
        XCTAssertTrue(office.handle(Request(path: "/", headers: ["host": "localhost"], remoteAddress: "203.0.113.9")).bodyText.contains("id=\"sql-queries\""))
        XCTAssertFalse(office.handle(Request(path: "/", headers: ["host": "localhost"], remoteAddress: "127.0.0.1")).bodyText.contains("id=\"sql-queries\""))
    }

    // MARK: The worker's catalog cache

    func sqlStatements(_ html: String) -> [String] {
        html.components(separatedBy: "<li><code>").dropFirst().map { String($0.prefix { $0 != "<" }) }
    }

    func testWarmCatalogPagesRunOnlyTheVersionCheck() throws {
        let debug = InProcessBrowser(try TestApplication.make { $0.debug = true })
        for path in ["/", "/tea/", "/\(sencha)/sencha/"] {
            _ = debug.get(path)  // each page and product is loaded when first shown
            let statements = sqlStatements(debug.get(path).bodyText)
            XCTAssertEqual(statements.count, 1, "\(path): \(statements)")
            XCTAssertTrue(statements.first?.contains("shop_catalog_version") ?? false, "\(path): \(statements)")
        }
    }

    func testAnyWriteToTheCatalogShowsOnTheVeryNextRequest() throws {
        XCTAssertTrue(browser.get("/").bodyText.contains("$8.50"))  // warm the worker's cache
        // Writes by another connection, as an admin or an import script would make them.
        try database.execute("UPDATE shop_product SET price = 9.25 WHERE id = $1", [sencha])
        XCTAssertTrue(browser.get("/").bodyText.contains("$9.25"))
        XCTAssertTrue(browser.get("/\(sencha)/sencha/").bodyText.contains("$9.25"))

        try database.execute("UPDATE shop_product SET available = false WHERE id = $1", [sencha])
        XCTAssertFalse(browser.get("/").bodyText.contains(">Sencha<"))
        XCTAssertEqual(browser.get("/\(sencha)/sencha/").status, 404)

        try database.execute("UPDATE shop_product SET available = true WHERE id = $1", [hidden])
        XCTAssertEqual(browser.get("/\(hidden)/hidden-decaf/").status, 200)

        try database.execute("UPDATE shop_category SET name = 'Fine Coffee', slug = 'fine-coffee' WHERE id = $1", [coffee])
        XCTAssertEqual(browser.get("/coffee/").status, 404)
        XCTAssertTrue(browser.get("/fine-coffee/").bodyText.contains("<h1>Fine Coffee</h1>"))

        try CatalogFixture(database: database).product("Oolong", slug: "oolong", category: tea, price: "5.00")
        XCTAssertTrue(browser.get("/tea/").bodyText.contains(">Oolong<"))

        try database.execute("DELETE FROM shop_product WHERE id = $1", [grinder])
        XCTAssertFalse(browser.get("/").bodyText.contains(">Grinder<"))

        try database.execute("TRUNCATE shop_product CASCADE")
        XCTAssertTrue(browser.get("/").bodyText.contains("No products here yet"))
    }

    // MARK: Kept page parts (PageFragments)

    func testKeptCatalogPartsLeaveEachVisitorTheirOwnTokenAndCart() throws {
        let path = "/\(sencha)/sencha/"
        let first = browser.get(path).bodyText
        let second = browser.get(path).bodyText
        let firstToken = try XCTUnwrap(Browser.csrfToken(in: first)), secondToken = try XCTUnwrap(Browser.csrfToken(in: second))
        XCTAssertNotEqual(firstToken, secondToken, "each response masks the token afresh, kept part or not")
        XCTAssertEqual(second.matches(of: /csrf-/).count, 0, "no stand-in is left on the page")
        // The token a kept page carries is this visitor's: the add it posts goes through.
        XCTAssertEqual(browser.post("/cart/add/\(sencha)/", form: [(CSRF.formField, secondToken), ("quantity", "2")]).status, 302)
        XCTAssertTrue(browser.get(path).bodyText.contains("<span class=\"cart-count\">2</span> items"))
        XCTAssertTrue(browser.get("/").bodyText.contains("<span class=\"cart-count\">2</span> items"))

        // Another visitor gets the same kept parts with their own layout: no cart, their own token.
        let stranger = InProcessBrowser(browser.application)
        let theirs = stranger.get(path).bodyText
        XCTAssertTrue(theirs.contains("Your cart is empty."))
        XCTAssertTrue(stranger.get("/").bodyText.contains("Your cart is empty."))
        XCTAssertEqual(stranger.post("/cart/add/\(sencha)/", form: [(CSRF.formField, secondToken), ("quantity", "1")]).status, 403,
                       "the first visitor's token is not the stranger's")
        XCTAssertEqual(stranger.post("/cart/add/\(sencha)/", form: [(CSRF.formField, try XCTUnwrap(Browser.csrfToken(in: theirs))),
                                                                  ("quantity", "1")]).status, 302)
    }

    func testKeptCatalogPartsFollowEveryWrite() throws {
        let path = "/\(sencha)/sencha/"
        for page in [path, "/", "/tea/"] { XCTAssertEqual(browser.get(page).status, 200) }  // kept now
        try database.execute("UPDATE shop_product SET price = 7.75, description = 'Now roasted.' WHERE id = $1", [sencha])
        let product = browser.get(path).bodyText
        XCTAssertTrue(product.contains("$7.75"))
        XCTAssertTrue(product.contains("<p>Now roasted.</p>"))
        XCTAssertFalse(product.contains("Steep briefly."))
        XCTAssertTrue(browser.get("/").bodyText.contains("$7.75"))
        XCTAssertTrue(browser.get("/tea/").bodyText.contains("$7.75"))
        try database.execute("UPDATE shop_category SET name = 'Green tea' WHERE id = $1", [tea])
        XCTAssertTrue(browser.get("/").bodyText.contains(">Green tea</a>"))
    }
}
