import Foundation
import Postgres
import TestSupport
import XCTest

/// The pool's supervision, as the contract names it: MAX_REQUESTS recycling,
/// REQUEST_TIMEOUT kills, SIGHUP reloads — through nginx, with real workers.
final class PoolSupervisionTests: XCTestCase {
    var database: PostgresConnection!

    override func setUpWithError() throws {
        database = try TestDatabase.reset()
        let fixture = CatalogFixture(database: database)
        try fixture.product("Sencha", slug: "sencha", category: try fixture.category("Tea", slug: "tea"), price: "8.50")
    }

    func start(workers: Int, _ environment: [String: String] = [:]) throws -> (ShopServer, NginxServer) {
        let pool = try ShopServer(workers: workers, environment: environment)
        return (pool, try NginxServer(sockets: [pool.socketPath]))
    }

    func status(_ nginx: NginxServer) throws -> [String: Any] {
        let response = try HTTPClient.request(port: nginx.port, path: "/-/status")
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    func testWorkerIsRecycledAfterMaxRequests() throws {
        let (pool, nginx) = try start(workers: 1, ["MAX_REQUESTS": "3"])
        defer { nginx.stop(); pool.stop() }
        var pids: Set<Int> = []
        for _ in 0..<7 {
            let response = try HTTPClient.request(port: nginx.port, path: "/-/status")
            XCTAssertEqual(response.status, 200, "no request is lost to recycling")
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
            pids.formUnion(json["pids"] as? [Int] ?? [])
            // Give the master a moment to replace a worker that just retired.
            usleep(150_000)
        }
        XCTAssertGreaterThanOrEqual(pids.count, 3, "7 requests at 3 per worker take at least 3 workers")
        XCTAssertTrue(pool.log.contains("MAX_REQUESTS"))
    }

    func testRequestPastTimeoutKillsItsWorkerAndPoolRecovers() throws {
        let (pool, nginx) = try start(workers: 1, ["REQUEST_TIMEOUT": "1"])
        defer { nginx.stop(); pool.stop() }
        let before = try status(nginx)
        let worker = try XCTUnwrap((before["pids"] as? [Int])?.first)
        // A request stuck past REQUEST_TIMEOUT: its worker waits on a lock and is then stopped
        // (SIGSTOP), so not even statement_timeout (set below REQUEST_TIMEOUT) can answer it.
        let locker = PostgresConnection(url: TestDatabase.url)
        try locker.execute("BEGIN")
        try locker.execute("LOCK TABLE shop_product IN ACCESS EXCLUSIVE MODE")
        let port = nginx.port
        let result = ResultBox()
        let started = Date()
        let thread = Thread { result.response = try? HTTPClient.request(port: port, path: "/") }
        thread.start()
        try waitUntil(timeout: 10) {
            try locker.scalar("SELECT count(*) FROM pg_locks WHERE NOT granted", as: Int.self) ?? 0 > 0
        }
        kill(Int32(worker), SIGSTOP)
        try waitUntil(timeout: 10) { result.response != nil }
        let waited = Date().timeIntervalSince(started)
        try locker.execute("ROLLBACK")
        XCTAssertEqual(result.response?.status, 502, "nginx reports the killed worker")
        XCTAssertLessThan(waited, 5, "killed at about REQUEST_TIMEOUT, not left hanging")
        try waitUntil(timeout: 10) {
            let now = try self.status(nginx)
            return (now["pids"] as? [Int])?.count == 1 && (now["restarts"] as? Int ?? 0) > (before["restarts"] as? Int ?? 0)
        }
        XCTAssertEqual(try HTTPClient.request(port: nginx.port, path: "/").status, 200)
        XCTAssertTrue(pool.log.contains("REQUEST_TIMEOUT"))
    }

    func testSighupReplacesEveryWorker() throws {
        let (pool, nginx) = try start(workers: 2)
        defer { nginx.stop(); pool.stop() }
        let old = Set(try XCTUnwrap(try status(nginx)["pids"] as? [Int]))
        kill(pool.pid, SIGHUP)
        try waitUntil(timeout: 15) {
            let now = Set(try self.status(nginx)["pids"] as? [Int] ?? [])
            return now.count == 2 && now.isDisjoint(with: old)
        }
        XCTAssertEqual(try HTTPClient.request(port: nginx.port, path: "/").status, 200)
        XCTAssertEqual(pool.stop(), 0)
    }
}
