import Foundation
import Postgres
import TestSupport
import XCTest

/// `shop bare --commit`, the bench's ceiling for a request that must commit: each answer
/// follows an UPDATE committed on the worker's own row, so that the bench measures commits,
/// not a responder that skipped them.
final class BareCeilingTests: XCTestCase {
    func testEachAnswerFollowsACommittedUpdate() throws {
        let database = try TestDatabase.reset()
        let pool = try ShopServer(workers: 2, arguments: ["bare", "--commit"])
        defer { pool.stop() }
        for _ in 0..<5 {
            let client = try FastCGIClient(socketPath: pool.socketPath)
            try client.begin(FastCGIClient.parameters(method: "GET", path: "/"))
            try client.stdin([])
            let response = try client.readResponse()
            XCTAssertTrue(response.hasPrefix("Status: 200"), String(response.prefix(200)))
        }
        // Seen from another connection once each answer came: committed before it was sent.
        let row = try XCTUnwrap(database.queryOne("SELECT sum(requests)::bigint AS total, count(*) AS rows FROM bench_bare_commit"))
        XCTAssertEqual(try row.get("total", as: Int64.self), 5)
        XCTAssertGreaterThanOrEqual(try row.get("rows", as: Int64.self), 2, "a row for every worker slot")
    }
}
