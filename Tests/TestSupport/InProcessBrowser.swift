import Foundation
import Site
import Web

/// The shop's Application built exactly as a worker builds it, for tests that
/// call views in process against the real database.
public enum TestApplication {
    public static func make(_ configure: (inout Settings) -> Void = { _ in }) throws -> Application {
        var settings = Settings(databaseURL: TestDatabase.url)
        settings.templatesDirectory = Paths.templates
        settings.debug = false
        configure(&settings)
        return try Site.makeApplication(settings: settings, templates: try TemplateRenderer(directory: settings.templatesDirectory))
    }
}

/// A browser that talks to an Application in process: keeps cookies like a
/// real one and builds requests the way nginx's FastCGI params would.
public final class InProcessBrowser {
    public let application: Application
    public private(set) var cookies: [String: String] = [:]
    public var host = "localhost"

    public init(_ application: Application) { self.application = application }

    @discardableResult
    public func get(_ path: String, headers: [String: String] = [:]) -> Response {
        send("GET", path, headers: headers, body: [])
    }

    @discardableResult
    public func post(_ path: String, form: [(String, String)], headers: [String: String] = [:]) -> Response {
        var headers = headers
        headers["content-type"] = headers["content-type"] ?? "application/x-www-form-urlencoded"
        return send("POST", path, headers: headers, body: Array(Browser.urlencode(form).utf8))
    }

    /// POSTs with the CSRF token a page with a form would carry (the cookie's secret, masked or not, validates).
    @discardableResult
    public func postWithToken(_ path: String, form: [(String, String)]) -> Response {
        if cookies["csrftoken"] == nil { ensureCSRFCookie() }
        return post(path, form: form + [("csrfmiddlewaretoken", cookies["csrftoken"] ?? "")])
    }

    /// Gets a csrftoken cookie the way a browser does: by loading a page with a form.
    public func ensureCSRFCookie() {
        let page = get("/").bodyText
        if let link = page.range(of: #"href="/[0-9]+/[-a-z0-9]+/""#, options: .regularExpression) {
            get(String(page[link].dropFirst(6).dropLast()))
        }
    }

    public func send(_ method: String, _ path: String, headers: [String: String], body: [UInt8]) -> Response {
        var headers = headers
        headers["host"] = headers["host"] ?? host
        if !cookies.isEmpty, headers["cookie"] == nil {
            headers["cookie"] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        }
        let parts = path.split(separator: "?", maxSplits: 1).map(String.init)
        let request = Request(method: method, path: parts[0].removingPercentEncoding ?? parts[0],
                              queryString: parts.count > 1 ? parts[1] : "", headers: headers, body: body)
        let response = application.handle(request)
        for header in response.headers(named: "Set-Cookie") {
            let first = header.split(separator: ";")[0]
            guard let equals = first.firstIndex(of: "=") else { continue }
            let name = String(first[..<equals]), value = String(first[first.index(after: equals)...])
            if value.isEmpty || header.contains("Max-Age=0") { cookies.removeValue(forKey: name) } else { cookies[name] = value }
        }
        return response
    }

    public func setCookie(_ name: String, _ value: String?) { cookies[name] = value }
}
