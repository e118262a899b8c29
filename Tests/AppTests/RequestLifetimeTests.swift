import Foundation
import TestSupport
import Web
import XCTest

/// A worker serves requests for its whole life, so nothing of a request may
/// outlive it: after `handle` returns, its context (and the session, CSRF and
/// messages it made) must be gone. A reference cycle between per-request
/// objects once leaked ~10 KB per rendered page (the cart held its context
/// while the context memoized the cart).
final class RequestLifetimeTests: AppTestCase {
    /// Weak references to what the last request made.
    private final class Tracker {
        weak var context: RequestContext?
        weak var session: Session?
        weak var messages: Messages?
        weak var csrf: CSRF?
        var seen = 0
    }

    private var tracker = Tracker()

    override func setUpWithError() throws {
        try super.setUpWithError()
        tracker = Tracker()
        let tracker = self.tracker
        app.contextCreated = { context in
            tracker.context = context
            tracker.session = context.session
            tracker.messages = context.messages
            tracker.csrf = context.csrf
            tracker.seen += 1
        }
    }

    /// Runs one request and checks that all it made is released once its response is out.
    /// (A redirect to add a slash, or a 405, is answered before any context is made.)
    private func assertReleased(_ label: String, makesContext: Bool = true, file: StaticString = #filePath,
                                line: UInt = #line, _ request: () -> Response) {
        let before = tracker.seen
        _ = request()
        XCTAssertEqual(tracker.seen > before, makesContext, "\(label): context made?", file: file, line: line)
        XCTAssertNil(tracker.context, "\(label): the RequestContext outlived its request", file: file, line: line)
        XCTAssertNil(tracker.session, "\(label): the Session outlived its request", file: file, line: line)
        XCTAssertNil(tracker.messages, "\(label): the Messages outlived their request", file: file, line: line)
        XCTAssertNil(tracker.csrf, "\(label): the CSRF state outlived its request", file: file, line: line)
    }

    /// Every kind of page, first without a session, then with one holding a cart.
    func testNothingOfARequestOutlivesIt() throws {
        let shopper = browser()
        let productPage = "/\(teaID)/green-tea/"
        for round in ["without a session", "with a session"] {
            assertReleased("catalog \(round)") { shopper.get("/") }
            assertReleased("category \(round)") { shopper.get("/tea/") }
            assertReleased("product \(round)") { shopper.get(productPage) }
            assertReleased("cart \(round)") { shopper.get("/cart/") }
            assertReleased("checkout form \(round)") { shopper.get("/orders/create/") }
            assertReleased("404 \(round)") { shopper.get("/no/such/page/") }
            assertReleased("append-slash redirect \(round)", makesContext: false) { shopper.get("/tea") }
            assertReleased("405 \(round)", makesContext: false) { shopper.post("/cart/", form: [:]) }
            assertReleased("CSRF 403 \(round)") { shopper.post("/cart/add/\(teaID)/", ["quantity": "1"], csrf: false) }
            assertReleased("health \(round)") { shopper.get("/-/health") }
            assertReleased("add to cart \(round)") { shopper.post("/cart/add/\(teaID)/", ["quantity": "2"]) }
            XCTAssertNotNil(shopper.sessionCookie, "the add made a session")
        }
        assertReleased("cart with lines") { shopper.get("/cart/") }
        assertReleased("bad add") { shopper.post("/cart/add/\(teaID)/", ["quantity": "zero"]) }
        assertReleased("invalid checkout") { shopper.post("/orders/create/", ["first_name": "Ada"]) }
        var created = ""
        assertReleased("checkout") {
            let response = shopper.post("/orders/create/", [
                "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
                "address": "12 St James's Square", "postal_code": "SW1Y 4JH", "city": "London",
            ])
            created = response.header("Location") ?? ""
            return response
        }
        XCTAssertTrue(created.hasSuffix("/created/"), created)
        assertReleased("confirmation") { shopper.get(created) }
        try setAvailable(teaID, false)
        assertReleased("add then drop an unavailable product") {
            try? setAvailable(teaID, true)
            shopper.post("/cart/add/\(teaID)/", ["quantity": "1"])
            try? setAvailable(teaID, false)
            return shopper.get("/cart/")
        }
        assertReleased("remove") { shopper.post("/cart/remove/\(teaID)/", [:]) }
    }
}
