import Foundation
@testable import Postgres
import XCTest

/// Reads wait for their reply by yielding before sleeping (`QuickReply`): whatever the
/// reply (many rows, an error, a dead backend), they must end as `PQexecPrepared` would.
final class QuickReplyTests: PostgresTestCase {
    func testOnlyStatementsThatStartWithSelectAreReads() {
        XCTAssertTrue(QuickReply.isRead("SELECT version, lists_version FROM shop_catalog_version"))
        XCTAssertTrue(QuickReply.isRead("SELECT pg_advisory_lock(1, 2)"))
        XCTAssertFalse(QuickReply.isRead("WITH saved AS (UPDATE django_session SET version = 1 RETURNING version) SELECT version FROM saved"))
        XCTAssertFalse(QuickReply.isRead("UPDATE shop_product SET price = $1"))
        XCTAssertFalse(QuickReply.isRead("INSERT INTO t VALUES ($1)"))
        XCTAssertFalse(QuickReply.isRead("SELECTED"))
    }

    func testAReplyLongerThanOneReadArrivesWhole() throws {
        let db = try makeConnection()
        // Some 2 MB of rows: many socket reads, some during the yields, the rest after.
        let rows = try db.query("SELECT n, repeat('x', 40) AS filler FROM generate_series(1, $1::int) AS n", [50_000])
        XCTAssertEqual(rows.count, 50_000)
        XCTAssertEqual(try rows.last?.get("n", as: Int.self), 50_000)
        XCTAssertEqual(try db.scalar("SELECT 2", as: Int.self), 2, "nothing left over for the next statement")
    }

    func testAFailingReadThrowsItsErrorAndLeavesTheConnectionUsable() throws {
        let db = try makeConnection()
        let pid = try db.scalar("SELECT pg_backend_pid()", as: Int32.self)
        XCTAssertThrowsError(try db.query("SELECT 1 / $1::int", [0])) { error in
            guard let error = error as? PostgresError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.kind, .query, "\(error)")
            XCTAssertTrue(error.message.contains("division by zero"), error.message)
        }
        XCTAssertEqual(try db.scalar("SELECT 1 + $1::int", [1], as: Int.self), 2)
        XCTAssertEqual(try db.scalar("SELECT pg_backend_pid()", as: Int32.self), pid, "the same session")
    }

    func testAReadThatOutlastsTheYieldsStillGetsItsReply() throws {
        let db = try makeConnection()
        let started = Date()
        XCTAssertEqual(try db.scalar("SELECT $1::int FROM pg_sleep(0.2)", [7], as: Int.self), 7)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.2)
    }

    func testAReadInATransactionSeesTheTransactionsWrites() throws {
        let db = try makeConnection()
        try db.execute("CREATE TEMP TABLE quick (n int)")
        try db.transaction {
            try db.execute("INSERT INTO quick VALUES ($1)", [5])
            XCTAssertEqual(try db.scalar("SELECT sum(n) FROM quick WHERE n > $1", [0], as: Int.self), 5)
        }
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM quick WHERE n = $1", [5], as: Int.self), 1)
    }
}

/// The yields a read may spend adapt to how fast replies come.
final class QuickReplyBudgetTests: PostgresTestCase {
    func testTheBudgetDoublesOnAQuickReplyAndHalvesOnASlowOne() {
        XCTAssertEqual(QuickReply.budget(after: 32, replyCameWhileYielding: false), 16)
        XCTAssertEqual(QuickReply.budget(after: 3, replyCameWhileYielding: false), QuickReply.minYields)
        XCTAssertEqual(QuickReply.budget(after: QuickReply.minYields, replyCameWhileYielding: false), QuickReply.minYields)
        XCTAssertEqual(QuickReply.budget(after: QuickReply.minYields, replyCameWhileYielding: true), 2 * QuickReply.minYields)
        XCTAssertEqual(QuickReply.budget(after: 20, replyCameWhileYielding: true), QuickReply.maxYields)
    }

    /// A database whose replies never come while the worker yields (another host, or here
    /// reads that sleep) soon costs a read only the fewest yields.
    func testReadsThatAlwaysSleepShrinkTheBudgetToItsLeast() throws {
        let db = try makeConnection()
        XCTAssertEqual(db.quickReply.budget, QuickReply.maxYields)
        for _ in 0..<5 { _ = try db.query("SELECT pg_sleep($1::float8)", [0.05]) }
        XCTAssertEqual(db.quickReply.budget, QuickReply.minYields)
        XCTAssertEqual(try db.scalar("SELECT $1::int", [3], as: Int.self), 3)
    }
}
