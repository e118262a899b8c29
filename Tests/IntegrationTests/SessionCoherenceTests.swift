import Foundation
import Postgres
import TestSupport
import XCTest

/// One browser's session must read exactly as its previous response left it,
/// whichever worker of whichever pool answers: two separate `shop serve`
/// pools behind one nginx upstream (round-robin), 200 read-modify-write steps
/// on the session (adding to the cart), each checked on the next request.
/// Also: an old version cookie replayed after checkout on every worker, and
/// concurrent requests of one session that must not lose an update.
final class SessionCoherenceTests: XCTestCase {
    var products: [Int] = []

    override func setUpWithError() throws {
        let database = try TestDatabase.reset()
        let fixture = CatalogFixture(database: database)
        let tea = try fixture.category("Tea", slug: "tea")
        products = try (0..<20).map { try fixture.product("Tea \($0)", slug: "tea-\($0)", category: tea, price: "1.00") }
    }

    func testCachedDatabase() throws { try runCoherence(engine: "cached_db") }
    func testDatabase() throws { try runCoherence(engine: "db") }
    func testFile() throws { try runCoherence(engine: "file") }
    func testCache() throws { try runCoherence(engine: "cache") }
    func testSignedCookies() throws { try runCoherence(engine: "signed_cookies") }

    func testTwoBrowsersInterleavedCachedDatabase() throws { try runCoherence(engine: "cached_db", browsers: 2) }

    /// The same under load: wrk reads another session's cart meanwhile, so the workers share
    /// their catalog checks and take them as the proof their cached sessions are current
    /// (`SessionStore.takesSharedCheck`); each pool hears the other's saves by NOTIFY, passed on
    /// by whichever of its workers asked.
    func testCachedDatabaseWhileTheWorkersShareTheirChecks() throws {
        try XCTSkipUnless(LoadGenerator.isAvailable, "wrk is not installed (deploy/scripts/install-deps.sh installs it)")
        try runCoherence(engine: "cached_db", steps: 120, underLoad: true)
    }
    func testTwoBrowsersInterleavedDatabase() throws { try runCoherence(engine: "db", browsers: 2) }
    func testTwoBrowsersInterleavedFile() throws { try runCoherence(engine: "file", browsers: 2) }
    func testTwoBrowsersInterleavedCache() throws { try runCoherence(engine: "cache", browsers: 2) }

    func runCoherence(engine: String, browsers count: Int = 1, steps: Int = 200, underLoad: Bool = false) throws {
        var environment = ["SESSION_ENGINE": engine]
        environment["SESSION_FILE_PATH"] = try Paths.temporaryDirectory("sessions")
        if let cache = ProcessInfo.processInfo.environment["CACHE_URL"] { environment["CACHE_URL"] = cache }
        let pools = try TwoPools(environment: environment)
        defer { pools.stop() }
        let nginx = pools.nginx

        let browsers = (0..<count).map { _ in Browser(port: nginx.port) }
        var tokens: [String] = []
        for browser in browsers {
            let page = try browser.get("/\(products[0])/tea-0/")
            XCTAssertEqual(page.status, 200)
            tokens.append(try XCTUnwrap(Browser.csrfToken(in: page.text)))
        }
        var load: LoadGenerator?
        if underLoad {
            let other = Browser(port: nginx.port)
            let token = try XCTUnwrap(Browser.csrfToken(in: try other.get("/\(products[1])/tea-1/").text))
            XCTAssertEqual(try other.post("/cart/add/\(products[1])/", form: [("quantity", "2"), ("csrfmiddlewaretoken", token)]).status, 302)
            load = try LoadGenerator(url: "http://127.0.0.1:\(nginx.port)/cart/", seconds: 30, connections: 16,
                                     headers: ["Cookie: sessionid=\(try XCTUnwrap(other.cookies["sessionid"]))"])
        }
        defer { load?.stop() }  // a step that failed returns early
        var expected = Array(repeating: [Int: Int](), count: count)
        for step in 0..<steps {
            let which = step % count
            let browser = browsers[which]
            let product = products[(step / count) % products.count]
            let added = try browser.post("/cart/add/\(product)/", form: [
                ("quantity", "1"), ("override", "False"), ("csrfmiddlewaretoken", tokens[which]),
            ])
            XCTAssertEqual(added.status, 302, "step \(step) (\(engine)): \(added.text.prefix(300))")
            expected[which][product, default: 0] += 1
            // Shift the round-robin phase now and then, so each pool both writes and reads the session.
            if step % 3 == 0 { _ = try browser.get("/-/health") }
            let cart = try browser.get("/cart/")
            XCTAssertEqual(cart.status, 200)
            let seen = CartPage.lines(in: cart.text)
            if seen != expected[which] {
                XCTFail("step \(step) (\(engine)), browser \(which): the cart reads \(seen), its previous response left \(expected[which])")
                return
            }
        }
        if let result = load?.stop() {
            XCTAssertGreaterThan(result.requests, 0, result.output)
            XCTAssertEqual(result.non2xx + result.socketErrors, 0, result.output)
        }
        // Both pools really wrote and read the session.
        for (name, pool) in [("A", pools.a), ("B", pools.b)] {
            XCTAssertTrue(pool.log.contains("POST /cart/add/"), "pool \(name) saved some steps")
            XCTAssertTrue(pool.log.contains("GET /cart/ 200"), "pool \(name) read some steps")
            if underLoad {
                XCTAssertTrue(pool.log.split(separator: "\n").contains {
                    $0.hasPrefix("GET /cart/ 200 ") && $0.hasSuffix(" sql=0")
                }, "pool \(name)'s carts took shared checks")
            }
        }
    }

    /// Many requests on one session at once, across two pools: never a 5xx, and
    /// no add is lost (each waits for the session's lock while another changes it).
    func testConcurrentRequestsOnOneSessionNeverFail() throws {
        let pools = try TwoPools()
        defer { pools.stop() }
        let nginx = pools.nginx
        let first = Browser(port: nginx.port)
        let token = try XCTUnwrap(Browser.csrfToken(in: try first.get("/\(products[0])/tea-0/").text))
        XCTAssertEqual(try first.post("/cart/add/\(products[0])/", form: [("quantity", "1"), ("override", "False"), ("csrfmiddlewaretoken", token)]).status, 302)

        let statuses = StatusBox()
        let group = DispatchGroup()
        let products = self.products
        var expected = [products[0]: 1]
        for index in 0..<24 {
            // Each thread is the same browser: the same cookies, sent concurrently.
            let browser = Browser(port: nginx.port)
            for (name, value) in first.cookies { browser.setCookie(name, value) }
            if index % 2 == 0 { expected[products[index % 6], default: 0] += 1 }
            DispatchQueue.global().async(group: group) {
                let response = index % 2 == 0
                    ? try? browser.post("/cart/add/\(products[index % 6])/", form: [("quantity", "1"), ("override", "False"), ("csrfmiddlewaretoken", token)])
                    : try? browser.get("/cart/")
                statuses.append(response?.status ?? -1)
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 60), .success)
        XCTAssertTrue(statuses.values.allSatisfy { $0 == 200 || $0 == 302 }, "\(statuses.values)")
        XCTAssertEqual(CartPage.lines(in: try first.get("/cart/").text), expected, "every add counted once")
    }

    /// Issue 8: add to cart, warm every worker, check out (version 2), then send
    /// the old version cookie (1). Before, GET /cart/ alternated between the old
    /// cart and the empty one, and a POST on a stale worker saved the old cart over
    /// the new session: the ordered product came back and the confirmation was a 404.
    func testAReplayedVersionCookieAfterCheckoutNeverBringsBackTheOldCart() throws {
        let pools = try TwoPools()
        defer { pools.stop() }
        let nginx = pools.nginx
        let owner = Browser(port: nginx.port)
        let token = try XCTUnwrap(Browser.csrfToken(in: try owner.get("/\(products[0])/tea-0/").text))
        func add(_ product: Int, as browser: Browser) throws {
            let response = try browser.post("/cart/add/\(product)/", form: [("quantity", "1"), ("override", "False"), ("csrfmiddlewaretoken", token)])
            XCTAssertEqual(response.status, 302, response.text.prefix(300).description)
        }
        try add(products[0], as: owner)
        for _ in 0..<12 {  // every worker of both pools caches version 1
            XCTAssertEqual(CartPage.lines(in: try owner.get("/cart/").text), [products[0]: 1])
        }
        let old = owner.cookies
        XCTAssertEqual(old["sessionid_version"], "1")

        XCTAssertEqual(try owner.get("/orders/create/").status, 200)
        let address = [("first_name", "Ada"), ("last_name", "Lovelace"), ("email", "ada@example.com"),
                       ("address", "12 St James's Square"), ("postal_code", "SW1Y 4JH"), ("city", "London")]
        let placed = try owner.post("/orders/create/", form: address + [("csrfmiddlewaretoken", token)])
        XCTAssertEqual(placed.status, 302)
        let confirmation = try XCTUnwrap(placed.header("Location"))
        XCTAssertTrue(confirmation.hasPrefix("/orders/"), confirmation)
        XCTAssertEqual(try owner.get(confirmation).status, 200)

        func replaying() -> Browser {
            let browser = Browser(port: nginx.port)
            for (name, value) in old { browser.setCookie(name, value) }
            return browser
        }
        for request in 0..<12 {  // reads with the old version cookie, on every worker, at once
            let replay = replaying()
            XCTAssertEqual(CartPage.lines(in: try replay.get("/cart/").text), [:], "read \(request) got the old cart back")
            XCTAssertEqual(try replay.get(confirmation).status, 200, "read \(request): the session is the one that ordered")
        }
        for _ in 0..<4 { try add(products[1], as: replaying()) }  // writes with the old version cookie
        XCTAssertEqual(try owner.get(confirmation).status, 200, "the confirmation stays reachable")
        for _ in 0..<4 {
            XCTAssertEqual(CartPage.lines(in: try owner.get("/cart/").text), [products[1]: 4], "the ordered product is not back")
        }
    }

    /// 20 concurrent adds of 20 different products with one session cookie end with 20 lines.
    func testTwentyConcurrentAddsEndWithTwentyLinesCachedDatabase() throws { try runConcurrentAdds(engine: "cached_db") }
    func testTwentyConcurrentAddsEndWithTwentyLinesDatabase() throws { try runConcurrentAdds(engine: "db") }

    func runConcurrentAdds(engine: String) throws {
        let pools = try TwoPools(environment: ["SESSION_ENGINE": engine])
        defer { pools.stop() }
        let nginx = pools.nginx
        let first = Browser(port: nginx.port)
        let token = try XCTUnwrap(Browser.csrfToken(in: try first.get("/\(products[0])/tea-0/").text))
        // A session to share: the cart's first line.
        XCTAssertEqual(try first.post("/cart/add/\(products[0])/", form: [("quantity", "1"), ("override", "False"), ("csrfmiddlewaretoken", token)]).status, 302)

        let statuses = StatusBox()
        let group = DispatchGroup()
        for product in products {
            let tab = Browser(port: nginx.port)
            for (name, value) in first.cookies { tab.setCookie(name, value) }
            DispatchQueue.global().async(group: group) {
                let response = try? tab.post("/cart/add/\(product)/", form: [("quantity", "1"), ("override", "False"), ("csrfmiddlewaretoken", token)])
                statuses.append(response?.status ?? -1)
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 120), .success)
        XCTAssertEqual(statuses.values, Array(repeating: 302, count: products.count))
        var expected = Dictionary(uniqueKeysWithValues: products.map { ($0, 1) })
        expected[products[0]] = 2
        let lines = CartPage.lines(in: try first.get("/cart/").text)
        XCTAssertEqual(lines.count, 20)
        XCTAssertEqual(lines, expected, "no add was lost")
    }
}

/// Two pools of 2 workers each behind one nginx upstream (round-robin), as
/// several pools may sit behind one nginx in production.
final class TwoPools {
    let a: ShopServer
    let b: ShopServer
    let nginx: NginxServer

    init(environment: [String: String] = [:]) throws {
        a = try ShopServer(workers: 2, environment: environment, label: "poolA")
        b = try ShopServer(workers: 2, environment: environment, label: "poolB")
        nginx = try NginxServer(sockets: [a.socketPath, b.socketPath])
    }

    func stop() {
        nginx.stop()
        a.stop()
        b.stop()
    }
}
