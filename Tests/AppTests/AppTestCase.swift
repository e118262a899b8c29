import Foundation
import Postgres
import Site
import TestSupport
import Web
import XCTest

/// Base class of the in-process view tests: a fresh schema per test, the
/// real Application (`Site.makeApplication`) over the real templates, a small
/// catalog, and browsers that keep cookies.
class AppTestCase: XCTestCase {
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/AppTests/AppTestCase.swift
        return url.path
    }()

    private static let sharedTemplates = Result { try TemplateRenderer(directory: repositoryRoot + "/Templates") }

    private(set) var database: PostgresConnection!
    private(set) var app: Application!
    private var applications: [Application] = []
    private(set) var categoryID = 0
    /// A product for pages with a form (the browsers fetch their CSRF token there).
    private(set) var teaID = 0

    override func setUpWithError() throws {
        try super.setUpWithError()
        database = try TestDatabase.reset()
        app = try makeApplication()
        categoryID = try XCTUnwrap(database.scalar(
            "INSERT INTO shop_category (name, slug) VALUES ('Tea', 'tea') RETURNING id", as: Int.self))
        teaID = try makeProduct("Green Tea", price: "8.50")
    }

    override func tearDown() {
        for application in applications { application.services.database.close() }
        applications.removeAll()
        app = nil
        database?.close()
        database = nil
        super.tearDown()
    }

    /// Another worker's Application (its own connection and session cache).
    func makeApplication(_ configure: (inout Settings) -> Void = { _ in }) throws -> Application {
        var settings = Settings(databaseURL: TestDatabase.url)
        configure(&settings)
        let application = try Site.makeApplication(settings: settings, templates: try AppTestCase.sharedTemplates.get())
        applications.append(application)
        return application
    }

    func browser(_ application: Application? = nil) -> ShopperBrowser {
        ShopperBrowser(app: application ?? app, formPage: "/\(teaID)/green-tea/")
    }

    // MARK: Fixtures

    @discardableResult
    func makeProduct(_ name: String, price: String, available: Bool = true) throws -> Int {
        let slug = name.lowercased().replacingOccurrences(of: " ", with: "-")
        return try XCTUnwrap(database.scalar("""
            INSERT INTO shop_product (category_id, name, slug, price, available) VALUES ($1, $2, $3, $4::numeric, $5)
            RETURNING id
            """, [categoryID, name, slug, price, available], as: Int.self))
    }

    func setPrice(_ productID: Int, _ price: String) throws {
        try database.execute("UPDATE shop_product SET price = $2::numeric WHERE id = $1", [productID, price])
    }

    func setAvailable(_ productID: Int, _ available: Bool) throws {
        try database.execute("UPDATE shop_product SET available = $2 WHERE id = $1", [productID, available])
    }

    func orderCount() throws -> Int { try database.scalar("SELECT count(*) FROM orders_order", as: Int.self) ?? -1 }
    func itemCount() throws -> Int { try database.scalar("SELECT count(*) FROM orders_orderitem", as: Int.self) ?? -1 }

    // MARK: Assertions

    /// Adds through the view and checks the redirect.
    func add(_ browser: ShopperBrowser, _ productID: Int, quantity: Int, override: Bool = false,
             file: StaticString = #filePath, line: UInt = #line) {
        let response = browser.post("/cart/add/\(productID)/", ["quantity": "\(quantity)", "override": override ? "True" : "False"])
        XCTAssertEqual(response.status, 302, response.bodyText, file: file, line: line)
        XCTAssertEqual(response.header("Location"), "/cart/", file: file, line: line)
    }

    /// The cart page's lines: product id → quantity, from the `data-` hooks.
    func cartLines(_ browser: ShopperBrowser, file: StaticString = #filePath, line: UInt = #line) -> [Int: Int] {
        let page = browser.get("/cart/")
        XCTAssertEqual(page.status, 200, file: file, line: line)
        return Self.lines(in: page.bodyText)
    }

    static func lines(in html: String) -> [Int: Int] {
        var lines: [Int: Int] = [:]
        for match in html.matches(of: /data-product-id="(\d+)" data-quantity="(\d+)"/) {
            lines[Int(match.output.1)!] = Int(match.output.2)!
        }
        return lines
    }

    /// The text of the element with `id`.
    static func element(_ id: String, in html: String) -> String? {
        guard let range = html.range(of: "id=\"\(id)\"") else { return nil }
        let rest = html[range.upperBound...]
        guard let start = rest.firstIndex(of: ">"), let end = rest[start...].firstIndex(of: "<") else { return nil }
        return String(rest[rest.index(after: start)..<end])
    }
}

/// A browser for the in-process Application: sends cookies back as a browser
/// does (parsing Set-Cookie, forgetting deleted ones), and takes the CSRF
/// token from a rendered form.
final class ShopperBrowser {
    let app: Application
    let formPage: String
    var cookies: [String: String] = [:]
    private var token: String?

    init(app: Application, formPage: String) {
        self.app = app
        self.formPage = formPage
    }

    /// Another tab of the same browser profile, right now (same cookies from here on they diverge).
    func copy(app: Application? = nil) -> ShopperBrowser {
        let other = ShopperBrowser(app: app ?? self.app, formPage: formPage)
        other.cookies = cookies
        other.token = token
        return other
    }

    @discardableResult
    func get(_ path: String) -> Response {
        send(method: "GET", path: path, headers: [:], body: [])
    }

    /// A form POST with the CSRF token of a rendered page (unless `csrf` is false).
    @discardableResult
    func post(_ path: String, _ fields: KeyValuePairs<String, String>, csrf: Bool = true) -> Response {
        post(path, fields.map { ($0.key, $0.value) }, csrf: csrf)
    }

    @discardableResult
    func post(_ path: String, _ fields: [(String, String)], csrf: Bool = true) -> Response {
        var pairs = fields
        if csrf { pairs.insert((CSRF.formField, csrfToken()), at: 0) }
        return send(method: "POST", path: path, headers: ["content-type": "application/x-www-form-urlencoded"],
                    body: Array(ShopperBrowser.urlencode(pairs).utf8))
    }

    /// The masked token of a page with a form (which also sets the csrftoken cookie).
    func csrfToken() -> String {
        if let token, cookies[CSRF.cookieName] != nil { return token }
        let page = get(formPage).bodyText
        guard let match = page.firstMatch(of: /name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"/) else {
            XCTFail("no csrfmiddlewaretoken on \(formPage)")
            return ""
        }
        token = String(match.output.1)
        return token!
    }

    func send(method: String, path: String, headers: [String: String], body: [UInt8]) -> Response {
        var headers = headers
        let parts = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        if !cookies.isEmpty {
            headers["cookie"] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        }
        let request = Request(method: method, path: String(parts[0]), queryString: parts.count > 1 ? String(parts[1]) : "",
                              headers: headers, body: body)
        let response = app.handle(request)
        for header in response.headers(named: "Set-Cookie") { store(header) }
        return response
    }

    private func store(_ header: String) {
        let attributes = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let pair = attributes.first, let equals = pair.firstIndex(of: "=") else { return }
        let name = String(pair[..<equals]), value = String(pair[pair.index(after: equals)...])
        let expired = attributes.dropFirst().contains { $0.lowercased().hasPrefix("max-age=") && Int($0.dropFirst(8)).map { $0 <= 0 } == true }
        if expired || value.isEmpty { cookies[name] = nil } else { cookies[name] = value }
    }

    static func urlencode(_ pairs: [(String, String)]) -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text }
        return pairs.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }
}
