import Foundation
import TestSupport
@testable import Web
import XCTest

/// Django's messages: a notice added while handling a POST is shown on the
/// next rendered page, then never again.
final class MessagesTests: DatabaseTestCase {
    private var app: Application!
    private var browser: Browser!

    override func setUpWithError() throws {
        try super.setUpWithError()
        app = try TestSite.application(settings: try TestSite.settings(engine: .cachedDatabase))
        browser = Browser()
    }

    override func tearDown() {
        app?.services.database.close()
        super.tearDown()
    }

    private func postAndRedirect() throws {
        let page = browser.get(app, "/page/").bodyText
        XCTAssertFalse(page.contains("class=\"messages\""))
        let token = try XCTUnwrap(page.components(separatedBy: "<p id=\"token\">").last?.components(separatedBy: "</p>").first)
        let response = browser.post(app, "/post/", form: ["csrfmiddlewaretoken": token])
        XCTAssertEqual(response.status, 302)
        XCTAssertEqual(response.header("Location"), "/page/")
        XCTAssertNotNil(browser.sessionCookie, "the message is kept in the session")
    }

    func testAMessageIsShownOnceOnTheNextPage() throws {
        try postAndRedirect()
        let shown = browser.get(app, "/page/").bodyText
        XCTAssertTrue(shown.contains("<li class=\"success\">Saved &lt;ok&gt;</li>"), shown)
        let after = browser.get(app, "/page/").bodyText
        XCTAssertFalse(after.contains("Saved"), after)
        XCTAssertEqual(browser.get(app, "/session/get/posted/").bodyText, "yes", "the rest of the session stays")
    }

    func testAPageThatRendersNothingKeepsTheMessage() throws {
        try postAndRedirect()
        XCTAssertEqual(browser.get(app, "/noop/").status, 200)
        XCTAssertEqual(browser.get(app, "/session/get/posted/").bodyText, "yes")
        XCTAssertTrue(browser.get(app, "/page/").bodyText.contains("Saved &lt;ok&gt;"))
        XCTAssertFalse(browser.get(app, "/page/").bodyText.contains("Saved"))
    }

    func testMessagesWorkWithEveryEngine() throws {
        for engine in SessionEngineName.allCases {
            if engine == .cache && (ProcessInfo.processInfo.environment["CACHE_URL"] ?? "").isEmpty { continue }
            var settings = try TestSite.settings(engine: engine)
            if engine == .file { settings.sessionFilePath = NSTemporaryDirectory() + "shop-web-tests-messages-\(getpid())" }
            app = try TestSite.application(settings: settings)
            browser = Browser()
            try postAndRedirect()
            XCTAssertTrue(browser.get(app, "/page/").bodyText.contains("Saved &lt;ok&gt;"), "\(engine)")
            XCTAssertFalse(browser.get(app, "/page/").bodyText.contains("Saved"), "\(engine)")
            app.services.database.close()
            if engine == .file { try? FileManager.default.removeItem(atPath: settings.sessionFilePath) }
        }
    }

    func testAVisitorWithoutMessagesGetsNoSession() throws {
        let response = browser.get(app, "/page/")
        XCTAssertEqual(response.status, 200)
        XCTAssertNil(response.setCookie(named: "sessionid"))
    }
}
