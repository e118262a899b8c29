@testable import Web
import Postgres
import TestSupport
import XCTest

final class RouterTests: XCTestCase {
    func router() -> Router {
        var router = Router()
        router.get("/cart/") { _ in .text("cart") }
        router.post("/cart/add/{product_id:int}/") { _ in .text("add") }
        router.get("/{category_slug}/") { _ in .text("category") }
        router.get("/{id:int}/{slug}/") { _ in .text("detail") }
        return router
    }

    func testOrderAndParameters() {
        guard case .found(_, let parameters, _) = router().match(method: "GET", path: "/12/green-tea/") else { return XCTFail() }
        XCTAssertEqual(parameters, ["id": "12", "slug": "green-tea"])
        guard case .found(_, let cart, _) = router().match(method: "GET", path: "/cart/") else { return XCTFail() }
        XCTAssertEqual(cart, [:], "an earlier literal route wins over the slug catch-all")
    }

    func testIntSegmentsRejectNonDigits() {
        if case .found = router().match(method: "POST", path: "/cart/add/-1/") { XCTFail("negative id matched") }
        if case .found = router().match(method: "POST", path: "/cart/add/1e3/") { XCTFail("exponent matched") }
        if case .found = router().match(method: "GET", path: "/12/<script>/") { XCTFail("slug with markup matched") }
    }

    func testMethodNotAllowedAndAppendSlash() {
        guard case .methodNotAllowed(let allowed) = router().match(method: "GET", path: "/cart/add/3/") else { return XCTFail() }
        XCTAssertEqual(allowed, ["POST"])
        guard case .appendSlash = router().match(method: "GET", path: "/tea") else { return XCTFail() }
        guard case .notFound = router().match(method: "GET", path: "/a/b/c/") else { return XCTFail() }
    }

    /// Segments are split at the byte `/` and compared byte for byte.
    func testSegmentsAreBytes() {
        guard case .found(_, let add, _) = router().match(method: "POST", path: "//cart//add/7//") else { return XCTFail() }
        XCTAssertEqual(add, ["product_id": "7"], "empty segments are skipped, as before")
        // U+212A KELVIN SIGN is canonically equivalent to "K" for String's ==; Django compares code points.
        var kelvin = Router()
        kelvin.get("/Kettles/") { _ in .text("kettles") }
        guard case .notFound = kelvin.match(method: "GET", path: "/\u{212A}ettles/") else { return XCTFail("a Kelvin sign matched a K") }
        guard case .found = kelvin.match(method: "GET", path: "/Kettles/") else { return XCTFail() }
        // A combining mark after a slash: one Character with it, but the slash still ends the segment.
        guard case .notFound = router().match(method: "GET", path: "/cart/\u{301}/") else { return XCTFail() }
        guard case .notFound = router().match(method: "GET", path: "/t\u{e9}a/") else { return XCTFail("a slug is ASCII") }
        guard case .found(_, let slug, _) = router().match(method: "GET", path: "/green_tea-2/") else { return XCTFail() }
        XCTAssertEqual(slug, ["category_slug": "green_tea-2"])
        guard case .notFound = router().match(method: "GET", path: "/1234567890123456789/x/") else {
            return XCTFail("an id too long for an Int matched")
        }
    }
}

final class FormDataTests: XCTestCase {
    func testDecodesPlusAndPercent() throws {
        let form = try FormData.parse(urlencoded: "name=J%C3%BCrgen+M%C3%BCller&quantity=2&empty=&flag")
        XCTAssertEqual(form["name"], "Jürgen Müller")
        XCTAssertEqual(form["quantity"], "2")
        XCTAssertEqual(form["empty"], "")
        XCTAssertEqual(form["flag"], "")
        XCTAssertNil(form["missing"])
    }

    /// The pairs exactly: empty pairs skipped, a pair split on its first `=`, names decoded too.
    func testSplitsPairsAsDjangosQueryDict() throws {
        let form = try FormData.parse(urlencoded: "&&a=1&=&=x&b==c&%61+b=%2B&&last")
        XCTAssertEqual(form.pairs.map { [$0.name, $0.value] }, [["a", "1"], ["", "x"], ["b", "=c"], ["a b", "+"], ["last", ""]])
        XCTAssertEqual(try FormData.parse(urlencoded: "").pairs.count, 0)
        XCTAssertEqual(try FormData.parse(urlencoded: "=").pairs.count, 0)
    }

    func testRepeatedNamesKeepAllAndLastWins() throws {
        let form = try FormData.parse(urlencoded: "a=1&a=2")
        XCTAssertEqual(form.all("a"), ["1", "2"])
        XCTAssertEqual(form["a"], "2")
    }

    func testBrokenInputIs400() {
        for bad in ["a=%ZZ", "a=%4", "a=%C3%28", "a=%FF"] {
            XCTAssertThrowsError(try FormData.parse(urlencoded: bad), bad) { error in
                XCTAssertEqual((error as? HTTPError)?.status, 400)
            }
        }
        XCTAssertThrowsError(try FormData.parse(urlencoded: [0x61, 0x3D, 0xC3, 0x28]))
    }
}

final class PriceFormatTests: XCTestCase {
    func testDollarsWithTwoDecimalsAndGrouping() {
        XCTAssertEqual(PriceFormat.dollars(Decimal(string: "1299")!), "$1,299.00")
        XCTAssertEqual(PriceFormat.dollars(Decimal(string: "0.1")!), "$0.10")
        XCTAssertEqual(PriceFormat.dollars(Decimal(string: "1234567.891")!), "$1,234,567.89")
        XCTAssertEqual(PriceFormat.dollars(Decimal(string: "0.005")!), "$0.01", "half-up")
        XCTAssertEqual(PriceFormat.dollars(Decimal(string: "999.999")!), "$1,000.00")
        XCTAssertEqual(PriceFormat.dollars(0), "$0.00")
        XCTAssertEqual(PriceFormat.plain(Decimal(string: "7.5")!), "7.50")
    }

    func testFastPathAgreesWithTheSlowOne() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let cents = Int.random(in: -10_000_000_000...10_000_000_000, using: &generator)
            let scale = Int.random(in: 0...4, using: &generator)
            let amount = Decimal(cents) / pow(Decimal(10), scale)
            XCTAssertEqual(PriceFormat.dollars(amount), PriceFormat.slowDollars(amount), "\(amount)")
        }
        let huge = Decimal(string: "123456789012345678901234567890.125")!
        XCTAssertEqual(PriceFormat.dollars(huge), PriceFormat.slowDollars(huge))
        XCTAssertEqual(PriceFormat.dollars(Decimal(string: "-1234.5")!), "-$1,234.50")
        XCTAssertEqual(PriceFormat.dollars(Decimal(string: "1E+3")!), "$1,000.00")
        XCTAssertEqual(PriceFormat.dollars(Decimal(string: "-0.00")!), "$0.00")
        XCTAssertEqual(PriceFormat.dollars(Decimal(string: "18446744073709551615")!), "$18,446,744,073,709,551,615.00")
        XCTAssertEqual(PriceFormat.dollars(Decimal(string: "8.50")! * 3), "$25.50")
    }

    /// The cart's pages add up whole cents: the text must be the Decimal's, to the byte.
    func testCentsAgreeWithDecimal() {
        var generator = SystemRandomNumberGenerator()
        var samples = [0, 1, 7, 10, 99, 100, 101, 99_999, 100_000, 123_456_789, -7, -100_000, Int(Int32.max)]
        for _ in 0..<2000 { samples.append(Int.random(in: -10_000_000_000_000...10_000_000_000_000, using: &generator)) }
        for cents in samples {
            let amount = Decimal(cents) / 100
            XCTAssertEqual(PriceFormat.dollars(cents: cents), PriceFormat.dollars(amount), "\(cents)")
            XCTAssertEqual(PriceFormat.cents(fromNumericText: PriceFormat.plain(amount)), cents, "\(amount)")
            XCTAssertEqual(PriceFormat.plain(cents: cents), PriceFormat.plain(amount), "\(cents)")
        }
        XCTAssertEqual(PriceFormat.cents(fromNumericText: "8.50"), 850)
        XCTAssertEqual(PriceFormat.cents(fromNumericText: "0.07"), 7)
        XCTAssertEqual(PriceFormat.cents(fromNumericText: "-0.07"), -7)
        for text in ["8.5", "8", "8.500", ".50", "8.-5", "8,50", "", "-", "NaN", "1e3", "99999999999999999.00", "８.50"] {
            XCTAssertNil(PriceFormat.cents(fromNumericText: text), text)
        }
    }

    func testSelectOptionsEscapeAndMarkTheSelectedOne() {
        XCTAssertEqual(SelectOptions.html([("1", "1"), ("2", "2")], selected: "2"),
                       #"<option value="1">1</option><option value="2" selected>2</option>"#)
        XCTAssertEqual(SelectOptions.html([("\"x", "<b>")], selected: nil), #"<option value="&quot;x">&lt;b&gt;</option>"#)
    }

    func testExactSums() {
        let sum = Decimal(string: "0.1")! + Decimal(string: "0.2")!
        XCTAssertEqual(PriceFormat.dollars(sum * 3), "$0.90")
    }
}

final class HTMLEscapeTests: XCTestCase {
    func testEscapesTheFiveCharacters() {
        XCTAssertEqual(HTML.escape(#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        XCTAssertEqual(HTML.escape("plain ümlaut"), "plain ümlaut")
    }

    func testTemplatesEscapeByDefault() throws {
        let directory = NSTemporaryDirectory() + "tpl-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "<p>{{value}}</p>{{{raw}}}".write(toFile: directory + "/page.html", atomically: true, encoding: .utf8)
        let renderer = try TemplateRenderer(directory: directory)
        let html = try renderer.render("page", ["value": "<script>alert('x')</script>", "raw": "<b>ok</b>"])
        XCTAssertEqual(html, "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</p><b>ok</b>")
    }
}

final class LRUCacheTests: XCTestCase {
    func testEvictsLeastRecentlyUsed() {
        var cache = LRUCache<String, Int>(capacity: 2)
        cache.put("a", 1)
        cache.put("b", 2)
        XCTAssertEqual(cache.get("a"), 1)
        cache.put("c", 3)
        XCTAssertNil(cache.get("b"), "b was least recently used")
        XCTAssertEqual(cache.get("a"), 1)
        XCTAssertEqual(cache.get("c"), 3)
        cache.remove("a")
        XCTAssertNil(cache.get("a"))
        cache.put("d", 4)
        cache.put("e", 5)
        XCTAssertEqual(cache.count, 2)
        XCTAssertNil(cache.get("c"))
    }

    func testRandomOperationsAgreeWithAModel() {
        var cache = LRUCache<Int, Int>(capacity: 8)
        var model: [(Int, Int)] = []  // most recent last
        var generator = SystemRandomNumberGenerator()
        for step in 0..<5000 {
            let key = Int.random(in: 0..<20, using: &generator)
            switch Int.random(in: 0..<3, using: &generator) {
            case 0:
                cache.put(key, step)
                model.removeAll { $0.0 == key }
                model.append((key, step))
                if model.count > 8 { model.removeFirst() }
            case 1:
                let expected = model.first { $0.0 == key }
                XCTAssertEqual(cache.get(key), expected?.1)
                if let expected { model.removeAll { $0.0 == key }; model.append(expected) }
            default:
                cache.remove(key)
                model.removeAll { $0.0 == key }
            }
            XCTAssertEqual(cache.count, model.count)
        }
    }
}

final class RequestTests: XCTestCase {
    func testFromFastCGIParameters() {
        let request = Request(cgiParameters: [
            "REQUEST_METHOD": "POST", "DOCUMENT_URI": "/cart/add/3/", "REQUEST_URI": "/cart/add/3/?x=1",
            "QUERY_STRING": "x=1", "HTTP_HOST": "shop.example:8000", "HTTP_COOKIE": "sessionid=abc; csrftoken=\"def\"",
            "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": "5", "REMOTE_ADDR": "10.0.0.1", "HTTPS": "on",
        ], body: Array("a=b&c".utf8))
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.path, "/cart/add/3/")
        XCTAssertEqual(request.queryString, "x=1")
        XCTAssertEqual(request.host, "shop.example")
        XCTAssertEqual(request.cookies, ["sessionid": "abc", "csrftoken": "def"])
        XCTAssertEqual(request.headers["content-type"], "application/x-www-form-urlencoded")
        XCTAssertTrue(request.isSecure)
        XCTAssertEqual(request.fullPath, "/cart/add/3/?x=1")
        // nginx's DOCUMENT_URI is the normalized path (slashes merged, dots resolved): it wins
        // over the raw REQUEST_URI.
        let merged = Request(cgiParameters: ["DOCUMENT_URI": "/cart/", "REQUEST_URI": "//cart//./"], body: [])
        XCTAssertEqual(merged.path, "/cart/")
    }

    /// What nginx may leave out, and what it sends that the shop does not read.
    func testFromFastCGIParametersFallsBackAsCGIDoes() {
        let request = Request(cgiParameters: [
            "REQUEST_METHOD": "post", "REQUEST_URI": "/caf%C3%A9/?next=%2F", "REQUEST_SCHEME": "https",
            "HTTP_X_CSRFTOKEN": "t0k", "HTTP_CONTENT_TYPE": "text/plain", "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": "", "SERVER_PORT": "8000", "REMOTE_PORT": "51234", "HTTP_": "nameless",
        ], body: [])
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.path, "/café/")
        XCTAssertEqual(request.queryString, "")
        XCTAssertTrue(request.isSecure)
        XCTAssertEqual(request.headers, [
            "host": "localhost", "x-csrftoken": "t0k", "content-type": "application/x-www-form-urlencoded", "": "nameless",
        ])
        XCTAssertEqual(request.remoteAddress, "")
        XCTAssertNil(request.receivedMilliseconds)
        XCTAssertEqual(Request(cgiParameters: ["SCRIPT_NAME": "/cart/", "REQUEST_URI": "/x/"], body: []).path, "/cart/")
        XCTAssertEqual(Request(cgiParameters: ["SCRIPT_NAME": "", "REQUEST_URI": "/x/?a"], body: []).path, "/x/")
        XCTAssertEqual(Request(cgiParameters: [:], body: []).path, "/")
        XCTAssertEqual(Request(cgiParameters: [:], body: []).method, "GET")
        XCTAssertFalse(Request(cgiParameters: ["HTTPS": "off", "REQUEST_SCHEME": "http"], body: []).isSecure)
    }
}

final class RouteGroupAndReversingTests: XCTestCase {
    func testTheMostSpecificPatternWinsWhateverTheOrder() {
        var router = Router()
        router.get("/{category_slug}/") { _ in .text("category") }
        router.get("/{id:int}/{slug}/") { _ in .text("detail") }
        router.get("/cart/") { _ in .text("cart") }
        router.get("/orders/create/") { _ in .text("checkout") }
        for (path, expected) in [("/cart/", "cart"), ("/tea/", "category"), ("/orders/create/", "checkout"), ("/12/tea/", "detail")] {
            guard case .found(let view, _, _) = router.match(method: "GET", path: path) else { return XCTFail(path) }
            XCTAssertEqual(try view(Self.context()).bodyText, expected, path)
        }
    }

    func testGroupsJoinPrefixesAndWrapOnlyTheirRoutesInMiddlewareOutermostFirst() throws {
        var router = Router()
        func tag(_ label: String) -> Middleware {
            { context, next in
                var response = try next(context)
                response.body = Array(label.utf8) + response.body
                return response
            }
        }
        router.get("/open/") { _ in .text("open") }
        router.group("/admin/", middleware: [tag("A")]) { admin in
            admin.get("login/", name: "admin:login") { _ in .text("login") }
            admin.group("", middleware: [tag("B")]) { staff in
                staff.get("", name: "admin:index") { _ in .text("index") }
                staff.get("shop/product/{id:int}/change/", name: "admin:shop_product_change") { _ in .text("change") }
            }
        }
        for (path, expected) in [("/open/", "open"), ("/admin/login/", "Alogin"), ("/admin/", "ABindex"),
                                 ("/admin/shop/product/3/change/", "ABchange")] {
            guard case .found(let view, _, _) = router.match(method: "GET", path: path) else { return XCTFail(path) }
            XCTAssertEqual(try view(Self.context()).bodyText, expected, path)
        }
        let urls = router.urls
        XCTAssertEqual(try urls.path("admin:index"), "/admin/")
        XCTAssertEqual(try urls.path("admin:shop_product_change", ["id": 3]), "/admin/shop/product/3/change/")
        XCTAssertThrowsError(try urls.path("admin:shop_product_change", ["id": "3/../x"]))
        XCTAssertThrowsError(try urls.path("admin:shop_product_change", [:]))
        XCTAssertThrowsError(try urls.path("no:such"))
        XCTAssertEqual(urls.templateValue.member("admin")?.member("index").map { "\($0)" }, #"string("/admin/")"#)
    }

    static func context() -> RequestContext {
        let settings = Settings()
        let database = PostgresConnection(url: settings.databaseURL)
        let services = Services(settings: settings, database: database, templates: try! TemplateRenderer(directory: Paths.templates),
                                sessionStore: DatabaseSessionStore(database: database, secretKey: "router-tests-secret-key"))
        return RequestContext(request: Request(), services: services)
    }
}
