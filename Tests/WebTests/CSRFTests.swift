import Foundation
import TestSupport
@testable import Web
import XCTest

/// Django's CSRF protection through the pipeline: every unsafe request needs
/// a token matching the visitor's `csrftoken` cookie, or it gets a 403 and
/// changes nothing.
final class CSRFTests: DatabaseTestCase {
    private var app: Application!
    private var browser: InProcessBrowser!

    override func setUpWithError() throws {
        try super.setUpWithError()
        app = try TestSite.application(settings: try TestSite.settings(engine: .database))
        browser = InProcessBrowser()
    }

    override func tearDown() {
        app?.services.database.close()
        super.tearDown()
    }

    /// Renders the page and returns the masked token it shows.
    private func token(for browser: InProcessBrowser) throws -> String {
        let page = browser.get("/page/", on: app).bodyText
        let start = try XCTUnwrap(page.range(of: "<p id=\"token\">"))
        let end = try XCTUnwrap(page.range(of: "</p>", range: start.upperBound..<page.endIndex))
        return String(page[start.upperBound..<end.lowerBound])
    }

    /// POSTs to the view that writes the session; checks the outcome and that a refusal changed nothing.
    @discardableResult
    private func post(_ form: [String: String], headers: [String: String] = [:], method: String = "POST", expect status: Int,
                      file: StaticString = #filePath, line: UInt = #line) throws -> Response {
        let rowsBefore = try sessionRowCount()
        let response = browser.post("/api/", form: form, headers: headers, method: method, on: app)
        XCTAssertEqual(response.status, status, response.bodyText, file: file, line: line)
        if status == 403 {
            XCTAssertTrue(response.bodyText.contains("403"), "a templated 403 page", file: file, line: line)
            XCTAssertNil(response.setCookie(named: "sessionid"), "a refused request creates no session", file: file, line: line)
            XCTAssertEqual(try sessionRowCount(), rowsBefore, "a refused request changes nothing", file: file, line: line)
        } else {
            XCTAssertEqual(response.bodyText, "accepted", file: file, line: line)
        }
        return response
    }

    func testPostWithoutTheCookieIsRefused() throws {
        try post(["csrfmiddlewaretoken": CSRF.mask(CSRF.randomString())], expect: 403)
        try post([:], expect: 403)
    }

    func testPostWithTheCookieButNoTokenIsRefused() throws {
        _ = try token(for: browser)
        XCTAssertNotNil(browser.cookies["csrftoken"])
        try post([:], expect: 403)
        try post(["csrfmiddlewaretoken": ""], expect: 403)
    }

    func testAWrongTokenIsRefused() throws {
        _ = try token(for: browser)
        try post(["csrfmiddlewaretoken": CSRF.mask(CSRF.randomString())], expect: 403)
        try post(["csrfmiddlewaretoken": CSRF.randomString()], expect: 403)
        try post(["csrfmiddlewaretoken": String(repeating: "!", count: 64)], expect: 403)
        try post(["csrfmiddlewaretoken": "short"], expect: 403)
    }

    func testAValidMaskedTokenIsAccepted() throws {
        let token = try token(for: browser)
        XCTAssertEqual(token.count, 64)
        let response = try post(["csrfmiddlewaretoken": token], expect: 200)
        XCTAssertNotNil(response.setCookie(named: "sessionid"))
        XCTAssertEqual(browser.get("/session/get/changed/", on: app).bodyText, "yes")
    }

    func testTheUnmaskedSecretIsAccepted() throws {
        _ = try token(for: browser)
        let secret = try XCTUnwrap(browser.cookies["csrftoken"])
        try post(["csrfmiddlewaretoken": secret], expect: 200)
    }

    func testATokenFromAnotherVisitorsSecretIsRefused() throws {
        let other = InProcessBrowser()
        let othersToken = try token(for: other)
        _ = try token(for: browser)
        XCTAssertNotEqual(other.cookies["csrftoken"], browser.cookies["csrftoken"])
        try post(["csrfmiddlewaretoken": othersToken], expect: 403)
        try post(["csrfmiddlewaretoken": try XCTUnwrap(other.cookies["csrftoken"])], expect: 403)
    }

    func testTheHeaderIsAccepted() throws {
        let token = try token(for: browser)
        try post([:], headers: ["X-CSRFToken": token], expect: 200)
        try post([:], headers: ["X-CSRFToken": CSRF.mask(CSRF.randomString())], expect: 403)
    }

    func testTheTokenDiffersOnEveryRenderAndAllValidate() throws {
        let tokens = try (0..<4).map { _ in try token(for: browser) }
        XCTAssertEqual(Set(tokens).count, tokens.count, "a fresh mask on every render")
        let secret = try XCTUnwrap(browser.cookies["csrftoken"])
        for token in tokens {
            XCTAssertEqual(CSRF.unmask(token), secret)
            try post(["csrfmiddlewaretoken": token], expect: 200)
        }
    }

    func testTheCookieIsSetOnceAndKept() throws {
        let first = browser.get("/page/", on: app)
        XCTAssertNotNil(first.setCookie(named: "csrftoken"))
        let second = browser.get("/page/", on: app)
        XCTAssertNil(second.setCookie(named: "csrftoken"), "an existing secret is kept")
        XCTAssertNil(InProcessBrowser().get("/noop/", on: app).setCookie(named: "csrftoken"), "pages without a form set no CSRF cookie")
    }

    func testAMismatchedOriginIsRefused() throws {
        let token = try token(for: browser)
        try post(["csrfmiddlewaretoken": token], headers: ["Origin": "http://evil.example"], expect: 403)
        try post(["csrfmiddlewaretoken": token], headers: ["Origin": "https://localhost"], expect: 403)
        try post(["csrfmiddlewaretoken": token], headers: ["Origin": "http://localhost"], expect: 200)
    }

    /// Django refuses these Origins; the port and the scheme count, and `null` is no origin.
    func testOriginMustBeExactlyThisSite() throws {
        let token = try token(for: browser)
        try post(["csrfmiddlewaretoken": token], headers: ["Origin": "null"], expect: 403)
        try post(["csrfmiddlewaretoken": token], headers: ["Origin": "http://localhost:8080"], expect: 403)
        try post(["csrfmiddlewaretoken": token], headers: ["Origin": "http://localhost/"], expect: 403)
        try post(["csrfmiddlewaretoken": token], headers: ["Origin": "http://user@localhost"], expect: 403)
        try post(["csrfmiddlewaretoken": token], headers: ["Origin": "http://LOCALHOST"], expect: 200)
        // The browser's Host with its port (nginx passes it on): the same port is this site.
        try post(["csrfmiddlewaretoken": token], headers: ["Origin": "http://localhost:8080", "Host": "localhost:8080"], expect: 200)
        try post(["csrfmiddlewaretoken": token], headers: ["Origin": "http://localhost:8081", "Host": "localhost:8080"], expect: 403)
        try post(["csrfmiddlewaretoken": token], headers: ["Origin": "http://localhost", "Host": "localhost:8080"], expect: 403)
        try post(["csrfmiddlewaretoken": token], headers: ["Origin": "http://localhost", "Host": "localhost:80"], expect: 200)
    }

    /// A POST over HTTPS, as nginx passes it (HTTPS=on), with the browser's cookie and token.
    private func securePost(headers: [String: String], token: String) -> Response {
        var all = ["host": "localhost", "cookie": "csrftoken=\(browser.cookies["csrftoken"] ?? "")",
                   "content-type": "application/x-www-form-urlencoded"]
        for (name, value) in headers { all[name.lowercased()] = value }
        let request = Request(method: "POST", path: "/api/", headers: all,
                              body: Array("csrfmiddlewaretoken=\(token)".utf8), isSecure: true)
        return app.handle(request)
    }

    /// Django's strict Referer check for secure requests without an Origin.
    func testOverHTTPSTheRefererMustBeThisSite() throws {
        let token = try token(for: browser)
        let rowsBefore = try sessionRowCount()
        let cases: [([String: String], Int, String)] = [
            ([:], 403, "no Referer"),
            (["Referer": "https://evil.example/cart/"], 403, "does not match"),
            (["Referer": "http://localhost/cart/"], 403, "insecure"),
            (["Referer": "https://localhost:8443/cart/"], 403, "does not match"),
            (["Referer": "not a url"], 403, "malformed"),
            (["Referer": "https://localhost/cart/"], 200, "accepted"),
            (["Referer": "https://localhost:443/cart/?x=1"], 200, "accepted"),
            (["Referer": "https://localhost:8443/", "Host": "localhost:8443"], 200, "accepted"),
            // An Origin, when sent, decides alone (as in Django).
            (["Origin": "https://localhost"], 200, "accepted"),
            (["Origin": "http://localhost", "Referer": "https://localhost/"], 403, "Origin checking failed"),
        ]
        for (headers, status, text) in cases {
            let response = securePost(headers: headers, token: token)
            XCTAssertEqual(response.status, status, "\(headers): \(response.bodyText)")
            XCTAssertTrue(response.bodyText.contains(text), "\(headers): \(response.bodyText)")
        }
        XCTAssertEqual(try sessionRowCount(), rowsBefore + 4, "only the accepted posts wrote (one new session each)")
    }

    /// Django reads the form field first and falls back to the header only when the field is empty.
    func testAnEmptyHeaderDoesNotOverrideAValidFormToken() throws {
        let token = try token(for: browser)
        try post(["csrfmiddlewaretoken": token], headers: ["X-CSRFToken": ""], expect: 200)
        try post(["csrfmiddlewaretoken": token], headers: ["X-CSRFToken": "garbage"], expect: 200)
        try post(["csrfmiddlewaretoken": ""], headers: ["X-CSRFToken": token], expect: 200)
        try post(["csrfmiddlewaretoken": "wrong"], headers: ["X-CSRFToken": token], expect: 403)
    }

    /// The cookie is checked before the body is parsed: a cookieless POST whose body would
    /// be a 400 (broken encoding) is a 403, and a cookieless 10 MB form costs no parsing.
    func testACookielessPostIsRefusedBeforeItsBodyIsParsed() throws {
        let broken = browser.send("POST", "/api/", headers: ["content-type": "application/x-www-form-urlencoded"],
                                  body: [0xFF, 0xFE, 0x3D, 0x25, 0x5A], on: app)
        XCTAssertEqual(broken.status, 403, broken.bodyText)
        XCTAssertTrue(broken.bodyText.contains("CSRF cookie not set"), broken.bodyText)
        let big = Array(String(repeating: "a=%C3%A9&", count: 10 * 1024 * 1024 / 9).utf8)
        let started = Date()
        let response = browser.send("POST", "/api/", headers: ["content-type": "application/x-www-form-urlencoded"], body: big, on: app)
        let seconds = Date().timeIntervalSince(started)
        XCTAssertEqual(response.status, 403)
        XCTAssertLessThan(seconds, 0.2, "refused without parsing 10 MB")
    }

    func testOtherUnsafeMethodsNeedTheTokenToo() throws {
        let token = try token(for: browser)
        for method in ["PUT", "DELETE"] {
            try post([:], method: method, expect: 403)
            try post([:], headers: ["X-CSRFToken": token], method: method, expect: 200)
        }
    }

    func testAMalformedBodyIsAClientError() throws {
        _ = try token(for: browser)
        let response = browser.send(
            "POST", "/api/",
            headers: ["cookie": "csrftoken=\(browser.cookies["csrftoken"]!)", "content-type": "application/x-www-form-urlencoded"],
            body: [0xFF, 0xFE, 0x3D, 0x25, 0x5A], on: app)
        XCTAssertGreaterThanOrEqual(response.status, 400)
        XCTAssertLessThan(response.status, 500)
    }
}
