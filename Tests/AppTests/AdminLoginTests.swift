import Foundation
import Postgres
import TestSupport
import Web
import XCTest

/// The admin's gate, log-in and log-out, in process against PostgreSQL.
final class AdminLoginTests: AppTestCase {
    @discardableResult
    func makeUser(_ username: String, password: String = "s3cret-pass", staff: Bool = true, active: Bool = true,
                  iterations: Int = 1_000) throws -> Int {
        try XCTUnwrap(database.scalar("""
            INSERT INTO auth_user (username, email, password, is_staff, is_superuser, is_active, date_joined)
            VALUES ($1, '', $2, $3, $3, $4, now()) RETURNING id
            """, [username, PasswordHasher.encode(password, iterations: iterations), staff, active], as: Int.self))
    }

    func adminBrowser() -> InProcessBrowser { InProcessBrowser(app, formPage: "/admin/login/") }

    func logIn(_ browser: InProcessBrowser, _ username: String, _ password: String = "s3cret-pass",
               next: String = "") -> Response {
        browser.post("/admin/login/", ["username": username, "password": password, "next": next])
    }

    func testEveryAdminPageSendsVisitorsToLogIn() throws {
        let visitor = adminBrowser()
        for path in ["/admin/", "/admin/shop/product/", "/admin/shop/category/add/", "/admin/orders/order/3/change/"] {
            let response = visitor.get(path)
            XCTAssertEqual(response.status, 302, path)
            XCTAssertEqual(response.header("Location"), "/admin/login/?next=" + path, path)
            XCTAssertEqual(response.header("X-Frame-Options"), "DENY", path)
            XCTAssertEqual(response.header("Cache-Control"), "no-cache, no-store, private", path)
        }
        let withQuery = visitor.get("/admin/shop/product/?q=a&available__exact=1")
        XCTAssertEqual(withQuery.header("Location"), "/admin/login/?next=/admin/shop/product/%3Fq%3Da%26available__exact%3D1")
        let login = visitor.get("/admin/login/?next=/admin/shop/product/")
        XCTAssertEqual(login.status, 200)
        XCTAssertEqual(login.header("Cache-Control"), "no-cache, no-store, private")
        XCTAssertTrue(login.bodyText.contains(#"name="next" value="/admin/shop/product/""#))
    }

    func testStaffLogInCyclesTheSessionRotatesCSRFAndGoesToNext() throws {
        let id = try makeUser("staff")
        let browser = adminBrowser()
        add(browser, teaID, quantity: 2)   // a session with a cart first
        let before = try XCTUnwrap(browser.sessionCookie)
        let csrfBefore = browser.cookies[CSRF.cookieName]
        let response = logIn(browser, "staff", next: "/admin/shop/product/")
        XCTAssertEqual(response.status, 302, response.bodyText)
        XCTAssertEqual(response.header("Location"), "/admin/shop/product/")
        let after = try XCTUnwrap(browser.sessionCookie)
        XCTAssertNotEqual(after, before, "the session key changes on login")
        XCTAssertNotEqual(browser.cookies[CSRF.cookieName], csrfBefore, "the CSRF secret is rotated")
        XCTAssertEqual(try database.scalar("SELECT count(*) FROM django_session WHERE session_key = $1", [before], as: Int.self), 0)
        XCTAssertEqual(cartLines(browser), [teaID: 2], "the cart survives the login")
        XCTAssertNotNil(try database.scalar("SELECT last_login FROM auth_user WHERE id = $1", [id], as: Date?.self) ?? nil)
        let index = browser.get("/admin/")
        XCTAssertEqual(index.status, 200)
        XCTAssertTrue(index.bodyText.contains("Site administration"))
        XCTAssertTrue(index.bodyText.contains(#"href="/admin/shop/product/""#))
        XCTAssertTrue(index.bodyText.contains(#"href="/admin/orders/order/add/""#))
        XCTAssertTrue(index.bodyText.contains("staff"))
    }

    func testWrongPasswordUnknownUserNonStaffAndInactiveStayOut() throws {
        try makeUser("staff")
        try makeUser("shopper", staff: false)
        try makeUser("gone", active: false)
        for (username, password) in [("staff", "wrong"), ("nobody", "s3cret-pass"), ("shopper", "s3cret-pass"), ("gone", "s3cret-pass"), ("", "")] {
            let browser = adminBrowser()
            let response = logIn(browser, username, password)
            XCTAssertEqual(response.status, 200, username)
            XCTAssertTrue(response.bodyText.contains("Please enter the correct username and password for a staff account"), username)
            XCTAssertTrue(response.bodyText.contains(#"class="errorlist"#), username)
            XCTAssertEqual(browser.get("/admin/").status, 302, "\(username) is not let in")
        }
    }

    func testNextMayOnlyNameAPathOnThisSite() throws {
        try makeUser("staff")
        for next in ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "\u{1}/admin/", "evil"] {
            let browser = adminBrowser()
            let response = logIn(browser, "staff", next: next)
            XCTAssertEqual(response.status, 302, next)
            XCTAssertEqual(response.header("Location"), "/admin/", next)
        }
    }

    func testFailedLoginsAreThrottledPerUsernameAndPerAddress() throws {
        try makeUser("staff")
        let attacker = adminBrowser()
        for _ in 0..<LoginThrottle.limit { _ = logIn(attacker, "staff", "guess") }
        let blocked = logIn(adminBrowser(), "staff")   // even the right password, from a fresh browser
        XCTAssertEqual(blocked.status, 429)
        XCTAssertTrue(blocked.bodyText.contains("Too many failed login attempts"))
        // Another worker (its own connection) agrees: the count is in PostgreSQL.
        let other = try makeApplication()
        let elsewhere = InProcessBrowser(other, formPage: "/admin/login/")
        XCTAssertEqual(elsewhere.post("/admin/login/", ["username": "staff", "password": "s3cret-pass", "next": ""]).status, 429)
        // Once the failures leave the window, the right password works again.
        try database.execute("UPDATE auth_login_failure SET failed_at = failed_at - interval '16 minutes'")
        XCTAssertEqual(logIn(adminBrowser(), "staff").status, 302)
    }

    func testLogoutNeedsCSRFAndEndsTheSession() throws {
        try makeUser("staff")
        let browser = adminBrowser()
        XCTAssertEqual(logIn(browser, "staff").status, 302)
        browser.formPage = "/admin/"   // the log-out form's token, as the page shows it
        XCTAssertEqual(browser.post("/admin/logout/", [:], csrf: false).status, 403)
        XCTAssertEqual(browser.get("/admin/").status, 200, "a forged logout changed nothing")
        XCTAssertEqual(browser.get("/admin/logout/").status, 405)
        let out = browser.post("/admin/logout/", [:])
        XCTAssertEqual(out.status, 200)
        XCTAssertTrue(out.bodyText.contains("Logged out"))
        XCTAssertEqual(browser.get("/admin/").status, 302)
    }

    func testAPasswordChangedElsewhereEndsTheSession() throws {
        let id = try makeUser("staff")
        let browser = adminBrowser()
        XCTAssertEqual(logIn(browser, "staff").status, 302)
        try database.execute("UPDATE auth_user SET password = $2 WHERE id = $1", [id, PasswordHasher.encode("new", iterations: 1000)])
        XCTAssertEqual(browser.get("/admin/").status, 302)
    }

    func testOlderHashesAreVerifiedAtTheirCountAndUpgraded() throws {
        // Django 3.x's count; new hashes here use the application's (1,000 in tests, 1,000,000 in production).
        let django3 = PasswordHasher.encode("s3cret-pass", iterations: 260_000)
        XCTAssertTrue(PasswordHasher.verify("s3cret-pass", against: django3))
        let id = try makeUser("old", iterations: 500)
        XCTAssertEqual(logIn(adminBrowser(), "old").status, 302)
        let stored = try XCTUnwrap(database.scalar("SELECT password FROM auth_user WHERE id = $1", [id], as: String.self))
        XCTAssertTrue(stored.hasPrefix("pbkdf2_sha256$1000$"), stored)
        XCTAssertTrue(PasswordHasher.verify("s3cret-pass", against: stored))
    }
}

/// The `user` every template sees: the shop's header links staff to the admin.
final class UserContextProcessorTests: AppTestCase {
    func testTemplatesSeeTheLoggedInUser() throws {
        try database.execute("""
            INSERT INTO auth_user (username, email, password, is_staff, is_superuser, is_active, date_joined)
            VALUES ('grace', '', $1, true, false, true, now())
            """, [PasswordHasher.encode("pw-12345", iterations: 1_000)])
        let browser = InProcessBrowser(app, formPage: "/admin/login/")
        XCTAssertFalse(browser.get("/").bodyText.contains(#"href="/admin/""#), "anonymous visitors see no admin link")
        XCTAssertEqual(browser.post("/admin/login/", ["username": "grace", "password": "pw-12345", "next": ""]).status, 302)
        let page = browser.get("/").bodyText
        XCTAssertTrue(page.contains(#"href="/admin/""#), page)
        XCTAssertTrue(page.contains("grace"))
    }
}
