import Foundation
import Postgres
import TestSupport
import XCTest

/// What the pool does when PostgreSQL misbehaves: a worker that cannot get a connection, a
/// statement stuck behind a lock, a worker killed mid-statement, an outage in the error log.
final class DatabaseFaultTests: XCTestCase {
    var database: PostgresConnection!
    static let limitedRole = "shop_limited"

    override func setUpWithError() throws {
        database = try TestDatabase.reset()
        let fixture = CatalogFixture(database: database)
        try fixture.product("Sencha", slug: "sencha", category: try fixture.category("Tea", slug: "tea"), price: "8.50")
    }

    override func tearDownWithError() throws {
        try database?.execute("DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'shop_limited') THEN ALTER ROLE shop_limited CONNECTION LIMIT -1; END IF; END $$")
    }

    func status(_ nginx: NginxServer) throws -> [String: Any] {
        let response = try HTTPClient.request(port: nginx.port, path: "/-/status")
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    /// Backends waiting for a lock (the tests' own connections never wait).
    func backendsWaitingForALock() throws -> Int {
        try database.scalar("""
            SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
            """, as: Int.self) ?? -1
    }

    // MARK: A worker without a connection

    func testAWorkerThatCannotConnectLeavesTheRequestsToConnectedWorkersAndRecovers() throws {
        // A role allowed one connection: of two workers, one gets it, the other is refused
        // ("too many connections for role"), as when max_connections is reached.
        try database.execute("""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'shop_limited') THEN CREATE ROLE shop_limited LOGIN; END IF;
            END $$
            """)
        try database.execute("ALTER ROLE shop_limited CONNECTION LIMIT 1")
        try database.execute("GRANT USAGE ON SCHEMA public TO shop_limited")
        try database.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO shop_limited")
        try database.execute("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO shop_limited")
        let url = TestDatabase.url.replacingOccurrences(of: "//postgres@", with: "//shop_limited@")
        XCTAssertNotEqual(url, TestDatabase.url)
        let pool = try ShopServer(workers: 2, environment: ["DATABASE_URL": url])
        let nginx = try NginxServer(sockets: [pool.socketPath])
        defer { nginx.stop(); pool.stop() }

        try waitUntil(timeout: 10) { try self.status(nginx)["unhealthy"] as? Int == 1 }
        let unhealthy = try XCTUnwrap(try status(nginx)["unhealthy_pids"] as? [Int])
        XCTAssertEqual(unhealthy.count, 1)
        XCTAssertTrue(try XCTUnwrap(status(nginx)["pids"] as? [Int]).contains(unhealthy[0]))
        // Health and pages do not depend on which worker answers.
        var statuses: [Int: Int] = [:]
        for index in 0..<40 {
            let path = index % 2 == 0 ? "/-/health" : "/"
            statuses[try HTTPClient.request(port: nginx.port, path: path).status, default: 0] += 1
        }
        XCTAssertEqual(statuses, [200: 40], "the refused worker takes no requests while another is connected")

        // A free slot: the refused worker connects on a retry and serves again.
        try database.execute("ALTER ROLE shop_limited CONNECTION LIMIT 2")
        try waitUntil(timeout: 10) { try self.status(nginx)["unhealthy"] as? Int == 0 }
        XCTAssertEqual(try database.scalar("SELECT count(*) FROM pg_stat_activity WHERE usename = 'shop_limited'", as: Int.self), 2)
        // Once per worker that was refused (both may be, if they raced for the one slot), never once per retry.
        let refusals = pool.log.split(separator: "\n").filter { $0.contains("worker cannot connect to the database") }
        let refusedWorkers = Set(refusals.compactMap { $0.split(separator: "]").first })
        XCTAssertFalse(refusals.isEmpty, pool.log)
        XCTAssertEqual(refusals.count, refusedWorkers.count, "the failure is logged once, not on every retry:\n\(pool.log)")
        XCTAssertTrue(pool.log.contains("database connection made after"))
    }

    // MARK: Statements and killed workers

    func testAStatementStuckBehindALockIsCancelledBeforeRequestTimeout() throws {
        let pool = try ShopServer(workers: 1, environment: ["REQUEST_TIMEOUT": "2"])
        let nginx = try NginxServer(sockets: [pool.socketPath])
        defer { nginx.stop(); pool.stop() }
        let locker = PostgresConnection(url: TestDatabase.url)
        try locker.execute("BEGIN")
        try locker.execute("LOCK TABLE shop_product IN ACCESS EXCLUSIVE MODE")
        let started = Date()
        let stuck = try HTTPClient.request(port: nginx.port, path: "/")
        let waited = Date().timeIntervalSince(started)
        XCTAssertEqual(stuck.status, 503, "statement_timeout (4/5 of REQUEST_TIMEOUT) answers before the kill")
        XCTAssertLessThan(waited, 2, "cancelled at 1.6 s")
        XCTAssertEqual(try backendsWaitingForALock(), 0, "no backend left waiting while the lock is held")
        try locker.execute("ROLLBACK")
        XCTAssertEqual(try HTTPClient.request(port: nginx.port, path: "/").status, 200)
        XCTAssertFalse(pool.log.contains("past REQUEST_TIMEOUT"), "the worker was not killed")
        XCTAssertTrue(pool.log.contains("GET / (request id "), pool.log)
    }

    func testAKilledWorkerLeavesNoBackendRunningItsStatement() throws {
        let pool = try ShopServer(workers: 1)  // no REQUEST_TIMEOUT, so no statement_timeout
        let nginx = try NginxServer(sockets: [pool.socketPath])
        defer { nginx.stop(); pool.stop() }
        let worker = try XCTUnwrap((try status(nginx)["pids"] as? [Int])?.first)
        let locker = PostgresConnection(url: TestDatabase.url)
        try locker.execute("BEGIN")
        try locker.execute("LOCK TABLE shop_product IN ACCESS EXCLUSIVE MODE")
        let port = nginx.port
        let result = ResultBox()
        let thread = Thread { result.response = try? HTTPClient.request(port: port, path: "/") }
        thread.start()
        try waitUntil(timeout: 10) { try self.backendsWaitingForALock() == 1 }
        // Past nginx's retry window (fastcgi_next_upstream_timeout): a request whose worker
        // dies this late is answered 502, not run again on another worker.
        Thread.sleep(forTimeInterval: 0.3)
        kill(Int32(worker), SIGKILL)
        try waitUntil(timeout: 10) { result.response != nil }
        XCTAssertEqual(result.response?.status, 502)
        // The lock is still held: the backend must notice its client is gone by itself.
        try waitUntil(timeout: 4) { try self.backendsWaitingForALock() == 0 }
        try locker.execute("ROLLBACK")
        try waitUntil(timeout: 10) { (try? HTTPClient.request(port: port, path: "/").status) == 200 }
    }

    // MARK: An order whose worker died after the commit

    func testAnOrderCommittedJustBeforeItsWorkerDiedIsFoundByTheSamePost() throws {
        let pool = try ShopServer(workers: 2)
        let nginx = try NginxServer(sockets: [pool.socketPath])
        defer { nginx.stop(); pool.stop() }
        let sencha = try XCTUnwrap(database.scalar("SELECT id FROM shop_product WHERE slug = 'sencha'", as: Int.self))
        let shopper = Browser(port: nginx.port)
        let token = try XCTUnwrap(Browser.csrfToken(in: try shopper.get("/\(sencha)/sencha/").text))
        XCTAssertEqual(try shopper.post("/cart/add/\(sencha)/", form: [("quantity", "2"), ("override", "False"), ("csrfmiddlewaretoken", token)]).status, 302)
        let workers = try XCTUnwrap(try status(nginx)["pids"] as? [Int])
        // The session's save after the order's commit hangs; meanwhile the worker dies.
        try database.executeScript("""
            CREATE FUNCTION slow_session_save() RETURNS trigger LANGUAGE plpgsql AS
              $$ BEGIN PERFORM pg_sleep(30); RETURN NEW; END $$;
            CREATE TRIGGER slow_session_save BEFORE UPDATE ON django_session
              FOR EACH ROW EXECUTE FUNCTION slow_session_save();
            """)
        let form = [("first_name", "Ada"), ("last_name", "Lovelace"), ("email", "ada@example.com"),
                    ("address", "12 St James's Square"), ("postal_code", "SW1Y 4JH"), ("city", "London"),
                    ("csrfmiddlewaretoken", token)]
        let checkout = Browser(port: nginx.port)
        for (name, value) in shopper.cookies { checkout.setCookie(name, value) }
        let result = ResultBox()
        let thread = Thread { result.response = try? checkout.post("/orders/create/", form: form) }
        thread.start()
        try waitUntil(timeout: 10) {
            try self.database.scalar("SELECT count(*) FROM orders_order", as: Int.self) == 1
                && self.database.scalar("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'", as: Int.self) == 1
        }
        for pid in workers { kill(Int32(pid), SIGKILL) }
        try waitUntil(timeout: 10) { result.response != nil }
        XCTAssertEqual(result.response?.status, 502, "the shopper saw the worker die")
        try database.executeScript("DROP TRIGGER slow_session_save ON django_session; DROP FUNCTION slow_session_save();")

        // The browser submits the same form again: the order, not a second one.
        var again: HTTPResponse?
        try waitUntil(timeout: 15) {
            again = try shopper.post("/orders/create/", form: form)
            return again?.status == 302
        }
        let id = try XCTUnwrap(database.scalar("SELECT id FROM orders_order", as: Int.self))
        XCTAssertEqual(again?.header("Location"), "/orders/\(id)/created/")
        let confirmation = try shopper.get("/orders/\(id)/created/")
        XCTAssertEqual(confirmation.status, 200)
        XCTAssertTrue(confirmation.text.contains("id=\"order-number\">\(id)<"))
        XCTAssertEqual(try database.scalar("SELECT count(*) FROM orders_order", as: Int.self), 1)
    }

    // MARK: The error log

    func testAnOutageIsLoggedOnceThenCountedAndLinesNameTheRequest() throws {
        let pool = try ShopServer(workers: 2, environment: [
            "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/shop_test?connect_timeout=2",
        ])
        let nginx = try NginxServer(sockets: [pool.socketPath])
        defer { nginx.stop(); pool.stop() }
        for _ in 0..<60 {
            XCTAssertEqual(try HTTPClient.request(port: nginx.port, path: "/tea/").status, 503)
        }
        XCTAssertEqual(try HTTPClient.request(port: nginx.port, path: "/-/health").status, 503)
        try waitUntil(timeout: 5) { self.pool(pool, lines: " 503 ") >= 61 }
        let errorLines = pool.log.split(separator: "\n").filter { $0.contains("error:") }
        XCTAssertLessThanOrEqual(errorLines.count, 4, "per worker: the connect failure and the outage's first request\n\(errorLines.joined(separator: "\n"))")
        let first = try XCTUnwrap(errorLines.first { $0.contains("database unavailable") })
        XCTAssertTrue(first.contains("GET /tea/ (request id "), String(first))
    }

    func pool(_ pool: ShopServer, lines text: String) -> Int {
        pool.log.split(separator: "\n").filter { $0.contains(text) }.count
    }
}
