import Foundation
import Postgres
import TestSupport
import XCTest

/// The shopper's whole journey through nginx and a real pool, and many shoppers at once.
final class ShopperJourneyTests: XCTestCase {
    var database: PostgresConnection!
    var pool: ShopServer!
    var nginx: NginxServer!
    var sencha = 0, matcha = 0, pot = 0

    override func setUpWithError() throws {
        database = try TestDatabase.reset()
        let fixture = CatalogFixture(database: database)
        let tea = try fixture.category("Tea", slug: "tea")
        sencha = try fixture.product("Sencha", slug: "sencha", category: tea, price: "8.50")
        matcha = try fixture.product("Matcha", slug: "matcha", category: tea, price: "24.00")
        pot = try fixture.product("Teapot", slug: "teapot", category: tea, price: "1299.99")
        pool = try ShopServer(workers: 2)
        nginx = try NginxServer(sockets: [pool.socketPath])
    }

    override func tearDown() {
        nginx?.stop()
        pool?.stop()
    }

    let address = [("first_name", "Ada"), ("last_name", "Lovelace"), ("email", "ada@example.com"),
                   ("address", "12 St James's Square"), ("postal_code", "SW1Y 4JH"), ("city", "London")]

    func testFullJourney() throws {
        let browser = Browser(port: nginx.port)
        XCTAssertEqual(try browser.get("/").status, 200)
        XCTAssertEqual(try browser.get("/tea/").status, 200)
        let detail = try browser.get("/\(sencha)/sencha/")
        XCTAssertEqual(detail.status, 200)
        XCTAssertNil(browser.cookies["sessionid"], "browsing creates no session")
        let token = try XCTUnwrap(Browser.csrfToken(in: detail.text))

        func add(_ id: Int, _ quantity: Int, override: Bool = false) throws {
            let response = try browser.post("/cart/add/\(id)/", form: [
                ("quantity", String(quantity)), ("override", override ? "True" : "False"), ("csrfmiddlewaretoken", token)])
            XCTAssertEqual(response.status, 302)
            XCTAssertEqual(response.header("Location"), "/cart/")
        }
        try add(sencha, 2)
        try add(sencha, 3)
        XCTAssertEqual(CartPage.lines(in: try browser.get("/cart/").text), [sencha: 5], "adding twice accumulates")
        try add(matcha, 1)
        try add(sencha, 2, override: true)
        var cart = try browser.get("/cart/")
        XCTAssertEqual(CartPage.lines(in: cart.text), [sencha: 2, matcha: 1], "override sets the line")
        XCTAssertEqual(CartPage.total(in: cart.text), "$41.00")
        let removed = try browser.post("/cart/remove/\(matcha)/", form: [("csrfmiddlewaretoken", token)])
        XCTAssertEqual(removed.status, 302)
        try add(pot, 1)
        cart = try browser.get("/cart/")
        XCTAssertEqual(CartPage.lines(in: cart.text), [sencha: 2, pot: 1])
        XCTAssertEqual(CartPage.total(in: cart.text), "$1,316.99")

        XCTAssertEqual(try browser.get("/orders/create/").status, 200)
        let invalid = try browser.post("/orders/create/", form: address.filter { $0.0 != "email" } + [("email", "not-an-address"), ("csrfmiddlewaretoken", token)])
        XCTAssertEqual(invalid.status, 200)
        XCTAssertTrue(invalid.text.contains("class=\"errorlist\""))
        XCTAssertTrue(invalid.text.contains("Lovelace"), "the shopper's input is kept")
        XCTAssertEqual(try database.scalar("SELECT count(*) FROM orders_order", as: Int.self), 0)

        let placed = try browser.post("/orders/create/", form: address + [("csrfmiddlewaretoken", token)])
        XCTAssertEqual(placed.status, 302)
        let location = try XCTUnwrap(placed.header("Location"))
        let orderID = try XCTUnwrap(try database.scalar("SELECT id FROM orders_order", as: Int.self))
        XCTAssertTrue(location.hasSuffix("/orders/\(orderID)/created/"), location)
        let confirmation = try browser.get("/orders/\(orderID)/created/")
        XCTAssertEqual(confirmation.status, 200)
        XCTAssertTrue(confirmation.text.contains("id=\"order-number\""))
        XCTAssertTrue(confirmation.text.contains("\(orderID)"))
        XCTAssertTrue(try browser.get("/cart/").text.contains("Your cart is empty"), "the cart is emptied")
        XCTAssertEqual(try database.scalar("SELECT sum(price * quantity)::text FROM orders_orderitem WHERE order_id = $1", [orderID], as: String.self), "1316.99")

        // Refreshing the confirmation or re-posting the form never makes a second order.
        XCTAssertEqual(try browser.get("/orders/\(orderID)/created/").status, 200)
        let again = try browser.post("/orders/create/", form: address + [("csrfmiddlewaretoken", token)])
        XCTAssertNotEqual(again.status, 500)
        XCTAssertEqual(try database.scalar("SELECT count(*) FROM orders_order", as: Int.self), 1)
        // Another visitor cannot see the confirmation.
        XCTAssertEqual(try Browser(port: nginx.port).get("/orders/\(orderID)/created/").status, 404)
    }

    func testTwentyConcurrentCheckoutsMakeExactlyTwentyOrders() throws {
        let port = nginx.port
        let shoppers = (0..<20).map { _ in Browser(port: port) }
        var tokens: [String] = []
        for (index, shopper) in shoppers.enumerated() {
            let token = try XCTUnwrap(Browser.csrfToken(in: try shopper.get("/\(sencha)/sencha/").text))
            tokens.append(token)
            _ = try shopper.post("/cart/add/\(sencha)/", form: [("quantity", String(index % 5 + 1)), ("override", "False"), ("csrfmiddlewaretoken", token)])
            _ = try shopper.post("/cart/add/\(matcha)/", form: [("quantity", "1"), ("override", "False"), ("csrfmiddlewaretoken", token)])
        }
        let statuses = StatusBox()
        let group = DispatchGroup()
        for (index, shopper) in shoppers.enumerated() {
            let form = address.map { ($0.0, $0.0 == "first_name" ? "Shopper\(index)" : $0.1) } + [("csrfmiddlewaretoken", tokens[index])]
            DispatchQueue.global().async(group: group) {
                let status = (try? shopper.post("/orders/create/", form: form).status) ?? -1
                statuses.append(status)
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 60), .success)
        XCTAssertEqual(statuses.values.sorted(), Array(repeating: 302, count: 20))
        XCTAssertEqual(try database.scalar("SELECT count(*) FROM orders_order", as: Int.self), 20)
        for index in 0..<20 {
            let row = try XCTUnwrap(try database.queryOne("""
                SELECT count(i.id) AS lines, sum(i.quantity) AS items, sum(i.price * i.quantity)::text AS total
                FROM orders_order o JOIN orders_orderitem i ON i.order_id = o.id WHERE o.first_name = $1
                """, ["Shopper\(index)"]))
            XCTAssertEqual(try row.get("lines", as: Int.self), 2)
            XCTAssertEqual(try row.get("items", as: Int.self), index % 5 + 2)
            let expected = Decimal(string: "8.50")! * Decimal(index % 5 + 1) + Decimal(string: "24.00")!
            XCTAssertEqual(Decimal(string: try row.get("total", as: String.self)), expected)
        }
    }

    func testHostileTextIsStoredVerbatimAndShownEscaped() throws {
        let browser = Browser(port: nginx.port)
        let token = try XCTUnwrap(Browser.csrfToken(in: try browser.get("/\(sencha)/sencha/").text))
        _ = try browser.post("/cart/add/\(sencha)/", form: [("quantity", "1"), ("override", "False"), ("csrfmiddlewaretoken", token)])
        let hostile = #"<script>alert("x")</script> O'Brien'); DROP TABLE orders_order; --"#
        let form = [("first_name", String(hostile.prefix(45))), ("last_name", "Ünïcødé 🍵"), ("email", "x@example.com"),
                    ("address", hostile), ("postal_code", "<b>1</b>"), ("city", "a\"b'c&d")]
        // First with an error (no email), so the page shows the input again.
        let shown = try browser.post("/orders/create/", form: form.filter { $0.0 != "email" } + [("csrfmiddlewaretoken", token)])
        XCTAssertEqual(shown.status, 200)
        XCTAssertFalse(shown.text.contains("<script>alert"), "input is escaped when shown again")
        XCTAssertTrue(shown.text.contains("&lt;script&gt;"))
        let placed = try browser.post("/orders/create/", form: form + [("csrfmiddlewaretoken", token)])
        XCTAssertEqual(placed.status, 302)
        let row = try XCTUnwrap(try database.queryOne("SELECT first_name, last_name, address, postal_code, city FROM orders_order"))
        XCTAssertEqual(try row.get("address", as: String.self), hostile)
        XCTAssertEqual(try row.get("first_name", as: String.self), String(hostile.prefix(45)))
        XCTAssertEqual(try row.get("last_name", as: String.self), "Ünïcødé 🍵")
        XCTAssertEqual(try row.get("postal_code", as: String.self), "<b>1</b>")
        XCTAssertEqual(try row.get("city", as: String.self), "a\"b'c&d")
    }
}

final class StatusBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Int] = []
    func append(_ value: Int) { lock.lock(); values.append(value); lock.unlock() }
}
