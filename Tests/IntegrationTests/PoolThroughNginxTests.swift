import Foundation
import Postgres
import TestSupport
import XCTest

/// The catalog through a real nginx and a real `shop serve` pool: what an
/// operator sees after `make run`, and what the pool does when workers die.
final class PoolThroughNginxTests: XCTestCase {
    var database: PostgresConnection!
    var pool: ShopServer!
    var nginx: NginxServer!
    var productPath = ""

    override func setUpWithError() throws {
        database = try TestDatabase.reset()
        let fixture = CatalogFixture(database: database)
        let tea = try fixture.category("Tea", slug: "tea")
        let id = try fixture.product("Sencha", slug: "sencha", category: tea, price: "8.50")
        try fixture.product("Matcha", slug: "matcha", category: tea, price: "24.00")
        productPath = "/\(id)/sencha/"
        pool = try ShopServer(workers: 2)
        nginx = try NginxServer(sockets: [pool.socketPath])
    }

    override func tearDown() {
        nginx?.stop()
        pool?.stop()
    }

    func get(_ path: String) throws -> HTTPResponse { try HTTPClient.request(port: nginx.port, path: path) }

    func status() throws -> [String: Any] {
        let response = try get("/-/status")
        XCTAssertEqual(response.status, 200)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    func testCatalogPagesAndNotFound() throws {
        let index = try get("/")
        XCTAssertEqual(index.status, 200)
        XCTAssertTrue(index.text.contains("Sencha"))
        XCTAssertTrue(index.text.contains("$8.50"))
        XCTAssertTrue(index.text.contains("id=\"cart-summary\""))
        let category = try get("/tea/")
        XCTAssertEqual(category.status, 200)
        XCTAssertTrue(category.text.contains("Matcha"))
        let product = try get(productPath)
        XCTAssertEqual(product.status, 200)
        XCTAssertTrue(product.text.contains("action=\"/cart/add/"))
        let missing = try get("/no-such-thing/")
        XCTAssertEqual(missing.status, 404)
        XCTAssertTrue(missing.text.contains("404"))
        XCTAssertEqual(try get("/999/nothing/").status, 404)
        XCTAssertEqual(try get("/static/css/base.css").status, 200, "nginx serves /static/ from Public/")
        XCTAssertEqual(try get("/-/health").text, "ok")
    }

    /// nginx passes the app's length on instead of chunking the page for an HTTP/1.1 client
    /// (an HTTP/1.0 one gets it too), and a HEAD the GET's length without the body.
    func testPagesReachTheBrowserWithTheirLength() throws {
        let index = try HTTPClient.request(port: nginx.port, path: "/", version: "HTTP/1.1")
        XCTAssertEqual(index.status, 200)
        XCTAssertNil(index.header("Transfer-Encoding"))
        XCTAssertEqual(index.header("Content-Length"), String(index.body.count))
        XCTAssertTrue(index.text.hasSuffix("</html>\n"), "the page whole, without chunk framing")
        let http10 = try get("/")
        XCTAssertEqual(http10.header("Content-Length"), String(http10.body.count))
        let head = try HTTPClient.request(port: nginx.port, method: "HEAD", path: "/")
        XCTAssertEqual(head.status, 200)
        XCTAssertTrue(head.body.isEmpty)
        XCTAssertEqual(head.header("Content-Length"), String(index.body.count))
    }

    /// Pages of 24 through nginx (the query string reaches the pool), and every
    /// worker's bounded cache (CATALOG_CACHE_SIZE=24: one page, 24 products)
    /// shows a price written by SQL at its next request, cached or evicted.
    func testEveryWorkersCachedPagesShowASQLWriteAtTheNextRequest() throws {
        pool.stop()
        pool = try ShopServer(workers: 2, environment: ["CATALOG_CACHE_SIZE": "24"], label: "pool-catalog")
        nginx.stop()
        nginx = try NginxServer(sockets: [pool.socketPath])
        let ids: [Int] = try database.query("""
            INSERT INTO shop_product (category_id, name, slug, price)
            SELECT (SELECT id FROM shop_category WHERE slug = 'tea'), 'Item ' || lpad(n::text, 2, '0'), 'item-' || n, 2.00
            FROM generate_series(1, 60) AS n RETURNING id
            """).map { try $0.get("id") }
        XCTAssertEqual(try get("/?page=abc").status, 404)
        XCTAssertEqual(try get("/?page=4").status, 404)
        let last = try get("/?page=3")
        XCTAssertTrue(last.text.contains("Page 3 of 3"))
        XCTAssertTrue(last.text.contains("href=\"/?page=2\" rel=\"prev\""))
        // Enough requests that both workers cache page 2 (and evict it with page 1 now and then).
        for index in 0..<24 { _ = try get(index % 3 == 0 ? "/" : "/?page=2") }
        try database.execute("UPDATE shop_product SET price = 3.75 WHERE id = $1", [ids[30]])
        for _ in 0..<12 {
            let page = try get("/?page=2")
            XCTAssertEqual(page.status, 200)
            XCTAssertTrue(page.text.contains("$3.75"), "every worker, at its next request")
            XCTAssertTrue(try get("/\(ids[30])/item-31/").text.contains("$3.75"))
        }
        XCTAssertTrue(pool.log.contains("GET /?page=2 200 "), "the access log keeps the query string")
    }

    /// Under load a request waits in the socket's queue while other workers ask for the catalog's
    /// versions, and takes an answer asked after nginx received it (`VersionCheckBoard`, nginx's
    /// `SHOP_REQUEST_TIME`): many `GET /` run no statement. Still, a price written by SQL shows in
    /// the very next request, whichever worker answers it.
    func testWorkersShareCatalogChecksYetShowEveryWriteAtTheNextRequest() throws {
        try XCTSkipUnless(LoadGenerator.isAvailable, "wrk is not installed (deploy/scripts/install-deps.sh installs it)")
        _ = try get("/")
        _ = try get(productPath)
        let load = try LoadGenerator(url: "http://127.0.0.1:\(nginx.port)/", seconds: 4, connections: 16)
        for round in 1...40 {
            let price = "9.\(10 + round)"
            try database.execute("UPDATE shop_product SET price = $1::numeric WHERE slug = 'sencha'", [price])
            XCTAssertTrue(try get("/").text.contains("$\(price)"), "round \(round)")
            XCTAssertTrue(try get(productPath).text.contains("$\(price)"), "round \(round)")
        }
        try assertManyTookASharedCheck(load, logged: "GET / 200 ")
    }

    /// wrk's run had no error, and more than a tenth of the requests logged as `prefix` ran no
    /// statement: they took another worker's check.
    func assertManyTookASharedCheck(_ load: LoadGenerator, logged prefix: String, line: UInt = #line) throws {
        let result = load.finish()
        XCTAssertGreaterThan(result.requests, 0, result.output, line: line)
        XCTAssertEqual(result.non2xx + result.socketErrors, 0, result.output, line: line)
        try waitUntil(timeout: 5) { self.pool.log.contains(prefix) }
        let requests = pool.log.split(separator: "\n").filter { $0.hasPrefix(prefix) }
        let shared = requests.filter { $0.hasSuffix(" sql=0") }
        XCTAssertGreaterThan(shared.count, requests.count / 10, "of \(requests.count) \(prefix), \(shared.count) took a shared check",
                             line: line)
    }

    /// Requests with a session cookie share checks too, when the worker that asked passed on the
    /// session notifications its reply brought (`SessionStore.takesSharedCheck`): many `GET /cart/`
    /// make no round trip. Still, a session written by SQL (as Django writes it) shows at the
    /// very next request, whichever worker answers it.
    func testCartsShareCatalogChecksYetShowEverySessionWriteAtTheNextRequest() throws {
        try XCTSkipUnless(LoadGenerator.isAvailable, "wrk is not installed (deploy/scripts/install-deps.sh installs it)")
        let sencha = try XCTUnwrap(Int(productPath.split(separator: "/")[0]))
        // Four sessions: wrk's, the shopper's, and two whose data SQL copies into the shopper's.
        var keys: [String] = []
        for quantity in ["1", "3", "1", "2"] {
            let browser = Browser(port: nginx.port)
            let token = try XCTUnwrap(Browser.csrfToken(in: try browser.get(productPath).text))
            let added = try browser.post("/cart/add/\(sencha)/", form: [("quantity", quantity), ("csrfmiddlewaretoken", token)])
            XCTAssertEqual(added.status, 302)
            keys.append(try XCTUnwrap(browser.cookies["sessionid"]))
        }
        let shopper = Browser(port: nginx.port)
        shopper.setCookie("sessionid", keys[1])
        XCTAssertEqual(CartPage.lines(in: try shopper.get("/cart/").text), [sencha: 3])

        let load = try LoadGenerator(url: "http://127.0.0.1:\(nginx.port)/cart/", seconds: 4, connections: 16,
                                     headers: ["Cookie: sessionid=\(keys[0])"])
        for round in 1...40 {
            try database.execute("""
                UPDATE django_session SET session_data = (SELECT session_data FROM django_session WHERE session_key = $1)
                WHERE session_key = $2
                """, [keys[2 + round % 2], keys[1]])
            XCTAssertEqual(CartPage.lines(in: try shopper.get("/cart/").text), [sencha: 1 + round % 2], "round \(round)")
        }
        try assertManyTookASharedCheck(load, logged: "GET /cart/ 200 ")
    }

    func testEveryRequestIsLogged() throws {
        _ = try get("/tea/")
        try waitUntil(timeout: 5) { self.pool.log.contains("GET /tea/ 200 ") }
        let line = try XCTUnwrap(pool.log.split(separator: "\n").first { $0.hasPrefix("GET /tea/ 200 ") })
        XCTAssertTrue(line.contains("ms pid="), String(line))
        XCTAssertTrue(line.contains(" sql=4"), String(line)) // the versions, the categories, the category's count, its page
    }

    func testKilledWorkerIsReplacedAndShopKeepsAnswering() throws {
        let before = try status()
        let pids = try XCTUnwrap(before["pids"] as? [Int])
        XCTAssertEqual(pids.count, 2)
        XCTAssertEqual(before["workers"] as? Int, 2)
        kill(Int32(pids[0]), SIGKILL)
        // While one worker is gone the other keeps serving.
        for _ in 0..<10 { XCTAssertEqual(try get("/").status, 200) }
        try waitUntil(timeout: 10) {
            let now = try self.status()
            let current = now["pids"] as? [Int] ?? []
            return current.count == 2 && !current.contains(pids[0]) && (now["restarts"] as? Int ?? 0) >= 1
        }
        XCTAssertEqual(try get(productPath).status, 200)
    }

    func testSigtermLetsTheRequestInFlightFinishAndExitsZero() throws {
        // Hold a lock the catalog query needs, so a request is in flight when SIGTERM arrives.
        let locker = PostgresConnection(url: TestDatabase.url)
        try locker.execute("BEGIN")
        try locker.execute("LOCK TABLE shop_product IN ACCESS EXCLUSIVE MODE")
        let port = nginx.port
        let result = ResultBox()
        let thread = Thread {
            result.response = try? HTTPClient.request(port: port, path: "/")
        }
        thread.start()
        try waitUntil(timeout: 10) {
            // The worker is waiting on the lock.
            try locker.scalar("SELECT count(*) FROM pg_locks WHERE NOT granted", as: Int.self) ?? 0 > 0
        }
        kill(pool.pid, SIGTERM)
        usleep(300_000)
        try locker.execute("COMMIT")
        try waitUntil(timeout: 15) { result.response != nil }
        XCTAssertEqual(result.response?.status, 200, "the request in flight completed")
        XCTAssertTrue(result.response?.text.contains("Sencha") ?? false)
        try waitUntil(timeout: 30) { !self.pool.process.isRunning }
        XCTAssertEqual(pool.process.terminationStatus, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: pool.socketPath), "the socket file is removed")
    }
}

final class ResultBox: @unchecked Sendable {
    var response: HTTPResponse?
}
