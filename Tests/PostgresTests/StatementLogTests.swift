import Foundation
@testable import Postgres
import XCTest

final class StatementLogTests: PostgresTestCase {
    func testLogRecordsSQLAndDurationsAndResetClearsIt() throws {
        let db = try makeConnection()
        try db.connect()
        db.log.reset()
        XCTAssertEqual(db.log.count, 0)

        try db.execute("CREATE TEMP TABLE logged (n int)")
        try db.transaction {
            try db.execute("INSERT INTO logged VALUES ($1)", [1])
        }
        _ = try db.query("SELECT n FROM logged WHERE n = $1", [1])
        _ = try db.query("SELECT pg_sleep(0.02)")
        _ = try? db.query("SELECT no_such_column FROM logged")
        try db.executeScript("INSERT INTO logged VALUES (2); INSERT INTO logged VALUES (3)")

        XCTAssertEqual(db.log.entries.map(\.sql), [
            "CREATE TEMP TABLE logged (n int)",
            "BEGIN",
            "INSERT INTO logged VALUES ($1)",
            "COMMIT",
            "SELECT n FROM logged WHERE n = $1",
            "SELECT pg_sleep(0.02)",
            "SELECT no_such_column FROM logged",
            "INSERT INTO logged VALUES (2); INSERT INTO logged VALUES (3)",
        ])
        XCTAssertEqual(db.log.count, 8)
        XCTAssertTrue(db.log.entries.allSatisfy { $0.milliseconds >= 0 && $0.milliseconds < 10_000 })
        XCTAssertGreaterThanOrEqual(db.log.entries[5].milliseconds, 19, "pg_sleep(0.02) took ~20 ms")
        XCTAssertGreaterThan(db.log.totalMilliseconds, 19)

        db.log.reset()
        XCTAssertEqual(db.log.count, 0)
        XCTAssertTrue(db.log.entries.isEmpty)
        _ = try db.query("SELECT 1")
        XCTAssertEqual(db.log.count, 1)
    }

    func testPreparedStatementsSurviveSchemaChanges() throws {
        let db = try makeConnection()
        try db.execute("CREATE TEMP TABLE shapes (a int)")
        try db.execute("INSERT INTO shapes VALUES ($1)", [1])
        for _ in 0..<3 {
            XCTAssertEqual(try db.query("SELECT * FROM shapes WHERE a = $1", [1]).first?.columns, ["a"])
        }
        try db.execute("ALTER TABLE shapes ADD COLUMN b text DEFAULT 'x'")
        let row = try XCTUnwrap(db.queryOne("SELECT * FROM shapes WHERE a = $1", [1]))
        XCTAssertEqual(row.columns, ["a", "b"])
        XCTAssertEqual(try row.get("b", as: String.self), "x")
    }

    func testExecuteScriptRunsSeveralStatementsAtomically() throws {
        let db = try makeConnection()
        try db.executeScript("""
            CREATE TEMP TABLE migrated (id int PRIMARY KEY, label text);
            INSERT INTO migrated VALUES (1, 'one; with semicolon');
            INSERT INTO migrated VALUES (2, 'two');
            """)
        XCTAssertEqual(try db.scalar("SELECT label FROM migrated WHERE id = 1", as: String.self), "one; with semicolon")
        assertPostgresError(try db.executeScript("INSERT INTO migrated VALUES (3, 'three'); INSERT INTO migrated VALUES (1, 'dup')"),
                            kind: .query, sqlState: "23505")
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM migrated", as: Int.self), 2, "a failed script leaves nothing behind")
    }

    func testManyDistinctStatementsStayUsable() throws {
        let db = try makeConnection()
        db.maxPreparedStatements = 10
        for n in 0..<35 {
            XCTAssertEqual(try db.scalar("SELECT $1::int + \(n)", [1], as: Int.self), n + 1)
        }
        XCTAssertEqual(try db.scalar("SELECT $1::int + 0", [5], as: Int.self), 5)
    }

    /// The statements run last are found before the dictionary (`PreparedStatements`); when the
    /// cache is emptied on the server (`DEALLOCATE ALL`), they must be forgotten there too, or
    /// the next run names a statement the server no longer has.
    func testAStatementRunAgainAfterTheServerForgotItIsPreparedAgain() throws {
        let db = try makeConnection()
        db.maxPreparedStatements = 3
        let statements = (0..<3).map { "SELECT $1::int * \($0 + 2)" }
        for sql in statements { XCTAssertEqual(try db.scalar(sql, [1], as: Int.self), Int(sql.suffix(1))) }
        XCTAssertEqual(try db.scalar("SELECT $1::int - 1", [1], as: Int.self), 0, "the fourth empties the cache")
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM pg_prepared_statements", as: Int.self), 2, "the fourth and this one")
        for sql in statements { XCTAssertEqual(try db.scalar(sql, [3], as: Int.self), 3 * Int(sql.suffix(1))!) }
    }

    func testRecentStatementsAreFoundByTheirTextAndTheOldestMakeRoom() {
        // Texts over 15 bytes, so each lives in storage of its own, as real statements do.
        func text(_ n: Int) -> String { "SELECT \(n) AS value" }
        var recent = RecentValues<Int>()
        for n in 0..<9 { recent[text(n)] = n }
        XCTAssertNil(recent[text(0)], "eight are kept: the first made room for the ninth")
        // The same text built anew, in other storage, is the same statement.
        XCTAssertEqual(recent[String((text(1) + "s").dropLast())], 1)
        XCTAssertEqual(recent[text(8)], 8)
        XCTAssertNil(recent[text(80)])
        XCTAssertNil(recent["SELECT 8 AS valuf"], "the same length, another text")
        recent[text(8)] = nil
        XCTAssertNil(recent[text(8)])

        var prepared = PreparedStatements()
        for n in 0..<9 { prepared["SELECT \(n)"] = "s\(n)" }
        XCTAssertEqual(prepared["SELECT 0"], "s0", "what left the recent few is still in the dictionary")
        XCTAssertEqual(prepared.count, 9)
        prepared["SELECT 0"] = nil
        XCTAssertNil(prepared["SELECT 0"])
        prepared.removeAll()
        XCTAssertNil(prepared["SELECT 8"])
    }
}
