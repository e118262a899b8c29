import Foundation
import Postgres
import TestSupport
import XCTest

/// What a visitor meets at nginx (deploy/nginx.conf.template, as `make run` renders
/// it) in front of a real pool: large response headers, /-/status, media dotfiles,
/// security headers on nginx's own answers, reason phrases, the DEBUG footer.
final class NginxSecurityTests: XCTestCase {
    var database: PostgresConnection!
    var pool: ShopServer!
    var nginx: NginxServer!
    var media = ""
    var sencha = 0
    /// A loopback address that is not 127.0.0.1: a client nginx must not take for this machine.
    let outsider = "127.0.0.2"

    override func setUpWithError() throws {
        database = try TestDatabase.reset()
        let fixture = CatalogFixture(database: database)
        let tea = try fixture.category("Tea", slug: "tea")
        sencha = try fixture.product("Sencha", slug: "sencha", category: tea, price: "8.50")
        pool = try ShopServer(workers: 2, environment: ["DEBUG": "1"])
        media = try Paths.temporaryDirectory("media")
        nginx = try NginxServer(sockets: [pool.socketPath], mediaRoot: media)
    }

    override func tearDown() {
        nginx?.stop()
        pool?.stop()
    }

    func get(_ path: String, headers: [String: String] = [:], from address: String? = nil) throws -> HTTPResponse {
        try HTTPClient.request(port: nginx.port, path: path, headers: headers, from: address)
    }

    func testStatusIsServedToLocalAddressesOnly() throws {
        let local = try get("/-/status")
        XCTAssertEqual(local.status, 200)
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(local.body)) as? [String: Any])
        let remote = try get("/-/status", from: outsider)
        XCTAssertEqual(remote.status, 403)
        XCTAssertFalse(remote.text.contains("pids"))
        // Headers a client writes itself are not trusted.
        for header in ["X-Forwarded-For", "X-Real-IP"] {
            XCTAssertEqual(try get("/-/status", headers: [header: "127.0.0.1"], from: outsider).status, 403, header)
        }
        XCTAssertEqual(try get("/-/status/", from: outsider).status, 404, "no other spelling reaches it")
        XCTAssertEqual(try get("/-/health", from: outsider).status, 200, "health stays public")
    }

    func testLongRedirectsAreNotA502() throws {
        let query = "a=" + String(repeating: "x", count: 3_900)
        let redirect = try get("/tea?" + query)
        XCTAssertEqual(redirect.status, 301, String(nginx.errorLog.suffix(200)))
        XCTAssertTrue(redirect.header("Location") == "/tea/?" + query, "the query string is kept")
        let tooLong = try get("/tea?a=" + String(repeating: "x", count: 7_000))
        XCTAssertEqual(tooLong.status, 414, "refused by the app, not a 502 from nginx")
    }

    func testMediaDotfilesAreDenied() throws {
        try FileManager.default.createDirectory(atPath: media + "/products/.git", withIntermediateDirectories: true)
        for (path, text) in [("photo.txt", "photo"), (".env", "SECRET_KEY=x"), ("products/.git/config", "[core]"), ("products/.htaccess", "x")] {
            try text.write(toFile: media + "/" + path, atomically: true, encoding: .utf8)
        }
        XCTAssertEqual(try get("/media/photo.txt").text, "photo")
        for path in ["/media/.env", "/media/products/.git/config", "/media/products/.htaccess", "/media/products/%2Egit/config"] {
            let response = try get(path)
            XCTAssertTrue([403, 404].contains(response.status), "\(path): \(response.status)")
            XCTAssertFalse(response.text.contains("SECRET_KEY") || response.text.contains("[core]"), path)
        }
        XCTAssertTrue([403, 404].contains(try get("/static/.gitignore").status))
    }

    func testNginxsOwnAnswersCarryTheSecurityHeaders() throws {
        try "photo".write(toFile: media + "/photo.txt", atomically: true, encoding: .utf8)
        let answers = [
            ("static file", try get("/static/css/base.css"), 200),
            ("media file", try get("/media/photo.txt"), 200),
            ("nginx's 404", try get("/static/no-such-file.css"), 404),
            ("nginx's 403", try get("/media/.env"), 403),
            ("nginx's 413", try HTTPClient.request(port: nginx.port, method: "POST", path: "/cart/add/1/",
                                                   body: [UInt8](repeating: 0x61, count: 11 * 1024 * 1024)), 413),
            ("an app page", try get("/"), 200),
            ("an app error", try get("/no-such-category/"), 404),
        ]
        for (what, response, status) in answers {
            XCTAssertEqual(response.status, status, what)
            XCTAssertEqual(response.headers(named: "X-Content-Type-Options"), ["nosniff"], what)
            XCTAssertEqual(response.headers(named: "X-Frame-Options"), ["DENY"], what)
            XCTAssertEqual(response.headers(named: "Referrer-Policy"), ["same-origin"], what)
        }
        pool.stop()
        let down = try get("/")
        XCTAssertEqual(down.status, 502)
        XCTAssertEqual(down.headers(named: "X-Content-Type-Options"), ["nosniff"], "nginx's 502")
    }

    func testEveryStatusLineHasItsReasonPhrase() throws {
        let browser = Browser(port: nginx.port)
        try browser.get("/\(sencha)/sencha/")
        let secret = try XCTUnwrap(browser.cookies["csrftoken"])
        let json = try browser.send("POST", "/cart/add/\(sencha)/",
                                    headers: ["Content-Type": "application/json", "X-CSRFToken": secret], body: Array("{}".utf8))
        XCTAssertEqual(json.status, 415)
        XCTAssertEqual(json.reason, "Unsupported Media Type")
        let missing = try get("/no-such-category/")
        XCTAssertEqual(missing.reason, "Not Found")
    }

    /// nginx hands the app the browser's Host with its port, so the CSRF Origin check compares ports.
    func testTheOriginsPortIsCompared() throws {
        let browser = Browser(port: nginx.port)
        let page = try browser.get("/\(sencha)/sencha/")
        let token = try XCTUnwrap(Browser.csrfToken(in: page.text))
        let form = [("quantity", "1"), ("override", "False"), ("csrfmiddlewaretoken", token)]
        let otherPort = try browser.post("/cart/add/\(sencha)/", form: form, headers: ["Origin": "http://127.0.0.1:\(nginx.port + 1)"])
        XCTAssertEqual(otherPort.status, 403)
        XCTAssertTrue(otherPort.text.contains("Origin checking failed"))
        let same = try browser.post("/cart/add/\(sencha)/", form: form, headers: ["Origin": "http://127.0.0.1:\(nginx.port)"])
        XCTAssertEqual(same.status, 302, same.text)
    }

    /// A cookieless POST is refused before its body is parsed: the worker's own time
    /// (the access log's milliseconds) stays small for 10 MB.
    func testACookieless10MBPostCostsTheWorkerLittle() throws {
        let body = Array(String(repeating: "a=%C3%A9&", count: 10 * 1024 * 1024 / 9).utf8)
        let response = try HTTPClient.request(port: nginx.port, method: "POST", path: "/cart/add/\(sencha)/",
                                              headers: ["Content-Type": "application/x-www-form-urlencoded"], body: body)
        XCTAssertEqual(response.status, 403)
        try waitUntil(timeout: 5) { self.pool.log.contains("POST /cart/add/\(self.sencha)/ 403 ") }
        let line = try XCTUnwrap(pool.log.split(separator: "\n").first { $0.hasPrefix("POST /cart/add/\(sencha)/ 403 ") })
        let milliseconds = try XCTUnwrap(Double(line.split(separator: " ")[3].dropLast(2)))
        print("cookieless 10 MB POST: \(milliseconds) ms of worker time")
        XCTAssertLessThan(milliseconds, 250, String(line))
    }

    func testTheSQLFooterIsForLocalClientsOnly() throws {
        XCTAssertTrue(try get("/").text.contains("id=\"sql-queries\""), "DEBUG=1 shows it to 127.0.0.1")
        let remote = try get("/", from: outsider)
        XCTAssertEqual(remote.status, 200)
        XCTAssertFalse(remote.text.contains("id=\"sql-queries\""))
        XCTAssertFalse(remote.text.contains("shop_product"))
    }
}

/// With signed_cookies, through nginx: no cart size makes a 502; past what a browser
/// keeps, the change is refused with a message and the cart stays as it was.
final class SignedCookieThroughNginxTests: XCTestCase {
    func testAGrowingCartNeverGivesA502() throws {
        let database = try TestDatabase.reset()
        let fixture = CatalogFixture(database: database)
        let tea = try fixture.category("Tea", slug: "tea")
        let products = try SignedCookieCart.makeProducts(database, category: tea, count: 1_500)
        let secretKey = "signed-cookie-cart-secret-key-0123456789abcdefghijklmnop"
        let pool = try ShopServer(workers: 1, environment: ["SESSION_ENGINE": "signed_cookies", "SECRET_KEY": secretKey])
        let nginx = try NginxServer(sockets: [pool.socketPath])
        defer { nginx.stop(); pool.stop() }
        let browser = Browser(port: nginx.port)
        let token = try XCTUnwrap(Browser.csrfToken(in: try browser.get("/\(products[0])/tea-1/").text))
        // The cookie is compressed (as Django's): start from a cart just below the limit.
        let (seeded, lines) = SignedCookieCart.cookie(products: products, secretKey: secretKey)
        browser.setCookie("sessionid", seeded)
        var refusal: HTTPResponse?
        var accepted = lines
        for id in products[lines...] {
            let response = try browser.post("/cart/add/\(id)/", form: [("quantity", "20"), ("override", "False"), ("csrfmiddlewaretoken", token)])
            XCTAssertNotEqual(response.status, 502)
            if response.status != 302 { refusal = response; break }
            accepted += 1
        }
        let refused = try XCTUnwrap(refusal, "1,500 lines never reached the cookie limit")
        XCTAssertEqual(refused.status, 400)
        XCTAssertTrue(refused.text.contains("too large to keep in a browser cookie"), refused.text)
        XCTAssertTrue(refused.headers(named: "Set-Cookie").allSatisfy { !$0.hasPrefix("sessionid=") })
        let cart = try browser.get("/cart/")
        XCTAssertEqual(cart.status, 200)
        XCTAssertEqual(CartPage.lines(in: cart.text).count, accepted, "the cart is as before the refused add")
        XCTAssertGreaterThan(accepted, lines, "adds were accepted until the limit")
    }

    /// DEBUG=1 without SECRET_KEY: one random key per start, made in the master, so a
    /// cookie one worker signed is good in every other worker.
    func testTheRandomDebugKeyIsSharedByTheWorkers() throws {
        let database = try TestDatabase.reset()
        let fixture = CatalogFixture(database: database)
        let tea = try fixture.category("Tea", slug: "tea")
        let sencha = try fixture.product("Sencha", slug: "sencha", category: tea, price: "8.50")
        let pool = try ShopServer(workers: 3, environment: ["SESSION_ENGINE": "signed_cookies", "DEBUG": "1", "SECRET_KEY": ""])
        let nginx = try NginxServer(sockets: [pool.socketPath])
        defer { nginx.stop(); pool.stop() }
        let browser = Browser(port: nginx.port)
        let token = try XCTUnwrap(Browser.csrfToken(in: try browser.get("/\(sencha)/sencha/").text))
        let added = try browser.post("/cart/add/\(sencha)/", form: [("quantity", "2"), ("override", "False"), ("csrfmiddlewaretoken", token)])
        XCTAssertEqual(added.status, 302)
        var pids = Set<Substring>()
        for _ in 0..<12 {
            XCTAssertEqual(CartPage.lines(in: try browser.get("/cart/").text), [sencha: 2])
        }
        try waitUntil(timeout: 5) { pool.log.components(separatedBy: "GET /cart/ 200").count > 12 }
        for line in pool.log.split(separator: "\n") where line.hasPrefix("GET /cart/ 200") {
            if let pid = line.split(separator: " ").first(where: { $0.hasPrefix("pid=") }) { pids.insert(pid) }
        }
        XCTAssertGreaterThan(pids.count, 1, "the cart was read by several workers")
    }
}
