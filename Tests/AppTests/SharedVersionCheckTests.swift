import Foundation
import TestSupport
import Web
import XCTest

/// Two workers of one pool sharing their catalog checks (`VersionCheckBoard`): a request takes
/// another worker's check only when that check was asked after the request reached nginx.
final class SharedVersionCheckTests: AppTestCase {
    var board: VersionCheckBoard!
    var other: Application!

    override func setUpWithError() throws {
        try super.setUpWithError()
        board = try XCTUnwrap(VersionCheckBoard())
        other = try makeApplication()
        app.services.versionChecks = board
        other.services.versionChecks = board
    }

    func nowMilliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// A GET as nginx hands it over, received by nginx at `received` (its `$msec`).
    func get(_ path: String, on application: Application, received: Int64?, cookie: String? = nil) -> Response {
        var request = Request(path: path, headers: cookie.map { ["host": "localhost", "cookie": $0] } ?? ["host": "localhost"])
        request.receivedMilliseconds = received
        return application.handle(request)
    }

    func testARequestTakesACheckAskedAfterItArrived() throws {
        XCTAssertEqual(get("/", on: other, received: nil).status, 200)  // their caches filled
        XCTAssertEqual(get("/\(teaID)/green-tea/", on: other, received: nil).status, 200)
        XCTAssertEqual(get("/", on: app, received: nil).status, 200)
        let arrived = nowMilliseconds()
        usleep(3_000)
        XCTAssertEqual(get("/", on: app, received: nil).status, 200)  // asked 3 ms after `arrived`
        XCTAssertEqual(app.statementCount, 1)
        let shared = try XCTUnwrap(board.latest())
        XCTAssertGreaterThan(shared.askedAt.wall, (arrived + 2) * 1_000_000)

        let page = get("/", on: other, received: arrived)
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.bodyText.contains("$8.50"))
        XCTAssertEqual(other.statementCount, 0, "\(other.services.database.log.entries.map(\.sql))")
        XCTAssertTrue(get("/\(teaID)/green-tea/", on: other, received: arrived).bodyText.contains("$8.50"))
        XCTAssertEqual(other.statementCount, 0)

        // A request that arrived after that check was asked asks again.
        XCTAssertEqual(get("/", on: other, received: nowMilliseconds()).status, 200)
        XCTAssertEqual(other.statementCount, 1)
    }

    /// The never-stale rule: a write committed before the request arrived shows, whatever was shared.
    func testAWriteCommittedBeforeTheRequestArrivedAlwaysShows() throws {
        for round in 1...20 {
            let price = "8.\(10 + round)"
            XCTAssertEqual(get("/", on: app, received: nowMilliseconds()).status, 200)  // shares a check
            XCTAssertEqual(get("/", on: other, received: nowMilliseconds()).status, 200)
            try database.execute("UPDATE shop_product SET price = $1::numeric WHERE id = $2", [price, teaID])
            let arrived = nowMilliseconds()
            let page = get("/", on: other, received: arrived)
            XCTAssertTrue(page.bodyText.contains("$\(price)"), "round \(round)")
            XCTAssertTrue(get("/\(teaID)/green-tea/", on: app, received: arrived).bodyText.contains("$\(price)"), "round \(round)")
        }
    }

    /// A request with a session cookie needs its cached session proved current as well: a check
    /// whose worker vouched for no session notification (these two workers are pools of their
    /// own, with no `SessionChangeBoard`) leaves it to ask itself, one reply proving both.
    func testARequestWithASessionAsksItselfWhenTheCheckVouchesForNoSession() throws {
        let shopper = browser(other)
        XCTAssertEqual(shopper.post("/cart/add/\(teaID)/", ["quantity": "1"]).status, 302)
        let sessionCookie = try XCTUnwrap(shopper.sessionCookie)
        XCTAssertEqual(get("/", on: other, received: nil).status, 200)  // its page cached
        XCTAssertEqual(get("/", on: app, received: nowMilliseconds() - 5).status, 200)
        XCTAssertEqual(board.latest()?.sessionsHeardSince, 0)
        let page = get("/", on: other, received: nowMilliseconds() - 5, cookie: "sessionid=\(sessionCookie)")
        XCTAssertTrue(page.bodyText.contains("Green Tea"))
        XCTAssertEqual(other.statementCount, 1, "\(other.services.database.log.entries.map(\.sql))")
    }

    /// Two workers of one pool (one `SessionChangeBoard`): a cart takes the other's check, which
    /// passed on the session notifications its reply brought, and makes no round trip. A session
    /// written by SQL (as Django writes it) shows all the same at the next request.
    func testACartTakesACheckWhoseWorkerPassedOnTheSessionNotifications() throws {
        let sessions = try XCTUnwrap(SessionChangeBoard(rings: 2))
        let first = try makeApplication(sessionSeat: sessions.seat(0))
        let second = try makeApplication(sessionSeat: sessions.seat(1))
        first.services.versionChecks = board
        second.services.versionChecks = board
        // Three sessions: the shopper's, and two whose data SQL copies into it (one tea, two teas).
        var keys: [String] = []
        for quantity in ["3", "1", "2"] {
            let shopper = browser(first)
            XCTAssertEqual(shopper.post("/cart/add/\(teaID)/", ["quantity": quantity]).status, 302)
            keys.append(try XCTUnwrap(shopper.sessionCookie))
        }
        let cookie = "sessionid=\(keys[0])"
        XCTAssertEqual(CartPage.lines(in: get("/cart/", on: second, received: nil, cookie: cookie).bodyText), [teaID: 3])

        for round in 1...10 {
            let source = keys[1 + round % 2]
            try database.execute("""
                UPDATE django_session SET session_data = (SELECT session_data FROM django_session WHERE session_key = $1)
                WHERE session_key = $2
                """, [source, keys[0]])
            let arrived = nowMilliseconds()
            usleep(2_000)
            XCTAssertEqual(get("/", on: first, received: nil).status, 200)  // asks, shares
            let replies = second.services.database.idleReplyCount
            let cart = get("/cart/", on: second, received: arrived, cookie: cookie)
            XCTAssertEqual(CartPage.lines(in: cart.bodyText), [teaID: 1 + round % 2], "round \(round)")
            XCTAssertEqual(second.statementCount, 1, "its dropped copy read again, nothing else: \(second.services.database.log.entries.map(\.sql))")
            XCTAssertEqual(second.services.database.idleReplyCount, replies + 1)
            // And with nothing written since, nothing at all.
            let again = nowMilliseconds()
            usleep(2_000)
            XCTAssertEqual(get("/", on: first, received: nil).status, 200)
            XCTAssertEqual(CartPage.lines(in: get("/cart/", on: second, received: again, cookie: cookie).bodyText), [teaID: 1 + round % 2])
            XCTAssertEqual(second.statementCount, 0, "\(second.services.database.log.entries.map(\.sql))")
            XCTAssertEqual(second.services.database.idleReplyCount, replies + 1, "no round trip")
        }
    }

    /// An engine that reads the session where it is kept needs no proof for a cached copy: with
    /// `db`, a request with a session cookie takes the shared check, and its one statement reads
    /// the session.
    func testWithTheDbEngineARequestWithASessionTakesTheCheck() throws {
        let first = try makeApplication { $0.sessionEngine = .database }
        let second = try makeApplication { $0.sessionEngine = .database }
        first.services.versionChecks = board
        second.services.versionChecks = board
        let shopper = browser(first)
        XCTAssertEqual(shopper.post("/cart/add/\(teaID)/", ["quantity": "1"]).status, 302)
        let cookie = "sessionid=\(try XCTUnwrap(shopper.sessionCookie))"
        XCTAssertEqual(get("/", on: second, received: nil, cookie: cookie).status, 200)  // its page cached
        let arrived = nowMilliseconds()
        usleep(2_000)
        XCTAssertEqual(get("/", on: first, received: nil).status, 200)  // asks, shares
        XCTAssertEqual(board.latest()?.sessionsHeardSince, 0)
        XCTAssertEqual(CartPage.lines(in: get("/cart/", on: second, received: arrived, cookie: cookie).bodyText), [teaID: 1])
        let statements = second.services.database.log.entries.map(\.sql)
        XCTAssertEqual(statements.count, 1, "\(statements)")
        XCTAssertTrue(statements.allSatisfy { $0.contains("django_session") }, "\(statements)")
    }

    /// A check inside an open transaction may read an older snapshot than its moment
    /// (REPEATABLE READ): it is not shared, and such a request takes none either.
    func testACheckInsideATransactionIsNotShared() throws {
        let database = app.services.database
        try database.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        XCTAssertEqual(get("/", on: app, received: nil).status, 200)
        XCTAssertNil(board.latest())
        try database.execute("COMMIT")
        XCTAssertEqual(get("/", on: other, received: nil).status, 200)
        let shared = try XCTUnwrap(board.latest())
        try database.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        XCTAssertEqual(get("/", on: app, received: nowMilliseconds() - 50).status, 200)
        XCTAssertEqual(app.statementCount, 1, "\(database.log.entries.map(\.sql))")
        try database.execute("COMMIT")
        XCTAssertEqual(board.latest(), shared)
    }

    /// Without nginx's time (another nginx configuration, a test) every request asks.
    func testARequestWithoutItsArrivalTimeAsks() throws {
        XCTAssertEqual(get("/", on: app, received: nil).status, 200)
        XCTAssertEqual(get("/", on: other, received: nil).status, 200)
        XCTAssertNotNil(board.latest())
        XCTAssertEqual(get("/", on: other, received: nil).status, 200)
        XCTAssertEqual(other.statementCount, 1)
    }
}
