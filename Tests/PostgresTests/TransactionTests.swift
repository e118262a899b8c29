import Foundation
import Postgres
import XCTest

final class TransactionTests: PostgresTestCase {
    private func makeAccounts() throws -> PostgresConnection {
        let db = try makeConnection()
        try db.execute("CREATE TEMP TABLE accounts (id int PRIMARY KEY, owner text NOT NULL UNIQUE, balance numeric(10,2) NOT NULL CHECK (balance >= 0))")
        return db
    }

    private func owners(_ db: PostgresConnection) throws -> [String] {
        try db.query("SELECT owner FROM accounts ORDER BY id").map { try $0.get("owner", as: String.self) }
    }

    func testCommitReturnsTheBodyValue() throws {
        let db = try makeAccounts()
        let inserted = try db.transaction { () throws -> Int in
            try db.execute("INSERT INTO accounts VALUES (1, 'ann', 10)")
            try db.execute("INSERT INTO accounts VALUES (2, 'bob', 20)")
            XCTAssertTrue(db.isInTransaction)
            return try db.scalar("SELECT count(*) FROM accounts", as: Int.self) ?? 0
        }
        XCTAssertEqual(inserted, 2)
        XCTAssertFalse(db.isInTransaction)
        // Visible from another session: it really committed.
        // (Temp tables are private, so check through the same connection's state.)
        XCTAssertEqual(try owners(db), ["ann", "bob"])
        XCTAssertEqual(try db.scalar("SELECT txid_current_if_assigned() IS NULL", as: Bool.self), true)
    }

    /// What `VersionCheckBoard` relies on before it shares an answer: the statement was a
    /// transaction of its own, whether the open one came from `transaction { }` or a bare BEGIN.
    func testIsOutsideTransactionSeesBothKindsOfTransaction() throws {
        let db = try makeConnection()
        XCTAssertTrue(db.isOutsideTransaction)
        try db.transaction { XCTAssertFalse(db.isOutsideTransaction) }
        XCTAssertTrue(db.isOutsideTransaction)
        try db.execute("BEGIN")
        XCTAssertFalse(db.isOutsideTransaction)
        XCTAssertFalse(db.isInTransaction, "a bare BEGIN is not a transaction { } block")
        XCTAssertEqual(try db.scalar("SELECT 1", as: Int.self), 1)
        XCTAssertFalse(db.isOutsideTransaction)
        try db.execute("COMMIT")
        XCTAssertTrue(db.isOutsideTransaction)
    }

    func testFailedStatementRollsBackTheWholeTransaction() throws {
        let db = try makeAccounts()
        XCTAssertThrowsError(try db.transaction {
            try db.execute("INSERT INTO accounts VALUES ($1, $2, $3)", [1, "ann", Decimal(10)])
            try db.execute("INSERT INTO accounts VALUES ($1, $2, $3)", [2, "bob", Decimal(20)])
            try db.execute("INSERT INTO accounts VALUES ($1, $2, $3)", [3, "ann", Decimal(30)])  // duplicate owner
            XCTFail("not reached")
        }) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, "23505")
        }
        XCTAssertFalse(db.isInTransaction)
        XCTAssertEqual(try owners(db), [], "earlier statements of the failed transaction were rolled back")
        // The connection is usable afterwards, inside and outside transactions.
        XCTAssertEqual(try db.scalar("SELECT 1", as: Int.self), 1)
        try db.transaction { try db.execute("INSERT INTO accounts VALUES (1, 'ann', 10)") }
        XCTAssertEqual(try owners(db), ["ann"])
    }

    func testSwiftErrorThrownFromTheBodyRollsBack() throws {
        struct Abort: Error {}
        let db = try makeAccounts()
        XCTAssertThrowsError(try db.transaction {
            try db.execute("INSERT INTO accounts VALUES (1, 'ann', 10)")
            throw Abort()
        }) { error in
            XCTAssertTrue(error is Abort, "the body's own error is rethrown unchanged")
        }
        XCTAssertEqual(try owners(db), [])
    }

    func testNestedTransactionRollsBackToItsSavepoint() throws {
        let db = try makeAccounts()
        try db.transaction {
            try db.execute("INSERT INTO accounts VALUES (1, 'ann', 10)")
            XCTAssertThrowsError(try db.transaction {
                try db.execute("INSERT INTO accounts VALUES (2, 'bob', 20)")
                try db.execute("UPDATE accounts SET balance = balance - 50 WHERE id = 1")  // check violation
            }) { error in
                XCTAssertTrue((error as? PostgresError)?.isCheckViolation ?? false, "\(error)")
            }
            try db.transaction {
                try db.execute("INSERT INTO accounts VALUES (3, 'cy', 30)")
                try db.transaction { try db.execute("INSERT INTO accounts VALUES (4, 'di', 40)") }
            }
            try db.execute("INSERT INTO accounts VALUES (5, 'ed', 50)")
        }
        XCTAssertEqual(try owners(db), ["ann", "cy", "di", "ed"])
        let statements = db.log.entries.map(\.sql)
        XCTAssertTrue(statements.contains("SAVEPOINT sp1"), "\(statements)")
        XCTAssertTrue(statements.contains("ROLLBACK TO SAVEPOINT sp1"), "\(statements)")
        XCTAssertTrue(statements.contains("SAVEPOINT sp2"), "\(statements)")
    }

    func testOuterFailureRollsBackCommittedSavepoints() throws {
        struct Abort: Error {}
        let db = try makeAccounts()
        XCTAssertThrowsError(try db.transaction {
            try db.transaction { try db.execute("INSERT INTO accounts VALUES (1, 'ann', 10)") }
            throw Abort()
        })
        XCTAssertEqual(try owners(db), [])
    }

    func testSwallowedFailureMakesCommitThrow() throws {
        let db = try makeAccounts()
        XCTAssertThrowsError(try db.transaction {
            try db.execute("INSERT INTO accounts VALUES (1, 'ann', 10)")
            _ = try? db.execute("INSERT INTO accounts VALUES (1, 'ann', 10)")  // error ignored: transaction aborted
        }) { error in
            XCTAssertEqual((error as? PostgresError)?.kind, .transaction, "\(error)")
        }
        XCTAssertEqual(try owners(db), [])
        XCTAssertEqual(try db.scalar("SELECT 2", as: Int.self), 2)
    }
}
