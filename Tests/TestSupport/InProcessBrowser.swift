import Foundation
import Site
import Web
import XCTest

/// The shop's Application built exactly as a worker builds it, for tests that
/// call views in process against the real database.
public enum TestApplication {
    /// The repository's templates, read once: a renderer never changes, so every application shares it.
    private static let templates = Result { try TemplateRenderer(directory: Paths.templates) }

    /// `sessionSeat`: a worker's place on a pool's shared session changes, as `shop serve` gives it.
    public static func make(sessionSeat: SessionChangeBoard.Seat? = nil, _ configure: (inout Settings) -> Void = { _ in }) throws -> Application {
        var settings = Settings(databaseURL: TestDatabase.url)
        settings.templatesDirectory = Paths.templates
        settings.debug = false
        // Django's tests use a fast hasher; 1,000 PBKDF2 rounds keep logins quick here.
        settings.passwordIterations = 1_000
        configure(&settings)
        let templates = settings.templatesDirectory == Paths.templates
            ? try Self.templates.get() : try TemplateRenderer(directory: settings.templatesDirectory)
        return try Site.makeApplication(settings: settings, templates: templates, sessionSeat: sessionSeat)
    }
}

/// A browser that talks to Applications in process. It keeps cookies as a
/// real one does (RFC 6265: a Set-Cookie stores its value, Max-Age <= 0
/// deletes it), sends them back, builds requests the way nginx's FastCGI
/// params would, and never follows redirects. A request goes to
/// `application`, or to the one the call names (another worker behind the
/// same nginx). Not thread-safe: give each thread its own (`copy`).
public final class InProcessBrowser {
    public var application: Application?
    private var jar = CookieJar()
    public var cookies: [String: String] {
        get { jar.cookies }
        set { jar.cookies = newValue }
    }
    public var host = "localhost"
    /// The session cookie's name (SESSION_COOKIE_NAME), for `sessionCookie`.
    public var sessionCookieName = "sessionid"
    /// A page with a form, where `csrfToken()` takes its token.
    public var formPage: String?
    private var token: String?
    private var tokenSecret: String?

    public init(_ application: Application? = nil, formPage: String? = nil) {
        self.application = application
        self.formPage = formPage
    }

    public var sessionCookie: String? {
        get { cookies[sessionCookieName] }
        set { cookies[sessionCookieName] = newValue }
    }

    public func setCookie(_ name: String, _ value: String?) { cookies[name] = value }

    /// Another tab of the same browser profile, right now: the same cookies (and
    /// CSRF token), diverging from here on; its requests go to `application` if given.
    public func copy(to application: Application? = nil) -> InProcessBrowser {
        let other = InProcessBrowser(application ?? self.application, formPage: formPage)
        other.cookies = cookies
        other.host = host
        other.sessionCookieName = sessionCookieName
        other.token = token
        other.tokenSecret = tokenSecret
        return other
    }

    // MARK: Requests

    @discardableResult
    public func get(_ path: String, headers: [String: String] = [:], on application: Application? = nil) -> Response {
        send("GET", path, headers: headers, body: [], on: application)
    }

    /// A urlencoded form (POST unless `method` says otherwise), the fields in this order, nothing added.
    @discardableResult
    public func post(_ path: String, form: [(String, String)], headers: [String: String] = [:], method: String = "POST",
                     on application: Application? = nil) -> Response {
        var headers = Self.lowercased(headers)
        headers["content-type"] = headers["content-type"] ?? "application/x-www-form-urlencoded"
        return send(method, path, headers: headers, body: Array(Self.urlencode(form).utf8), on: application)
    }

    /// The same with the fields in name order.
    @discardableResult
    public func post(_ path: String, form: [String: String], headers: [String: String] = [:], method: String = "POST",
                     on application: Application? = nil) -> Response {
        post(path, form: form.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, headers: headers, method: method, on: application)
    }

    /// A form POST as `formPage`'s form would submit it: its masked CSRF token first (unless `csrf` is false).
    @discardableResult
    public func post(_ path: String, _ fields: KeyValuePairs<String, String>, csrf: Bool = true) -> Response {
        post(path, fields.map { ($0.key, $0.value) }, csrf: csrf)
    }

    @discardableResult
    public func post(_ path: String, _ fields: [(String, String)], csrf: Bool = true) -> Response {
        post(path, form: csrf ? [(CSRF.formField, csrfToken())] + fields : fields)
    }

    /// POSTs with the token the csrftoken cookie's secret gives (unmasked, it validates too).
    @discardableResult
    public func postWithToken(_ path: String, form: [(String, String)]) -> Response {
        if cookies[CSRF.cookieName] == nil { ensureCSRFCookie() }
        return post(path, form: form + [(CSRF.formField, cookies[CSRF.cookieName] ?? "")])
    }

    /// Gets a csrftoken cookie the way a browser does: by loading a page with a form (the first product's).
    public func ensureCSRFCookie() {
        let page = get("/").bodyText
        if let link = page.range(of: #"href="/[0-9]+/[-a-z0-9]+/""#, options: .regularExpression) {
            get(String(page[link].dropFirst(6).dropLast()))
        }
    }

    /// The masked token `formPage` renders in its form (loading it also sets the
    /// csrftoken cookie); the same token again while that cookie is kept.
    public func csrfToken() -> String {
        // The same token while the csrftoken cookie it was made for is kept (a login rotates it).
        if let token, let secret = cookies[CSRF.cookieName], secret == tokenSecret { return token }
        guard let formPage else {
            XCTFail("no formPage to take a CSRF token from")
            return ""
        }
        let page = get(formPage).bodyText
        guard let match = page.firstMatch(of: /name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"/) else {
            XCTFail("no csrfmiddlewaretoken on \(formPage)")
            return ""
        }
        let token = String(match.output.1)
        self.token = token
        tokenSecret = cookies[CSRF.cookieName]
        return token
    }

    /// One request: the Host and the cookies unless `headers` has its own, the path
    /// split from its query string and decoded; then the response's Set-Cookie applied.
    public func send(_ method: String, _ path: String, headers: [String: String], body: [UInt8],
                     on application: Application? = nil) -> Response {
        guard let application = application ?? self.application else {
            preconditionFailure("InProcessBrowser: no application for \(method) \(path)")
        }
        var headers = Self.lowercased(headers)
        headers["host"] = headers["host"] ?? host
        if headers["cookie"] == nil { headers["cookie"] = jar.header }
        let parts = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let request = Request(method: method, path: parts[0].removingPercentEncoding ?? parts[0],
                              queryString: parts.count > 1 ? parts[1] : "", headers: headers, body: body)
        let response = application.handle(request)
        for header in response.headers(named: "Set-Cookie") { jar.store(setCookie: header) }
        return response
    }

    static func lowercased(_ headers: [String: String]) -> [String: String] {
        Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// application/x-www-form-urlencoded: everything but ASCII letters, digits and `-._~` percent-encoded as UTF-8.
    public static func urlencode(_ pairs: [(String, String)]) -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text }
        return pairs.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }
}

/// One Set-Cookie header, split into its name, value and attributes (names lower-cased).
public struct ParsedCookie {
    public var name: String
    public var value: String
    public var attributes: [String: String] = [:]

    public init(_ header: String) {
        let parts = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        let first = parts.first ?? ""
        let equals = first.firstIndex(of: "=") ?? first.endIndex
        name = String(first[..<equals])
        value = equals < first.endIndex ? String(first[first.index(after: equals)...]) : ""
        for part in parts.dropFirst() {
            let pieces = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard let attribute = pieces.first else { continue }
            attributes[attribute.lowercased()] = pieces.count > 1 ? pieces[1] : ""
        }
    }

    public func has(_ attribute: String) -> Bool { attributes[attribute.lowercased()] != nil }
}

extension Response {
    /// The Set-Cookie headers for `name`, parsed.
    public func setCookies(named name: String) -> [ParsedCookie] {
        headers(named: "Set-Cookie").map(ParsedCookie.init).filter { $0.name == name }
    }

    public func setCookie(named name: String) -> ParsedCookie? { setCookies(named: name).last }
}
