import Foundation
import Postgres
import XCTest

final class SafetyTests: PostgresTestCase {
    func testInjectionStringsAreStoredVerbatim() throws {
        let db = try makeConnection()
        let table = uniqueTableName("pgtest_injection")
        try db.execute("CREATE TABLE \(table) (id serial PRIMARY KEY, name text NOT NULL)")
        defer { _ = try? db.execute("DROP TABLE IF EXISTS \(table)") }

        let hostile = [
            "'); DROP TABLE \(table); --",
            "Robert'); --",
            "Robert'); DROP TABLE students; --",
            "\" OR 1=1 --",
            "$1 $2 ; SELECT pg_sleep(10)",
            "\\'; TRUNCATE \(table); --",
        ]
        for name in hostile {
            try db.execute("INSERT INTO \(table) (name) VALUES ($1)", [name])
        }
        let stored = try db.query("SELECT name FROM \(table) ORDER BY id").map { try $0.get("name", as: String.self) }
        XCTAssertEqual(stored, hostile)
        for name in hostile {
            XCTAssertEqual(try db.scalar("SELECT count(*) FROM \(table) WHERE name = $1", [name], as: Int.self), 1)
        }
        XCTAssertEqual(try db.scalar("SELECT to_regclass($1) IS NOT NULL", [table], as: Bool.self), true, "table still exists")
    }

    func testUniqueViolationCarriesSQLState() throws {
        let db = try makeConnection()
        try db.execute("CREATE TEMP TABLE users (id serial PRIMARY KEY, email text NOT NULL CONSTRAINT users_email_key UNIQUE)")
        try db.execute("INSERT INTO users (email) VALUES ($1)", ["ann@example.com"])
        XCTAssertThrowsError(try db.execute("INSERT INTO users (email) VALUES ($1)", ["ann@example.com"])) { error in
            guard let error = error as? PostgresError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.kind, .query)
            XCTAssertEqual(error.sqlState, "23505")
            XCTAssertTrue(error.isUniqueViolation)
            XCTAssertFalse(error.isConnectionFailure)
            XCTAssertEqual(error.constraint, "users_email_key")
            XCTAssertTrue(error.message.contains("duplicate key"), error.message)
            XCTAssertEqual(error.detail, "Key (email)=(ann@example.com) already exists.")
        }
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM users", as: Int.self), 1, "connection still usable")
    }

    func testSyntaxErrorAndParameterMistakesAreQueryErrors() throws {
        let db = try makeConnection()
        assertPostgresError(try db.query("SELEC 1"), kind: .query, sqlState: "42601")
        assertPostgresError(try db.query("SELECT $1::int + $2::int", [1]), kind: .query)
        assertPostgresError(try db.query("SELECT $1::int", ["not a number"]), kind: .query, sqlState: "22P02")
        assertPostgresError(try db.query("SELECT $1::text", ["nul \u{0} byte"]), kind: .query)
        XCTAssertEqual(try db.scalar("SELECT 3", as: Int.self), 3)
        XCTAssertTrue(db.isConnected)
    }
}
