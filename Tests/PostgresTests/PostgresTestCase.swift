import Foundation
import Postgres
import XCTest

/// Thrown from setUp when DATABASE_URL is missing, so every database test
/// fails with this message instead of being skipped.
struct DatabaseURLMissing: Error, CustomStringConvertible {
    var description: String {
        "DATABASE_URL is not set. PostgresTests need a running PostgreSQL server, e.g. "
            + "DATABASE_URL=postgresql://postgres@127.0.0.1:54329/shop_test_a swift test --filter PostgresTests"
    }
}

/// Base class: hands out connections to DATABASE_URL and closes them after
/// the test. Without DATABASE_URL every test that needs the database fails
/// (it is not skipped) with the message of `DatabaseURLMissing`.
class PostgresTestCase: XCTestCase {
    private var opened: [PostgresConnection] = []

    override func tearDown() {
        for connection in opened { connection.close() }
        opened.removeAll()
        super.tearDown()
    }

    func databaseURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            throw DatabaseURLMissing()
        }
        return url
    }

    /// A new lazily connecting connection, closed after the test.
    func makeConnection() throws -> PostgresConnection {
        let connection = PostgresConnection(url: try databaseURL())
        opened.append(connection)
        return connection
    }

    /// A table name no other suite will use.
    func uniqueTableName(_ prefix: String) -> String {
        prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
    }

    func backendPID(_ connection: PostgresConnection) throws -> Int32 {
        guard let pid = try connection.scalar("SELECT pg_backend_pid()", as: Int32.self) else {
            throw PostgresError(kind: .query, message: "no backend pid")
        }
        return pid
    }

    /// Terminates a server process from another connection and waits (at
    /// most five seconds) until it has gone.
    func terminateBackend(_ pid: Int32) throws {
        let admin = try makeConnection()
        let terminated = try admin.scalar("SELECT pg_terminate_backend($1)", [pid], as: Bool.self)
        XCTAssertEqual(terminated, true)
        try waitUntilGone(pid, admin: admin)
    }

    func waitUntilGone(_ pid: Int32, admin: PostgresConnection) throws {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            let remaining = try admin.scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", [pid], as: Int.self)
            if remaining == 0 { return }
            usleep(20_000)
        }
        XCTFail("backend \(pid) still present 5 s after pg_terminate_backend")
    }

    func assertPostgresError(
        _ expression: @autoclosure () throws -> some Any,
        kind: PostgresError.Kind,
        sqlState: String? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            guard let error = error as? PostgresError else {
                return XCTFail("expected PostgresError, got \(error)", file: file, line: line)
            }
            XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
            if let sqlState {
                XCTAssertEqual(error.sqlState, sqlState, "\(error)", file: file, line: line)
            }
        }
    }
}
