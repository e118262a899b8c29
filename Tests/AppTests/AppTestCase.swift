import Foundation
import Postgres
import TestSupport
import Web
import XCTest

/// Base class of the in-process view tests: a fresh schema per test, the
/// real Application (`Site.makeApplication`) over the real templates, a small
/// catalog, and browsers that keep cookies.
class AppTestCase: XCTestCase {
    private(set) var database: PostgresConnection!
    var app: Application!
    private var applications: [Application] = []
    private(set) var categoryID = 0
    /// A product for pages with a form (the browsers fetch their CSRF token there).
    private(set) var teaID = 0

    override func setUpWithError() throws {
        try super.setUpWithError()
        database = try TestDatabase.reset()
        app = try makeApplication()
        categoryID = try XCTUnwrap(database.scalar(
            "INSERT INTO shop_category (name, slug) VALUES ('Tea', 'tea') RETURNING id", as: Int.self))
        teaID = try makeProduct("Green Tea", price: "8.50")
    }

    override func tearDown() {
        for application in applications { application.services.database.close() }
        applications.removeAll()
        app = nil
        database?.close()
        database = nil
        super.tearDown()
    }

    /// Another worker's Application (its own connection and session cache), with DEBUG on (Settings' default).
    func makeApplication(sessionSeat: SessionChangeBoard.Seat? = nil, _ configure: (inout Settings) -> Void = { _ in }) throws -> Application {
        let application = try TestApplication.make(sessionSeat: sessionSeat) { settings in
            settings.debug = true
            configure(&settings)
        }
        applications.append(application)
        return application
    }

    func browser(_ application: Application? = nil) -> InProcessBrowser {
        InProcessBrowser(application ?? app, formPage: "/\(teaID)/green-tea/")
    }

    // MARK: Fixtures

    @discardableResult
    func makeProduct(_ name: String, price: String, available: Bool = true) throws -> Int {
        let slug = name.lowercased().replacingOccurrences(of: " ", with: "-")
        return try XCTUnwrap(database.scalar("""
            INSERT INTO shop_product (category_id, name, slug, price, available) VALUES ($1, $2, $3, $4::numeric, $5)
            RETURNING id
            """, [categoryID, name, slug, price, available], as: Int.self))
    }

    func setPrice(_ productID: Int, _ price: String) throws {
        try database.execute("UPDATE shop_product SET price = $2::numeric WHERE id = $1", [productID, price])
    }

    func setAvailable(_ productID: Int, _ available: Bool) throws {
        try database.execute("UPDATE shop_product SET available = $2 WHERE id = $1", [productID, available])
    }

    func orderCount() throws -> Int { try database.scalar("SELECT count(*) FROM orders_order", as: Int.self) ?? -1 }
    func itemCount() throws -> Int { try database.scalar("SELECT count(*) FROM orders_orderitem", as: Int.self) ?? -1 }

    // MARK: Assertions

    /// Adds through the view and checks the redirect.
    func add(_ browser: InProcessBrowser, _ productID: Int, quantity: Int, override: Bool = false,
             file: StaticString = #filePath, line: UInt = #line) {
        let response = browser.post("/cart/add/\(productID)/", ["quantity": "\(quantity)", "override": override ? "True" : "False"])
        XCTAssertEqual(response.status, 302, response.bodyText, file: file, line: line)
        XCTAssertEqual(response.header("Location"), "/cart/", file: file, line: line)
    }

    /// The cart page's lines: product id → quantity, from the `data-` hooks.
    func cartLines(_ browser: InProcessBrowser, file: StaticString = #filePath, line: UInt = #line) -> [Int: Int] {
        let page = browser.get("/cart/")
        XCTAssertEqual(page.status, 200, file: file, line: line)
        return CartPage.lines(in: page.bodyText)
    }

    /// The text of the element with `id`.
    static func element(_ id: String, in html: String) -> String? {
        guard let range = html.range(of: "id=\"\(id)\"") else { return nil }
        let rest = html[range.upperBound...]
        guard let start = rest.firstIndex(of: ">"), let end = rest[start...].firstIndex(of: "<") else { return nil }
        return String(rest[rest.index(after: start)..<end])
    }
}
