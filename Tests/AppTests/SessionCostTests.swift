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

    /// An add to the cart holds the session's lock from its load to its save:
    /// the catalog check, lock, the conditional save, unlock. Its load is served
    /// from the cache (the lock's reply brought the notifications).
    func testAnAddToTheCartRunsFourStatements() throws {
        let shopper = browser()
        XCTAssertEqual(shopper.post("/cart/add/\(teaID)/", ["quantity": "1"]).status, 302)
        XCTAssertEqual(shopper.post("/cart/add/\(teaID)/", ["quantity": "1"]).status, 302)
        let statements = app.services.database.log.entries.map(\.sql)
        XCTAssertEqual(statements.count, 4, "\(statements)")
        XCTAssertTrue(statements[1].contains("pg_advisory_lock"), "\(statements)")
        XCTAssertTrue(statements[2].contains("UPDATE django_session"), "\(statements)")
        XCTAssertTrue(statements.last?.contains("pg_advisory_unlock") ?? false, "\(statements)")
        XCTAssertFalse(statements.contains { $0.contains("SELECT session_data") }, "\(statements)")
    }
}
