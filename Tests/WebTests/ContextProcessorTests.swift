import Foundation
import TestSupport
@testable import Web
import XCTest

/// What every template sees (Django's context processors): Django's own values, then the
/// apps' processors over them, then the view's values over both.
final class ContextProcessorTests: DatabaseTestCase {
    private var app: Application!

    override func setUpWithError() throws {
        try super.setUpWithError()
        app = try TestSite.application(settings: try TestSite.settings(engine: .database))
        app.services.contextProcessors.append { _ in ["extra": "from an app", "shared": "from an app", "debug": "an app's"] }
    }

    override func tearDown() {
        app?.services.database.close()
        super.tearDown()
    }

    private func paragraph(_ id: String, of page: String) throws -> String {
        let start = try XCTUnwrap(page.range(of: "<p id=\"\(id)\">"), id)
        let end = try XCTUnwrap(page.range(of: "</p>", range: start.upperBound..<page.endIndex), id)
        return String(page[start.upperBound..<end.lowerBound])
    }

    func testTemplatesSeeTheRequestTheUserAndWhatAppsAndTheViewAdd() throws {
        let response = InProcessBrowser().get("/context/?q=tea&page=2", on: app)
        XCTAssertEqual(response.status, 200, response.bodyText)
        let page = response.bodyText
        XCTAssertEqual(try paragraph("request", of: page), "GET /context/ /context/?q=tea&amp;page=2")
        XCTAssertEqual(try paragraph("user", of: page), "false false []", "an anonymous visitor")
        XCTAssertEqual(try paragraph("extra", of: page), "from an app")
        XCTAssertEqual(try paragraph("shared", of: page), "from the view", "the view's values win")
        XCTAssertEqual(try paragraph("debug", of: page), "an app&#39;s", "an app's processor runs after Django's")
    }
}
