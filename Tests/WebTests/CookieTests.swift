import Foundation
import TestSupport
@testable import Web
import XCTest

/// The session and CSRF cookies' attributes under each setting (the contract's
/// "Cookies and sessions").
final class CookieTests: DatabaseTestCase {
    private var applications: [Application] = []

    override func tearDown() {
        for application in applications { application.services.database.close() }
        applications.removeAll()
        super.tearDown()
    }

    /// The cookies of the response that creates a session, under `configure`d settings.
    private func sessionCookies(_ configure: (inout Settings) -> Void = { _ in }) throws -> (session: ParsedCookie, version: ParsedCookie?, response: Response) {
        var settings = try TestSite.settings(engine: .cachedDatabase)
        configure(&settings)
        let application = try TestSite.application(settings: settings)
        applications.append(application)
        let browser = InProcessBrowser()
        browser.sessionCookieName = settings.sessionCookieName
        let response = browser.get("/session/set/a/1/", on: application)
        XCTAssertEqual(response.status, 200)
        let session = try XCTUnwrap(response.setCookie(named: settings.sessionCookieName), "no session cookie in \(response.headers)")
        return (session, response.setCookie(named: settings.sessionCookieName + "_version"), response)
    }

    func testDefaults() throws {
        let (cookie, version, response) = try sessionCookies()
        XCTAssertTrue(SessionKey.isValid(cookie.value))
        XCTAssertTrue(cookie.has("HttpOnly"))
        XCTAssertEqual(cookie.attributes["samesite"], "Lax")
        XCTAssertEqual(cookie.attributes["path"], "/")
        XCTAssertEqual(cookie.attributes["max-age"], "1209600")
        let expires = try XCTUnwrap(cookie.attributes["expires"])
        XCTAssertTrue(expires.hasSuffix(" GMT"), expires)
        XCTAssertFalse(cookie.has("Secure"))
        XCTAssertFalse(cookie.has("Domain"))
        // The version cookie goes with it, with the same attributes.
        let versionCookie = try XCTUnwrap(version)
        XCTAssertTrue(versionCookie.has("HttpOnly"))
        XCTAssertEqual(versionCookie.attributes["max-age"], "1209600")
        XCTAssertEqual(response.header("Vary"), "Cookie")
    }

    func testExpiresHasTheCookieAgeFromNow() throws {
        let (cookie, _, _) = try sessionCookies { $0.sessionCookieAge = 3600 }
        XCTAssertEqual(cookie.attributes["max-age"], "3600")
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let expires = try XCTUnwrap(formatter.date(from: try XCTUnwrap(cookie.attributes["expires"])))
        XCTAssertEqual(expires.timeIntervalSinceNow, 3600, accuracy: 5)
    }

    /// The header byte for byte, as Django's `set_cookie` writes it (RFC 7231's date, zero-padded).
    func testHeaderValueIsExactlyDjangos() {
        XCTAssertEqual(HTTPDate.format(Date(timeIntervalSince1970: 784_111_777)), "Sun, 06 Nov 1994 08:49:37 GMT")
        XCTAssertEqual(HTTPDate.format(Date(timeIntervalSince1970: 1_798_761_600)), "Fri, 01 Jan 2027 00:00:00 GMT")
        // The last second formatted is kept: the same second again, then the next one.
        XCTAssertEqual(HTTPDate.format(Date(timeIntervalSince1970: 1_798_761_600.75)), "Fri, 01 Jan 2027 00:00:00 GMT")
        XCTAssertEqual(HTTPDate.format(Date(timeIntervalSince1970: 1_798_761_601)), "Fri, 01 Jan 2027 00:00:01 GMT")
        let cookie = SetCookie(name: "sessionid", value: "abc", maxAge: 0, domain: ".example.com", secure: true, httpOnly: true)
        let header = cookie.headerValue
        let expires = HTTPDate.format(Date())
        XCTAssertTrue(header.hasPrefix("sessionid=abc; Domain=.example.com; expires="), header)
        XCTAssertTrue(header.hasSuffix("; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax"), header)
        XCTAssertEqual(header.count, "sessionid=abc; Domain=.example.com; expires=\(expires); Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax".count)
        XCTAssertEqual(SetCookie(name: "csrftoken", value: "t", sameSite: nil).headerValue, "csrftoken=t; Path=/")
    }

    func testExpireAtBrowserCloseSetsNeitherMaxAgeNorExpires() throws {
        let (cookie, version, _) = try sessionCookies { $0.sessionExpireAtBrowserClose = true }
        XCTAssertFalse(cookie.has("Max-Age"))
        XCTAssertFalse(cookie.has("Expires"))
        XCTAssertTrue(cookie.has("HttpOnly"))
        XCTAssertFalse(try XCTUnwrap(version).has("Max-Age"))
    }

    func testDomain() throws {
        let (cookie, version, _) = try sessionCookies { $0.sessionCookieDomain = ".example.com" }
        XCTAssertEqual(cookie.attributes["domain"], ".example.com")
        XCTAssertEqual(try XCTUnwrap(version).attributes["domain"], ".example.com")
    }

    func testSecure() throws {
        let (cookie, version, _) = try sessionCookies { $0.sessionCookieSecure = true }
        XCTAssertTrue(cookie.has("Secure"))
        XCTAssertTrue(try XCTUnwrap(version).has("Secure"))
    }

    func testCustomCookieName() throws {
        var settings = try TestSite.settings(engine: .database)
        settings.sessionCookieName = "shop_session"
        let application = try TestSite.application(settings: settings)
        applications.append(application)
        let browser = InProcessBrowser()
        browser.sessionCookieName = "shop_session"
        let response = browser.get("/session/set/a/1/", on: application)
        XCTAssertNotNil(response.setCookie(named: "shop_session"))
        XCTAssertNil(response.setCookie(named: "sessionid"))
        XCTAssertEqual(browser.get("/session/get/a/", on: application).bodyText, "1")
        // A cookie under the default name means nothing now.
        let other = InProcessBrowser()
        other.cookies["sessionid"] = try XCTUnwrap(browser.sessionCookie)
        XCTAssertEqual(other.get("/session/get/a/", on: application).bodyText, "<none>")
    }

    func testDeletionCookieKeepsTheDomain() throws {
        var settings = try TestSite.settings(engine: .database)
        settings.sessionCookieDomain = ".example.com"
        let application = try TestSite.application(settings: settings)
        applications.append(application)
        let browser = InProcessBrowser()
        browser.get("/session/set/a/1/", on: application)
        let deletion = try XCTUnwrap(browser.get("/session/flush/", on: application).setCookie(named: "sessionid"))
        XCTAssertEqual(deletion.attributes["max-age"], "0")
        XCTAssertEqual(deletion.attributes["domain"], ".example.com")
        XCTAssertEqual(deletion.attributes["path"], "/")
    }

    func testCSRFCookie() throws {
        var settings = try TestSite.settings(engine: .database)
        let application = try TestSite.application(settings: settings)
        applications.append(application)
        let cookie = try XCTUnwrap(InProcessBrowser().get("/page/", on: application).setCookie(named: "csrftoken"))
        XCTAssertEqual(cookie.value.count, 32)
        XCTAssertEqual(cookie.attributes["samesite"], "Lax")
        XCTAssertEqual(cookie.attributes["path"], "/")
        XCTAssertFalse(cookie.has("Secure"))

        settings.csrfCookieSecure = true
        let secure = try TestSite.application(settings: settings)
        applications.append(secure)
        XCTAssertTrue(try XCTUnwrap(InProcessBrowser().get("/page/", on: secure).setCookie(named: "csrftoken")).has("Secure"))
    }

    func testMalformedCookieHeadersAreHarmless() throws {
        let application = try TestSite.application(settings: try TestSite.settings(engine: .database))
        applications.append(application)
        for header in ["sessionid", "=;;=", "sessionid=\"\"", "sessionid=\"abc", "a=b; sessionid=\u{00e9}\u{00e9}", String(repeating: "x=y; ", count: 500)] {
            let response = application.handle(Request(path: "/session/get/a/", headers: ["cookie": header]))
            XCTAssertEqual(response.status, 200, header)
            XCTAssertEqual(response.bodyText, "<none>")
        }
    }
}

/// `Request.cookies`, the `Cookie` header read as browsers and Django send it.
final class CookieHeaderTests: XCTestCase {
    /// The header's cookies; and, asked by name (`cookies(named:)`, what a request context
    /// reads), each of them and a name not sent, which must read the same.
    private func cookies(_ header: String, file: StaticString = #filePath, line: UInt = #line) -> [String: String] {
        let request = Request(path: "/", headers: ["cookie": header])
        let all = request.cookies
        let names = all.keys.sorted() + ["absent", ""]
        var byName = [String?](repeating: nil, count: names.count)
        request.cookies(named: names) { index, value in
            XCTAssertNil(byName[index], "\(names[index]) found twice", file: file, line: line)
            byName[index] = value
        }
        XCTAssertEqual(byName, names.map { all[$0] }, "by name", file: file, line: line)
        return all
    }

    func testPairsAreTrimmedAndQuotesTakenOff() {
        XCTAssertEqual(cookies("sessionid=abc; csrftoken=XYZ;\tcart=\"1 2\" ;  a = b "),
                       ["sessionid": "abc", "csrftoken": "XYZ", "cart": "1 2", "a": "b"])
        XCTAssertEqual(cookies("q=\"\""), ["q": ""], "a quoted empty value is empty")
        XCTAssertEqual(cookies("q=\"abc"), ["q": "\"abc"], "a lone quote stays")
        XCTAssertEqual(cookies("q=\""), ["q": "\""])
    }

    func testTheFirstOfTwoNamesWinsAndAValueKeepsItsEqualsSigns() {
        XCTAssertEqual(cookies("a=1; a=2; b=x=y=="), ["a": "1", "b": "x=y=="])
    }

    func testPairsWithoutANameOrAnEqualsSignAreSkipped() {
        XCTAssertEqual(cookies("lonely; =orphan; ; ;; ok=1;"), ["ok": "1"])
        XCTAssertEqual(cookies(" a=1 ;b = 2;;novalue; =x; a=shadowed; c=\"q\"; ü=ö"), ["a": "1", "b": "2", "c": "q", "ü": "ö"])
        XCTAssertEqual(cookies(""), [:])
        XCTAssertEqual(cookies("empty="), ["empty": ""])
    }

    func testBytesBeyondASCIIComeThroughAsTheyAre() {
        XCTAssertEqual(cookies("name=caf\u{00e9}; \u{00e9}t\u{00e9}=ok"), ["name": "caf\u{00e9}", "\u{00e9}t\u{00e9}": "ok"])
    }

    func testNoHeaderNoCookies() {
        XCTAssertEqual(Request(path: "/").cookies, [:])
    }
}
