import Foundation
import TestSupport
@testable import Web
import XCTest

/// Django's messages: a notice added while handling a POST is shown on the
/// next rendered page, then never again.
final class MessagesTests: DatabaseTestCase {
    private var app: Application!
    private var browser: InProcessBrowser!

    override func setUpWithError() throws {
        try super.setUpWithError()
        app = try TestSite.application(settings: try TestSite.settings(engine: .cachedDatabase))
        browser = InProcessBrowser()
    }

    override func tearDown() {
        app?.services.database.close()
        super.tearDown()
    }

    private func postAndRedirect() throws {
        let page = browser.get("/page/", on: app).bodyText
        XCTAssertFalse(page.contains("class=\"messages\""))
        let token = try XCTUnwrap(page.components(separatedBy: "<p id=\"token\">").last?.components(separatedBy: "</p>").first)
        let response = browser.post("/post/", form: ["csrfmiddlewaretoken": token], on: app)
        XCTAssertEqual(response.status, 302)
        XCTAssertEqual(response.header("Location"), "/page/")
        XCTAssertNotNil(browser.sessionCookie, "the message is kept in the session")
    }

    func testAMessageIsShownOnceOnTheNextPage() throws {
        try postAndRedirect()
        let shown = browser.get("/page/", on: app).bodyText
        XCTAssertTrue(shown.contains("<li class=\"success\">Saved &lt;ok&gt;</li>"), shown)
        let after = browser.get("/page/", on: app).bodyText
        XCTAssertFalse(after.contains("Saved"), after)
        XCTAssertEqual(browser.get("/session/get/posted/", on: app).bodyText, "yes", "the rest of the session stays")
    }

    func testAPageThatRendersNothingKeepsTheMessage() throws {
        try postAndRedirect()
        XCTAssertEqual(browser.get("/noop/", on: app).status, 200)
        XCTAssertEqual(browser.get("/session/get/posted/", on: app).bodyText, "yes")
        XCTAssertTrue(browser.get("/page/", on: app).bodyText.contains("Saved &lt;ok&gt;"))
        XCTAssertFalse(browser.get("/page/", on: app).bodyText.contains("Saved"))
    }

    func testMessagesWorkWithEveryEngine() throws {
        for engine in SessionEngineName.allCases {
            if engine == .cache && (ProcessInfo.processInfo.environment["CACHE_URL"] ?? "").isEmpty { continue }
            var settings = try TestSite.settings(engine: engine)
            if engine == .file { settings.sessionFilePath = NSTemporaryDirectory() + "shop-web-tests-messages-\(getpid())" }
            app = try TestSite.application(settings: settings)
            browser = InProcessBrowser()
            try postAndRedirect()
            XCTAssertTrue(browser.get("/page/", on: app).bodyText.contains("Saved &lt;ok&gt;"), "\(engine)")
            XCTAssertFalse(browser.get("/page/", on: app).bodyText.contains("Saved"), "\(engine)")
            app.services.database.close()
            if engine == .file { try? FileManager.default.removeItem(atPath: settings.sessionFilePath) }
        }
    }

    func testAVisitorWithoutMessagesGetsNoSession() throws {
        let response = browser.get("/page/", on: app)
        XCTAssertEqual(response.status, 200)
        XCTAssertNil(response.setCookie(named: "sessionid"))
    }
}
