import Foundation
import TestSupport
import Web
import XCTest

/// What a session costs on the shop's pages with `cached_db` (the default), now
/// that the server, not the version cookie, decides what the cache may serve.
final class SessionCostTests: AppTestCase {
    /// A warm page with a session runs only the catalog's version check. A cached
    /// session is trusted once the worker holds every notification committed
    /// before the request arrived: free when the page already asked PostgreSQL
    /// something, and every catalog page asks for the catalog's version before it
    /// reads the session (`/cart/` too), so each costs one round trip.
    func testAWarmPageWithASessionRunsOnlyTheCatalogCheck() throws {
        let shopper = browser()
        XCTAssertEqual(shopper.post("/cart/add/\(teaID)/", ["quantity": "2"]).status, 302)
        let database = app.services.database
        for (path, roundTrips) in [("/", 1), ("/cart/", 1), ("/\(teaID)/green-tea/", 1)] {
            XCTAssertEqual(shopper.get(path).status, 200)
            let before = database.idleReplyCount
            let page = shopper.get(path)
            XCTAssertEqual(page.status, 200)
            XCTAssertTrue(page.bodyText.contains("Green Tea"), path)
            XCTAssertEqual(app.statementCount, 1, "\(path): \(database.log.entries.map(\.sql))")
            XCTAssertEqual(database.idleReplyCount - before, roundTrips, "\(path): round trips to PostgreSQL")
        }
    }

    /// An add to the cart changes nothing but the session (`ViewEffects.sessionOnly`), so it
    /// takes no lock and runs speculatively: the cached session and the worker's catalog are
    /// taken on trust, and its one statement, the conditional save, checks both.
    func testAnAddToTheCartRunsOneStatement() throws {
        let shopper = browser()
        XCTAssertEqual(shopper.post("/cart/add/\(teaID)/", ["quantity": "1"]).status, 302)
        XCTAssertEqual(shopper.post("/cart/add/\(teaID)/", ["quantity": "1"]).status, 302)
        let statements = app.services.database.log.entries.map(\.sql)
        XCTAssertEqual(statements.count, 1, "\(statements)")
        XCTAssertTrue(statements[0].contains("UPDATE django_session"), "\(statements)")
        XCTAssertTrue(statements[0].contains("shop_catalog_version"), "\(statements)")
        XCTAssertFalse(statements.contains { $0.contains("pg_advisory_lock") || $0.contains("SELECT session_data") }, "\(statements)")
        XCTAssertEqual(cartLines(shopper), [teaID: 2])
    }

    /// Checkout may not run twice, so it holds the session's lock from the load to the save.
    func testACheckoutHoldsTheSessionsLock() throws {
        let shopper = browser()
        XCTAssertEqual(shopper.post("/cart/add/\(teaID)/", ["quantity": "1"]).status, 302)
        let created = shopper.post("/orders/create/", ["first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
                                                       "address": "12 St James's Square", "postal_code": "SW1Y 4JH", "city": "London"])
        XCTAssertEqual(created.status, 302, created.bodyText)
        let statements = app.services.database.log.entries.map(\.sql)
        XCTAssertTrue(statements.contains { $0.contains("pg_advisory_lock") }, "\(statements)")
        XCTAssertTrue(statements.last?.contains("pg_advisory_unlock") ?? false, "\(statements)")
    }

    /// While another request holds the session's lock (a checkout about to save), an add is
    /// refused its save and runs again; its last attempt waits for the lock, then adds.
    func testAnAddWaitsOutARequestThatHoldsTheSessionsLock() throws {
        let shopper = browser()
        XCTAssertEqual(shopper.post("/cart/add/\(teaID)/", ["quantity": "1"]).status, 302)
        let key = try XCTUnwrap(shopper.cookies["sessionid"])
        try database.query("SELECT pg_advisory_lock(1936028531, hashtext($1))", [key])
        final class Job: @unchecked Sendable {
            let browser: InProcessBrowser
            var response: Response?
            init(_ browser: InProcessBrowser) { self.browser = browser }
        }
        let job = Job(shopper)
        let path = "/cart/add/\(teaID)/"
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            job.response = job.browser.post(path, ["quantity": "2"])
            finished.signal()
        }
        // Its last attempt waits for the lock.
        let deadline = Date().addingTimeInterval(10)
        while try database.scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", as: Int.self) == 0,
              Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        XCTAssertNil(job.response, "no add while another request holds the lock")
        try database.query("SELECT pg_advisory_unlock(1936028531, hashtext($1))", [key])
        XCTAssertEqual(finished.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(job.response?.status, 302)
        XCTAssertEqual(cartLines(shopper), [teaID: 3])
    }
}
