import Foundation
import Postgres
import TestSupport
import XCTest

/// The pool's shared memory of session changes in a real pool: a worker killed in the middle of
/// a save may have committed without announcing it, so the master makes every worker drop its
/// copies; and the dead worker's mark on the key does not outlive it.
final class SessionChangeBoardPoolTests: XCTestCase {
    func testAWorkerKilledInTheMiddleOfASaveLeavesNoStaleCopy() throws {
        let database = try TestDatabase.reset()
        defer { database.close() }
        let fixture = CatalogFixture(database: database)
        let tea = try fixture.category("Tea", slug: "tea")
        let products = try (0..<3).map { try fixture.product("Tea \($0)", slug: "tea-\($0)", category: tea, price: "1.00") }
        let server = try ShopServer(workers: 2, environment: ["SESSION_ENGINE": "cached_db"], label: "board")
        defer { _ = server.stop() }
        let nginx = try NginxServer(sockets: [server.socketPath])
        defer { nginx.stop() }

        func add(_ browser: Browser, _ index: Int) throws -> Int {
            let token = try XCTUnwrap(Browser.csrfToken(in: try browser.get("/\(products[index])/tea-\(index)/").text))
            return try browser.post("/cart/add/\(products[index])/", form: [
                ("quantity", "1"), ("override", "False"), ("csrfmiddlewaretoken", token)]).status
        }
        /// The pid and SQL count of the access-log lines of `GET /cart/`, in order.
        func cartReads() -> [(pid: String, sql: String)] {
            server.log.split(separator: "\n").compactMap { line in
                guard line.hasPrefix("GET /cart/ 200"), let pid = line.firstMatch(of: /pid=(\d+) sql=(\d+)/) else { return nil }
                return (String(pid.output.1), String(pid.output.2))
            }
        }
        func workerPIDs() throws -> [String] {
            let response = try HTTPClient.request(port: nginx.port, path: "/-/status")
            let status = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
            return (status["pids"] as? [Int] ?? []).map(String.init)
        }

        let shopper = Browser(port: nginx.port)
        XCTAssertEqual(try add(shopper, 0), 302)
        let key = try XCTUnwrap(shopper.cookies["sessionid"])
        // Another session, whose cart (product 2) will be written over the shopper's row.
        let other = Browser(port: nginx.port)
        XCTAssertEqual(try add(other, 2), 302)
        let otherKey = try XCTUnwrap(other.cookies["sessionid"])

        /// Reads the cart as `count` tabs of the shopper at once, so that both workers answer.
        func readConcurrently(_ count: Int = 4) {
            let group = DispatchGroup()
            for _ in 0..<count {
                let tab = Browser(port: nginx.port)
                for (name, value) in shopper.cookies { tab.setCookie(name, value) }
                DispatchQueue.global().async(group: group) { _ = try? tab.get("/cart/") }
            }
            group.wait()
        }
        // Both workers hold the shopper's session.
        print("stage: warming both workers")
        try waitUntil(timeout: 30) {
            readConcurrently()
            return Set(cartReads().map(\.pid)).count == 2
        }
        let workers = try workerPIDs()
        XCTAssertEqual(workers.count, 2)

        // The next save of the session waits on its row, its worker's mark on the key.
        let blocker = PostgresConnection(url: TestDatabase.url)
        defer { blocker.close() }
        try blocker.executeScript("BEGIN")
        try blocker.query("SELECT 1 FROM django_session WHERE session_key = $1 FOR UPDATE", [key])
        let tab = Browser(port: nginx.port)
        for (name, value) in shopper.cookies { tab.setCookie(name, value) }
        let token = try XCTUnwrap(Browser.csrfToken(in: try shopper.get("/\(products[1])/tea-1/").text))
        let product = products[1]
        DispatchQueue.global().async {
            _ = try? tab.post("/cart/add/\(product)/", form: [("quantity", "1"), ("override", "False"), ("csrfmiddlewaretoken", token)])
        }
        print("stage: the save waits")
        try waitUntil(timeout: 10) {
            try database.scalar("""
                SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
                """, as: Int.self) == 1
        }
        // The free worker answers; the other one is saving.
        let before = server.log.count
        _ = try HTTPClient.request(port: nginx.port, path: "/-/health")
        var free: Substring?
        try waitUntil(timeout: 5) {  // the access-log line follows the response
            free = String(server.log.dropFirst(before)).firstMatch(of: /GET \/-\/health 200 .* pid=(\d+)/)?.output.1
            return free != nil
        }
        let saving = try XCTUnwrap(workers.first { $0 != free.map(String.init) })

        // As if the save had committed before its worker died: the row changes behind every cache
        // (no NOTIFY: the version moves, so Django's trigger stays silent), then the worker dies.
        try blocker.query("""
            UPDATE django_session SET version = version + 1,
                session_data = (SELECT session_data FROM django_session WHERE session_key = $2)
            WHERE session_key = $1
            """, [key, otherKey])
        XCTAssertEqual(kill(Int32(saving)!, SIGKILL), 0)
        try blocker.executeScript("COMMIT")
        print("stage: the replacement")
        try waitUntil(timeout: 30) { try workerPIDs().count == 2 && !(try workerPIDs().contains(saving)) }

        // Every worker serves the row as it is now, and, once each has read it again, from its
        // cache: the dead worker's mark went with it.
        print("stage: reading after the death")
        let readsBefore = cartReads().count
        try waitUntil(timeout: 30) {
            let cart = CartPage.lines(in: try shopper.get("/cart/").text)
            XCTAssertEqual(cart, [products[2]: 1], "never the cart the killed worker's pool had cached")
            readConcurrently()
            let cached = Set(cartReads().dropFirst(readsBefore).filter { $0.sql == "1" }.map(\.pid))
            return cached.isSuperset(of: try workerPIDs())
        }
    }
}
