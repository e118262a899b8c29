import Foundation
import Postgres
import TestSupport
import Web
import XCTest

/// The cart app through the real Application: add, override, remove, the
/// cart page, current prices, products that leave the cart, CSRF, and the
/// context processor's cost.
final class CartTests: AppTestCase {
    func testAddRedirectsAndTheCartPageShowsTheLine() throws {
        let shopper = browser()
        add(shopper, teaID, quantity: 2)
        let page = shopper.get("/cart/")
        XCTAssertEqual(page.status, 200)
        let html = page.bodyText
        XCTAssertEqual(CartPage.lines(in: html), [teaID: 2])
        XCTAssertEqual(CartPage.total(in: html), "$17.00")
        XCTAssertTrue(html.contains(">Green Tea</a>"))
        XCTAssertTrue(html.contains("<td class=\"num unit-price\">$8.50</td>"))
        XCTAssertTrue(html.contains("<td class=\"num line-total\">$17.00</td>"))
        // The update form: posts override=True with the current quantity selected.
        XCTAssertTrue(html.contains("<form action=\"/cart/add/\(teaID)/\" method=\"post\" class=\"cart-update\">"))
        XCTAssertTrue(html.contains("<option value=\"2\" selected>2</option>"))
        XCTAssertTrue(html.contains("<option value=\"20\">20</option>"))
        XCTAssertFalse(html.contains("<option value=\"21\""))
        XCTAssertTrue(html.contains("<input type=\"hidden\" name=\"override\" value=\"True\">"))
        // The remove button, the checkout link and the way back.
        XCTAssertTrue(html.contains("<form action=\"/cart/remove/\(teaID)/\" method=\"post\" class=\"cart-remove\">"))
        XCTAssertTrue(html.contains("href=\"/orders/create/\""))
        XCTAssertTrue(html.contains("<a href=\"/\" class=\"button light\">Continue shopping</a>"))
        let tokens = html.matches(of: /name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"/).map { String($0.output.1) }
        XCTAssertEqual(tokens.count, 2)
        XCTAssertEqual(Set(tokens).count, 1, "one token per page, as Django's csrf_token")
        // A kept line carries this page's token: its update form posts.
        XCTAssertEqual(shopper.post("/cart/add/\(teaID)/", form: [(CSRF.formField, tokens[0]), ("quantity", "3"), ("override", "True")]).status, 302)
        XCTAssertEqual(cartLines(shopper), [teaID: 3])
        XCTAssertNotEqual(Browser.csrfToken(in: shopper.get("/cart/").bodyText), tokens[0], "masked afresh on the next page")
        // The layout's summary.
        XCTAssertTrue(html.contains("<span class=\"cart-count\">2</span> items"), html)
        XCTAssertTrue(html.contains("<span class=\"cart-summary-total\">$17.00</span>"))
    }

    func testEmptyCartSaysSo() {
        let page = browser().get("/cart/")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.bodyText.contains("Your cart is empty."))
        XCTAssertEqual(CartPage.lines(in: page.bodyText), [:])
        XCTAssertEqual(CartPage.total(in: page.bodyText), "$0.00")
        XCTAssertFalse(page.bodyText.contains("href=\"/orders/create/\""))
    }

    func testAddingTwiceAccumulates() {
        let shopper = browser()
        add(shopper, teaID, quantity: 2)
        add(shopper, teaID, quantity: 3)
        XCTAssertEqual(cartLines(shopper), [teaID: 5])
        // override=False said explicitly, or left out, accumulates too.
        XCTAssertEqual(shopper.post("/cart/add/\(teaID)/", ["quantity": "1"]).status, 302)
        XCTAssertEqual(cartLines(shopper), [teaID: 6])
    }

    func testOverrideSetsTheQuantity() {
        let shopper = browser()
        add(shopper, teaID, quantity: 7)
        add(shopper, teaID, quantity: 3, override: true)
        XCTAssertEqual(cartLines(shopper), [teaID: 3])
        XCTAssertEqual(shopper.post("/cart/add/\(teaID)/", ["quantity": "20", "override": "true"]).status, 302)
        XCTAssertEqual(cartLines(shopper), [teaID: 20])
        // override on a product not yet in the cart sets it.
        let other = browser()
        add(other, teaID, quantity: 4, override: true)
        XCTAssertEqual(cartLines(other), [teaID: 4])
    }

    func testEveryInvalidQuantityIs400AndTheCartIsUnchanged() throws {
        let shopper = browser()
        add(shopper, teaID, quantity: 2)
        let cookiesBefore = shopper.cookies
        let invalid = ["0", "21", "-1", "abc", "", "1.5", "99999999999999999999999", "9223372036854775807",
                       " 3", "3 ", "+3", "03", "1e1", "٣", "0x3"]
        for quantity in invalid {
            let response = shopper.post("/cart/add/\(teaID)/", ["quantity": quantity, "override": "False"])
            XCTAssertEqual(response.status, 400, "quantity \(quantity.debugDescription)")
            XCTAssertNil(response.header("Location"))
        }
        XCTAssertEqual(shopper.post("/cart/add/\(teaID)/", ["override": "False"]).status, 400, "missing quantity")
        XCTAssertEqual(shopper.post("/cart/add/\(teaID)/", [(String, String)]()).status, 400, "empty body")
        // With override=True too: nothing is set.
        XCTAssertEqual(shopper.post("/cart/add/\(teaID)/", ["quantity": "0", "override": "True"]).status, 400)
        XCTAssertEqual(shopper.cookies, cookiesBefore, "a refused add must not touch the session")
        XCTAssertEqual(cartLines(shopper), [teaID: 2])
    }

    func testInvalidOverrideIs400() {
        let shopper = browser()
        add(shopper, teaID, quantity: 2)
        for value in ["yes", "1", "0", "on", "Truee", "None"] {
            XCTAssertEqual(shopper.post("/cart/add/\(teaID)/", ["quantity": "5", "override": value]).status, 400, value)
        }
        XCTAssertEqual(cartLines(shopper), [teaID: 2])
    }

    func testUnknownAndUnavailableProductsAre404() throws {
        let shopper = browser()
        add(shopper, teaID, quantity: 1)
        let hidden = try makeProduct("Secret Tea", price: "3.00", available: false)
        for id in [9_999, hidden, 0, 99_999_999_999] {
            let response = shopper.post("/cart/add/\(id)/", ["quantity": "1", "override": "False"])
            XCTAssertEqual(response.status, 404, "product \(id)")
        }
        // Not an id at all: no route.
        XCTAssertEqual(shopper.post("/cart/add/abc/", ["quantity": "1"]).status, 404)
        XCTAssertEqual(cartLines(shopper), [teaID: 1])
    }

    func testAddingBeyondTheLineLimitIs400() {
        let shopper = browser()
        add(shopper, teaID, quantity: 20, override: true)
        for _ in 0..<49 { add(shopper, teaID, quantity: 20) }
        XCTAssertEqual(cartLines(shopper), [teaID: 1_000])
        XCTAssertEqual(shopper.post("/cart/add/\(teaID)/", ["quantity": "1"]).status, 400)
        XCTAssertEqual(cartLines(shopper), [teaID: 1_000])
        // A line above 20 keeps its quantity selected in the update form.
        XCTAssertTrue(shopper.get("/cart/").bodyText.contains("<option value=\"1000\" selected>1000</option>"))
    }

    func testRemove() throws {
        let shopper = browser()
        let cup = try makeProduct("Cup", price: "4.25")
        add(shopper, teaID, quantity: 2)
        add(shopper, cup, quantity: 1)
        XCTAssertEqual(cartLines(shopper), [teaID: 2, cup: 1])

        let response = shopper.post("/cart/remove/\(teaID)/", [(String, String)]())
        XCTAssertEqual(response.status, 302)
        XCTAssertEqual(response.header("Location"), "/cart/")
        XCTAssertEqual(cartLines(shopper), [cup: 1])
        // A product not in the cart: nothing to do; one that does not exist: 404.
        XCTAssertEqual(shopper.post("/cart/remove/\(teaID)/", [(String, String)]()).status, 302)
        XCTAssertEqual(shopper.post("/cart/remove/9999/", [(String, String)]()).status, 404)
        XCTAssertEqual(shopper.post("/cart/remove/99999999999/", [(String, String)]()).status, 404)
        XCTAssertEqual(shopper.post("/cart/remove/\(cup)/", [(String, String)]()).status, 302)
        XCTAssertEqual(cartLines(shopper), [:])
        XCTAssertTrue(shopper.get("/cart/").bodyText.contains("Your cart is empty."))
    }

    func testTotalsAreExact() throws {
        let shopper = browser()
        let dime = try makeProduct("Dime Candy", price: "0.10")
        let grinder = try makeProduct("Hand Coffee Grinder", price: "1299.00")
        let odd = try makeProduct("Odd", price: "0.07")
        add(shopper, dime, quantity: 3)
        add(shopper, grinder, quantity: 2)
        add(shopper, odd, quantity: 13)
        let html = shopper.get("/cart/").bodyText
        // 0.30 + 2598.00 + 0.91 = 2599.21, no floating point residue.
        XCTAssertEqual(CartPage.total(in: html), "$2,599.21")
        XCTAssertTrue(html.contains("<td class=\"num line-total\">$0.30</td>"))
        XCTAssertTrue(html.contains("<td class=\"num line-total\">$2,598.00</td>"))
        XCTAssertTrue(html.contains("<td class=\"num line-total\">$0.91</td>"))
        XCTAssertTrue(html.contains("<td class=\"num unit-price\">$1,299.00</td>"))
        XCTAssertTrue(html.contains("<span class=\"cart-count\">18</span> items"))
        // Lines in name order.
        let names = html.matches(of: /<td><a href="[^"]+">([^<]+)<\/a><\/td>/).map { String($0.output.1) }
        XCTAssertEqual(names, ["Dime Candy", "Hand Coffee Grinder", "Odd"])
    }

    func testOneItemIsSingular() {
        let shopper = browser()
        add(shopper, teaID, quantity: 1)
        let html = shopper.get("/").bodyText
        XCTAssertTrue(html.contains("<span class=\"cart-count\">1</span> item,"), html)
    }

    func testTheCartShowsTheCurrentPrice() throws {
        let shopper = browser()
        add(shopper, teaID, quantity: 2)
        // Seen once, so its line is kept rendered (PageFragments) when the price changes.
        XCTAssertTrue(shopper.get("/cart/").bodyText.contains("<td class=\"num unit-price\">$8.50</td>"))
        try setPrice(teaID, "9.25")
        let html = shopper.get("/cart/").bodyText
        XCTAssertTrue(html.contains("<td class=\"num unit-price\">$9.25</td>"))
        XCTAssertEqual(CartPage.total(in: html), "$18.50")
        XCTAssertTrue(shopper.get("/").bodyText.contains("<span class=\"cart-summary-total\">$18.50</span>"))
    }

    func testAProductMadeUnavailableLeavesTheCartWithAMessage() throws {
        let shopper = browser()
        let cup = try makeProduct("Porcelain Cup", price: "9.00")
        add(shopper, teaID, quantity: 2)
        add(shopper, cup, quantity: 1)
        try setAvailable(cup, false)

        let html = shopper.get("/cart/").bodyText
        XCTAssertEqual(CartPage.lines(in: html), [teaID: 2])
        XCTAssertTrue(html.contains("<li class=\"warning\">“Porcelain Cup” is no longer available and was removed from your cart.</li>"), html)
        XCTAssertEqual(CartPage.total(in: html), "$17.00")
        // Shown once; the line stays gone even when the product comes back.
        try setAvailable(cup, true)
        let again = shopper.get("/cart/").bodyText
        XCTAssertFalse(again.contains("no longer available"))
        XCTAssertEqual(CartPage.lines(in: again), [teaID: 2])
    }

    func testADeletedProductLeavesTheCartWithAMessageOnAnyPage() throws {
        let shopper = browser()
        let cup = try makeProduct("Porcelain Cup", price: "9.00")
        add(shopper, teaID, quantity: 1)
        add(shopper, cup, quantity: 3)
        try database.execute("DELETE FROM shop_product WHERE id = $1", [cup])

        // The catalog page: the context processor finds it gone and says so on this page.
        let list = shopper.get("/").bodyText
        XCTAssertTrue(list.contains("A product in your cart is no longer sold and was removed from your cart."), list)
        XCTAssertTrue(list.contains("<span class=\"cart-count\">1</span> item,"))
        XCTAssertEqual(cartLines(shopper), [teaID: 1])
        XCTAssertFalse(shopper.get("/cart/").bodyText.contains("no longer sold"))
    }

    func testTheCartContextProcessorCostsNoSQLWhenTheCartIsEmpty() throws {
        // No session cookie: the cart page runs no statement at all.
        let visitor = browser()
        XCTAssertEqual(visitor.get("/cart/").status, 200)
        XCTAssertEqual(app.services.database.log.count, 0, app.services.database.log.entries.map(\.sql).description)
        // A 404 page renders the layout (and the cart summary) too.
        XCTAssertEqual(visitor.get("/no/such/page/").status, 404)
        XCTAssertEqual(app.services.database.log.count, 0)

        // A session whose cart was emptied: no products query.
        let shopper = browser()
        add(shopper, teaID, quantity: 1)
        shopper.post("/cart/remove/\(teaID)/", [(String, String)]())
        _ = shopper.csrfToken()
        XCTAssertEqual(shopper.get("/cart/").status, 200)
        let statements = app.services.database.log.entries.map(\.sql)
        XCTAssertFalse(statements.contains { $0.contains("shop_product") }, statements.description)

        // The catalog page's own queries only: the cart adds none.
        let list = shopper.get("/")
        XCTAssertTrue(list.bodyText.contains("Your cart is empty."))
        XCTAssertFalse(app.services.database.log.entries.contains { $0.sql.contains("ANY(") })

        // A non-empty cart reads current prices from the worker's catalog, checked against
        // its version once per request and shared by the view and the layout.
        add(shopper, teaID, quantity: 2)
        shopper.get("/cart/")
        let cartStatements = app.services.database.log.entries.map(\.sql)
        XCTAssertEqual(cartStatements.filter { $0.contains("shop_catalog_version") }.count, 1, cartStatements.description)
        XCTAssertFalse(cartStatements.contains { $0.contains("ANY(") }, cartStatements.description)
    }

    func testCSRFMissingOrWrongIs403AndChangesNothing() {
        let shopper = browser()
        add(shopper, teaID, quantity: 2)
        XCTAssertEqual(shopper.post("/cart/add/\(teaID)/", ["quantity": "5"], csrf: false).status, 403)
        XCTAssertEqual(shopper.post("/cart/add/\(teaID)/", ["csrfmiddlewaretoken": String(repeating: "a", count: 64), "quantity": "5"], csrf: false).status, 403)
        XCTAssertEqual(shopper.post("/cart/remove/\(teaID)/", [(String, String)](), csrf: false).status, 403)
        XCTAssertEqual(cartLines(shopper), [teaID: 2])

        // A visitor without any cookie.
        let stranger = browser()
        XCTAssertEqual(stranger.post("/cart/add/\(teaID)/", ["quantity": "1"], csrf: false).status, 403)
        XCTAssertNil(stranger.cookies["sessionid"])
    }

    func testTheCookieSecretIsAcceptedAsTheToken() {
        let shopper = browser()
        _ = shopper.csrfToken()
        let secret = shopper.cookies["csrftoken"]!
        XCTAssertEqual(shopper.post("/cart/add/\(teaID)/", ["csrfmiddlewaretoken": secret, "quantity": "4"], csrf: false).status, 302)
        XCTAssertEqual(cartLines(shopper), [teaID: 4])
    }

    func testCartsAreSeparatePerSession() {
        let ann = browser(), bob = browser()
        add(ann, teaID, quantity: 2)
        add(bob, teaID, quantity: 5)
        XCTAssertEqual(cartLines(ann), [teaID: 2])
        XCTAssertEqual(cartLines(bob), [teaID: 5])
    }

    func testTheCartFollowsTheSessionAcrossWorkers() throws {
        let shopper = browser()
        add(shopper, teaID, quantity: 2)
        let otherWorker = shopper.copy(to: try makeApplication())
        XCTAssertEqual(cartLines(otherWorker), [teaID: 2])
        add(otherWorker, teaID, quantity: 1)
        shopper.cookies = otherWorker.cookies
        XCTAssertEqual(cartLines(shopper), [teaID: 3])
    }
}
