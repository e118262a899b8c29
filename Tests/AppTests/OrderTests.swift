import Dispatch
import Foundation
import Orders
import Postgres
import TestSupport
import Web
import XCTest

/// Checkout through the real Application: the form, validation like Django's
/// ModelForm, one transaction at current prices, the confirmation page and
/// its owner, double submits, hostile text, CSRF.
final class OrderTests: AppTestCase {
    static let valid: [(String, String)] = [
        ("first_name", "Ann"), ("last_name", "Smith"), ("email", "ann@example.com"),
        ("address", "1 Main Street"), ("postal_code", "12345"), ("city", "Springfield"),
    ]

    static func fields(_ changes: [String: String?]) -> [(String, String)] {
        valid.compactMap { name, value in
            guard let change = changes[name] else { return (name, value) }
            return change.map { (name, $0) }
        }
    }

    /// A shopper with 2 × Green Tea ($8.50) and 1 × Cup ($4.25) in the cart.
    func shopperWithCart() throws -> (InProcessBrowser, cup: Int) {
        let cup = try makeProduct("Cup", price: "4.25")
        let shopper = browser()
        add(shopper, teaID, quantity: 2)
        add(shopper, cup, quantity: 1)
        return (shopper, cup)
    }

    func orderID(from response: Response, file: StaticString = #filePath, line: UInt = #line) -> Int? {
        XCTAssertEqual(response.status, 302, response.bodyText, file: file, line: line)
        guard let location = response.header("Location"),
              let match = location.wholeMatch(of: /\/orders\/(\d+)\/created\//) else {
            XCTFail("redirect to \(response.header("Location") ?? "nowhere")", file: file, line: line)
            return nil
        }
        return Int(match.output.1)
    }

    /// The `<div class="field field-NAME">` block of the checkout form.
    static func fieldBlock(_ name: String, in html: String) -> String? {
        guard let start = html.range(of: "<div class=\"field field-\(name)\">"),
              let end = html[start.upperBound...].range(of: "</div>") else { return nil }
        return String(html[start.lowerBound..<end.upperBound])
    }

    // MARK: The form page

    func testAnEmptyCartRedirectsToTheCart() throws {
        let visitor = browser()
        XCTAssertEqual(visitor.get("/orders/create/").status, 302)
        XCTAssertEqual(visitor.get("/orders/create/").header("Location"), "/cart/")
        let post = visitor.post("/orders/create/", Self.valid)
        XCTAssertEqual(post.status, 302)
        XCTAssertEqual(post.header("Location"), "/cart/")
        XCTAssertEqual(try orderCount(), 0)
    }

    func testTheCheckoutPageShowsTheFormBesideTheCart() throws {
        let (shopper, cup) = try shopperWithCart()
        let page = shopper.get("/orders/create/")
        XCTAssertEqual(page.status, 200)
        let html = page.bodyText
        XCTAssertEqual(CartPage.lines(in: html), [teaID: 2, cup: 1])
        XCTAssertEqual(Self.element("order-total", in: html), "$21.25")
        XCTAssertTrue(html.contains("<form method=\"post\" action=\"/orders/create/\""))
        XCTAssertNotNil(html.firstMatch(of: /name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"/))
        for (name, label, type, length) in [("first_name", "First name", "text", 50), ("last_name", "Last name", "text", 50),
                                            ("email", "Email", "email", 254), ("address", "Address", "text", 250),
                                            ("postal_code", "Postal code", "text", 20), ("city", "City", "text", 100)] {
            XCTAssertTrue(html.contains("<label for=\"id_\(name)\">\(label):</label>"), name)
            XCTAssertTrue(html.contains("<input type=\"\(type)\" name=\"\(name)\" value=\"\" maxlength=\"\(length)\" required id=\"id_\(name)\">"), name)
        }
        XCTAssertFalse(html.contains("errorlist"))
    }

    // MARK: A valid checkout

    func testAValidCheckoutPlacesExactlyOneOrder() throws {
        let (shopper, cup) = try shopperWithCart()
        let response = shopper.post("/orders/create/", Self.valid)
        let id = try XCTUnwrap(orderID(from: response))

        XCTAssertEqual(try orderCount(), 1)
        let order = try XCTUnwrap(database.queryOne("SELECT * FROM orders_order WHERE id = $1", [id]))
        XCTAssertEqual(try order.get("first_name", as: String.self), "Ann")
        XCTAssertEqual(try order.get("last_name", as: String.self), "Smith")
        XCTAssertEqual(try order.get("email", as: String.self), "ann@example.com")
        XCTAssertEqual(try order.get("address", as: String.self), "1 Main Street")
        XCTAssertEqual(try order.get("postal_code", as: String.self), "12345")
        XCTAssertEqual(try order.get("city", as: String.self), "Springfield")
        XCTAssertEqual(try order.get("paid", as: Bool.self), false)
        let items = try database.query("SELECT product_id, price, quantity FROM orders_orderitem WHERE order_id = $1 ORDER BY product_id", [id])
        XCTAssertEqual(try items.map { try $0.get("product_id", as: Int.self) }, [teaID, cup])
        XCTAssertEqual(try items.map { try $0.get("price", as: Decimal.self) }, [Decimal(string: "8.50")!, Decimal(string: "4.25")!])
        XCTAssertEqual(try items.map { try $0.get("quantity", as: Int.self) }, [2, 1])
        XCTAssertEqual(try database.scalar("SELECT sum(price * quantity) FROM orders_orderitem WHERE order_id = $1", [id], as: Decimal.self),
                       Decimal(string: "21.25"))

        // The cart is empty now.
        XCTAssertEqual(cartLines(shopper), [:])
        XCTAssertTrue(shopper.get("/").bodyText.contains("Your cart is empty."))

        // The confirmation, for this session only.
        let confirmation = shopper.get("/orders/\(id)/created/")
        XCTAssertEqual(confirmation.status, 200)
        XCTAssertEqual(Self.element("order-number", in: confirmation.bodyText), "\(id)")
        XCTAssertEqual(Self.element("order-total", in: confirmation.bodyText), "$21.25")
        XCTAssertEqual(browser().get("/orders/\(id)/created/").status, 404)
        let otherShopper = browser()
        add(otherShopper, teaID, quantity: 1)
        XCTAssertEqual(otherShopper.get("/orders/\(id)/created/").status, 404)
        XCTAssertEqual(shopper.get("/orders/\(id + 1)/created/").status, 404)
        XCTAssertEqual(shopper.get("/orders/99999999999999/created/").status, 404)
    }

    func testARefreshOrASecondPostNeverMakesASecondOrder() throws {
        let (shopper, _) = try shopperWithCart()
        let id = try XCTUnwrap(orderID(from: shopper.post("/orders/create/", Self.valid)))
        // The browser resubmits the same form: the cart is empty now.
        let again = shopper.post("/orders/create/", Self.valid)
        XCTAssertEqual(again.status, 302)
        XCTAssertEqual(again.header("Location"), "/cart/")
        // Refreshing the confirmation is harmless.
        XCTAssertEqual(shopper.get("/orders/\(id)/created/").status, 200)
        XCTAssertEqual(shopper.get("/orders/\(id)/created/").status, 200)
        XCTAssertEqual(try orderCount(), 1)
        XCTAssertEqual(try itemCount(), 2)
    }

    func testAReplayedCartCannotBecomeASecondOrder() throws {
        // With signed-cookie sessions the cart lives in the cookie, so an old
        // cookie still holds the full cart: the checkout token stops it.
        let cookieApp = try makeApplication { $0.sessionEngine = .signedCookies }
        let shopper = browser(cookieApp)
        add(shopper, teaID, quantity: 2)
        let replay = shopper.copy()
        let id = try XCTUnwrap(orderID(from: shopper.post("/orders/create/", Self.valid)))
        // The old cookie's POST finds its order and says so, creating nothing.
        XCTAssertEqual(orderID(from: replay.post("/orders/create/", Self.valid)), id)
        XCTAssertEqual(try orderCount(), 1)
        XCTAssertEqual(try itemCount(), 1)
        XCTAssertEqual(replay.get("/orders/\(id)/created/").status, 200)
        XCTAssertEqual(cartLines(replay), [:])
        // A new cart in the same session is a new order.
        add(shopper, teaID, quantity: 1)
        XCTAssertNotEqual(orderID(from: shopper.post("/orders/create/", Self.valid)), id)
        XCTAssertEqual(try orderCount(), 2)
    }

    func testADoubleSubmitRacingOnTwoWorkersMakesOneOrder() throws {
        final class Worker: @unchecked Sendable {
            let browser: InProcessBrowser
            var response: Response?
            init(_ browser: InProcessBrowser) { self.browser = browser }
        }
        for round in 0..<8 {
            let shopper = browser()
            add(shopper, teaID, quantity: round + 1)
            _ = shopper.csrfToken()
            let workers = [Worker(shopper.copy(to: try makeApplication())), Worker(shopper.copy(to: try makeApplication()))]
            DispatchQueue.concurrentPerform(iterations: workers.count) { index in
                workers[index].response = workers[index].browser.post("/orders/create/", OrderTests.valid)
            }
            let locations = workers.compactMap { $0.response?.header("Location") }
            XCTAssertEqual(workers.map { $0.response?.status }, [302, 302])
            XCTAssertEqual(try orderCount(), round + 1, "round \(round): \(locations)")
            // The loser either saw the emptied cart or found the winner's order.
            let confirmations = Set(locations.filter { $0 != "/cart/" })
            XCTAssertEqual(confirmations.count, 1, "round \(round): \(locations)")
        }
        XCTAssertEqual(try itemCount(), 8)
    }

    // MARK: Validation

    func assertRefused(_ shopper: InProcessBrowser, _ fields: [(String, String)], errorIn field: String, _ message: String,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let response = shopper.post("/orders/create/", fields)
        XCTAssertEqual(response.status, 200, file: file, line: line)
        let html = response.bodyText
        let block = Self.fieldBlock(field, in: html) ?? ""
        XCTAssertTrue(block.contains("<ul class=\"errorlist\" id=\"id_\(field)_error\"><li>\(message)</li></ul>"), "\(field): \(block)", file: file, line: line)
        for other in OrderForm.fields.map(\.name) where other != field {
            XCTAssertFalse(Self.fieldBlock(other, in: html)?.contains("errorlist") ?? true, "\(other) has no error", file: file, line: line)
        }
        XCTAssertEqual(try orderCount(), 0, file: file, line: line)
        XCTAssertEqual(try itemCount(), 0, file: file, line: line)
    }

    func testEveryInvalidFieldIsShownBesideItAndNothingIsSaved() throws {
        let (shopper, cup) = try shopperWithCart()
        for field in OrderForm.fields {
            let maxLength = try XCTUnwrap(field.maxLength)
            try assertRefused(shopper, Self.fields([field.name: nil]), errorIn: field.name, "This field is required.")
            try assertRefused(shopper, Self.fields([field.name: ""]), errorIn: field.name, "This field is required.")
            try assertRefused(shopper, Self.fields([field.name: "  \t \n "]), errorIn: field.name, "This field is required.")
            let tooLong = field.widget == .email
                ? String(repeating: "a", count: maxLength - 11) + "@example.com"
                : String(repeating: "é", count: maxLength + 1)
            try assertRefused(shopper, Self.fields([field.name: tooLong]), errorIn: field.name,
                              "Ensure this value has at most \(maxLength) characters (it has \(maxLength + 1)).")
            try assertRefused(shopper, Self.fields([field.name: "a\u{0}b@example.com"]), errorIn: field.name, "Null characters are not allowed.")
        }
        for email in ["plainaddress", "ann@", "@example.com", "ann@example", "ann@@example.com", "ann smith@example.com",
                      "ann@example..com", "ann@-example.com", "ann@example-.com", "ann@example.c", "ann.@example.com",
                      ".ann@example.com", "ann..smith@example.com", "ann@exa mple.com", "ann@example.com.", "ann@[1.2.3]",
                      "ann@[256.1.1.1]", "ann@[::g]", "\"ann\"smith@example.com", "ann@example.com-",
                      "ann@" + String(repeating: "a", count: 64) + ".com"] {
            try assertRefused(shopper, Self.fields(["email": email]), errorIn: "email", "Enter a valid email address.")
        }
        // Still the same cart, and the whole form is shown again with the other input kept.
        let page = shopper.post("/orders/create/", Self.fields(["city": " "]))
        XCTAssertTrue(page.bodyText.contains("name=\"first_name\" value=\"Ann\""))
        XCTAssertTrue(page.bodyText.contains("name=\"email\" value=\"ann@example.com\""))
        XCTAssertEqual(CartPage.lines(in: page.bodyText), [teaID: 2, cup: 1])
        XCTAssertEqual(cartLines(shopper), [teaID: 2, cup: 1])
    }

    func testSeveralErrorsAtOnce() throws {
        let (shopper, _) = try shopperWithCart()
        let response = shopper.post("/orders/create/", [("first_name", ""), ("email", "nope")])
        XCTAssertEqual(response.status, 200)
        let html = response.bodyText
        XCTAssertEqual(html.matches(of: /class="errorlist"/).count, 6)
        XCTAssertTrue(Self.fieldBlock("email", in: html)!.contains("Enter a valid email address."))
        XCTAssertTrue(html.contains("name=\"email\" value=\"nope\""))
        XCTAssertEqual(try orderCount(), 0)
    }

    func testValidEmailsAndLimitsAreAccepted() throws {
        let emails = ["ann@localhost", "ann.smith+tea@mail.example.co.uk", "\"ann smith\"@example.com".replacingOccurrences(of: " ", with: "\\ "),
                      "\"<ann>\"@example.com", "ann@[127.0.0.1]", "ann@[::1]", "o'brien@example.com", "ann@bücher.de",
                      "ANN@EXAMPLE.COM", "a@b.cd", "ann@xn--bcher-kva.de", "ann@123.example.com"]
        for (index, email) in emails.enumerated() {
            let shopper = browser()
            add(shopper, teaID, quantity: 1)
            XCTAssertNotNil(orderID(from: shopper.post("/orders/create/", Self.fields(["email": email]))), email)
            XCTAssertEqual(try orderCount(), index + 1, email)
        }
        // Exactly the maximum lengths, in characters (not bytes), with the whitespace trimmed.
        let shopper = browser()
        add(shopper, teaID, quantity: 1)
        let longest: [String: String?] = [
            "first_name": "  " + String(repeating: "é", count: 50) + "  ", "last_name": String(repeating: "ß", count: 50),
            "email": String(repeating: "a", count: 64) + "@" + String(repeating: "b", count: 63) + "." + String(repeating: "c", count: 63) + "." + String(repeating: "d", count: 61),
            "address": String(repeating: "日", count: 250), "postal_code": String(repeating: "9", count: 20),
            "city": "\t" + String(repeating: "x", count: 100) + "\n",
        ]
        let id = try XCTUnwrap(orderID(from: shopper.post("/orders/create/", Self.fields(longest))))
        let row = try XCTUnwrap(database.queryOne("SELECT * FROM orders_order WHERE id = $1", [id]))
        XCTAssertEqual(try row.get("first_name", as: String.self), String(repeating: "é", count: 50))
        XCTAssertEqual(try row.get("city", as: String.self), String(repeating: "x", count: 100))
        XCTAssertEqual(try row.get("email", as: String.self).count, 254)
    }

    func testHostileTextIsStoredVerbatimAndShownEscaped() throws {
        let hostile: [String: String] = [
            "first_name": "O'Brien \"Bob\" <b>",
            "last_name": "</td><script>alert('x')</script>",
            "email": "\"<b>O'Brien;DROP_TABLE--</b>\"@example.com",
            "address": "1'); DROP TABLE orders_order; -- & <img src=x onerror=alert(1)>",
            "postal_code": "<'\";-->",
            "city": "Robert'); DELETE FROM shop_product;--",
        ]
        let (shopper, _) = try shopperWithCart()
        // Re-shown escaped when the form is refused.
        var refused = hostile
        refused["email"] = "<script>alert(1)</script>"
        let page = shopper.post("/orders/create/", OrderForm.fields.map { ($0.name, refused[$0.name]!) })
        XCTAssertEqual(page.status, 200)
        let html = page.bodyText
        XCTAssertFalse(html.contains("<script>"))
        XCTAssertFalse(html.contains("<img src=x"))
        XCTAssertTrue(html.contains("value=\"O&#39;Brien &quot;Bob&quot; &lt;b&gt;\""))
        XCTAssertTrue(html.contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;\""))
        XCTAssertTrue(html.contains("value=\"1&#39;); DROP TABLE orders_order; -- &amp; &lt;img src=x onerror=alert(1)&gt;\""))
        XCTAssertEqual(try orderCount(), 0)

        // Stored verbatim when valid.
        let id = try XCTUnwrap(orderID(from: shopper.post("/orders/create/", OrderForm.fields.map { ($0.name, hostile[$0.name]!) })))
        let row = try XCTUnwrap(database.queryOne("SELECT * FROM orders_order WHERE id = $1", [id]))
        for (name, value) in hostile {
            XCTAssertEqual(try row.get(name, as: String.self), value, name)
        }
        XCTAssertEqual(try database.scalar("SELECT count(*) FROM shop_product", as: Int.self), 2)
        let confirmation = shopper.get("/orders/\(id)/created/").bodyText
        XCTAssertFalse(confirmation.contains("<script>"))
        XCTAssertFalse(confirmation.contains("<b>"))
        XCTAssertTrue(confirmation.contains("&lt;/td&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        XCTAssertTrue(confirmation.contains("&quot;&lt;b&gt;O&#39;Brien;DROP_TABLE--&lt;/b&gt;&quot;@example.com"))
    }

    // MARK: Prices and availability at checkout

    func testThePriceChangedBetweenAddAndCheckoutIsTheNewPrice() throws {
        let (shopper, cup) = try shopperWithCart()
        try setPrice(teaID, "9.75")
        let page = shopper.get("/cart/").bodyText
        XCTAssertTrue(page.contains("<td class=\"num unit-price\">$9.75</td>"))
        XCTAssertEqual(CartPage.total(in: page), "$23.75")
        XCTAssertEqual(Self.element("order-total", in: shopper.get("/orders/create/").bodyText), "$23.75")
        try setPrice(cup, "5.00")
        let id = try XCTUnwrap(orderID(from: shopper.post("/orders/create/", Self.valid)))
        let prices = try database.query("SELECT price FROM orders_orderitem WHERE order_id = $1 ORDER BY product_id", [id])
            .map { try $0.get("price", as: Decimal.self) }
        XCTAssertEqual(prices, [Decimal(string: "9.75")!, Decimal(string: "5.00")!])
        XCTAssertEqual(Self.element("order-total", in: shopper.get("/orders/\(id)/created/").bodyText), "$24.50")
    }

    func testAProductMadeUnavailableBeforeCheckoutIsDroppedAndTheFormShownAgain() throws {
        let (shopper, cup) = try shopperWithCart()
        XCTAssertEqual(shopper.get("/orders/create/").status, 200)
        try setAvailable(cup, false)
        let response = shopper.post("/orders/create/", Self.valid)
        XCTAssertEqual(response.status, 200)
        let html = response.bodyText
        XCTAssertTrue(html.contains("“Cup” is no longer available and was removed from your cart."))
        XCTAssertEqual(CartPage.lines(in: html), [teaID: 2])
        XCTAssertTrue(html.contains("name=\"first_name\" value=\"Ann\""))
        XCTAssertEqual(try orderCount(), 0)
        // Confirmed by the shopper: the order holds what the page showed.
        let id = try XCTUnwrap(orderID(from: shopper.post("/orders/create/", Self.valid)))
        XCTAssertEqual(try database.scalar("SELECT count(*) FROM orders_orderitem WHERE order_id = $1", [id], as: Int.self), 1)
    }

    func testADeletedProductAtCheckoutIsDroppedAndAnEmptyCartGoesBack() throws {
        let shopper = browser()
        add(shopper, teaID, quantity: 1)
        try database.execute("DELETE FROM shop_product WHERE id = $1", [teaID])
        let response = shopper.post("/orders/create/", Self.valid)
        XCTAssertEqual(response.status, 302)
        XCTAssertEqual(response.header("Location"), "/cart/")
        XCTAssertTrue(shopper.get("/cart/").bodyText.contains("no longer sold"))
        XCTAssertEqual(try orderCount(), 0)
    }

    func testTheTransactionRechecksTheProducts() throws {
        // What the view does when a product changes between reading the cart
        // and the transaction: nothing saved, the products named.
        let cup = try makeProduct("Cup", price: "4.25")
        let store = OrderStore(database: database)
        let cleaned = Dictionary(uniqueKeysWithValues: Self.valid)
        try setAvailable(cup, false)
        XCTAssertEqual(try store.place(fields: cleaned, lines: [(teaID, 1), (cup, 2), (9_999, 1)], checkoutToken: "t1"),
                       .unavailable([(cup, "Cup"), (9_999, nil)]))
        XCTAssertEqual(try orderCount(), 0)
        XCTAssertFalse(database.isInTransaction)

        guard case .placed(let id) = try store.place(fields: cleaned, lines: [(teaID, 3)], checkoutToken: "t2") else {
            return XCTFail("not placed")
        }
        // The same token again (a double submit): the same order, nothing new.
        try setPrice(teaID, "1.00")
        XCTAssertEqual(try store.place(fields: cleaned, lines: [(teaID, 5)], checkoutToken: "t2"), .alreadyPlaced(orderID: id))
        XCTAssertEqual(try orderCount(), 1)
        XCTAssertEqual(try database.scalar("SELECT price FROM orders_orderitem", as: Decimal.self), Decimal(string: "8.50"))
    }

    func testUnavailableInsideTheCheckoutRaceShowsTheFormAgain() throws {
        // The product goes while the checkout transaction waits for its lock.
        let (shopper, cup) = try shopperWithCart()
        let admin = PostgresConnection(url: TestDatabase.url)
        defer { admin.close() }
        final class Job: @unchecked Sendable {
            let browser: InProcessBrowser
            var response: Response?
            init(_ browser: InProcessBrowser) { self.browser = browser }
        }
        let job = Job(shopper.copy(to: try makeApplication()))
        _ = job.browser.csrfToken()
        try admin.execute("BEGIN")
        try admin.execute("UPDATE shop_product SET available = false WHERE id = $1", [cup])
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            job.response = job.browser.post("/orders/create/", OrderTests.valid)
            finished.signal()
        }
        // Let the checkout read the cart (still available) and block on the row lock.
        let deadline = Date().addingTimeInterval(10)
        while try database.scalar("SELECT count(*) FROM pg_locks WHERE NOT granted", as: Int.self) == 0, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        try admin.execute("COMMIT")
        XCTAssertEqual(finished.wait(timeout: .now() + 10), .success)
        let response = try XCTUnwrap(job.response)
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.bodyText.contains("“Cup” is no longer available and was removed from your cart. Please check your order."))
        XCTAssertEqual(CartPage.lines(in: response.bodyText), [teaID: 2])
        XCTAssertEqual(try orderCount(), 0)
    }

    // MARK: Sessions, CSRF, SQL

    func testCSRFMissingIs403AndNothingChanges() throws {
        let (shopper, cup) = try shopperWithCart()
        XCTAssertEqual(shopper.post("/orders/create/", Self.valid, csrf: false).status, 403)
        XCTAssertEqual(try orderCount(), 0)
        XCTAssertEqual(cartLines(shopper), [teaID: 2, cup: 1])
    }

    /// The catalog's version check is the page's one round trip (it also proves the cached
    /// session current); an empty cart reads no products.
    func testTheContextProcessorReadsNoProductsForASessionWithAnEmptyCart() throws {
        let (shopper, _) = try shopperWithCart()
        let id = try XCTUnwrap(orderID(from: shopper.post("/orders/create/", Self.valid)))
        XCTAssertNotNil(shopper.cookies["sessionid"], "the session remembers the order")
        let database = app.services.database
        let before = database.idleReplyCount
        XCTAssertEqual(shopper.get("/cart/").status, 200)
        XCTAssertEqual(database.log.entries.map(\.sql), ["SELECT version, lists_version FROM shop_catalog_version"])
        XCTAssertEqual(database.idleReplyCount - before, 1, "one round trip")
        XCTAssertEqual(shopper.get("/orders/\(id)/created/").status, 200)
        XCTAssertFalse(app.services.database.log.entries.contains { $0.sql.contains("ANY(") })
    }

    func testTheSchema() throws {
        // Rows written by other tools: only the contract's columns.
        let id = try XCTUnwrap(database.scalar("""
            INSERT INTO orders_order (first_name, last_name, email, address, postal_code, city)
            VALUES ('a', 'b', 'c@d.ef', 'g', 'h', 'i') RETURNING id
            """, as: Int.self))
        try database.execute("INSERT INTO orders_orderitem (order_id, product_id, price, quantity) VALUES ($1, $2, 1.50, 1)", [id, teaID])
        XCTAssertThrowsError(try database.execute(
            "INSERT INTO orders_orderitem (order_id, product_id, price, quantity) VALUES ($1, $2, 1.50, 0)", [id, teaID])) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, "23514")
        }
        let indexes = try database.query("SELECT indexdef FROM pg_indexes WHERE tablename IN ('orders_order', 'orders_orderitem')")
            .map { try $0.get("indexdef", as: String.self) }
        XCTAssertTrue(indexes.contains { $0.contains("(created") }, indexes.description)
        XCTAssertTrue(indexes.contains { $0.contains("(order_id)") }, indexes.description)
        // Deleting the order deletes its items.
        try database.execute("DELETE FROM orders_order WHERE id = $1", [id])
        XCTAssertEqual(try itemCount(), 0)
    }
}
