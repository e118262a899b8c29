import TestSupport
import Web
import XCTest

/// Every response says its length, as Django's CommonMiddleware makes it, except those that
/// can have no body (RFC 9110 8.6); the catalog's pages are checked in `CatalogViewTests` and
/// through nginx in `PoolThroughNginxTests`.
final class ResponseLengthTests: DatabaseTestCase {
    private var app: Application!

    override func setUpWithError() throws {
        try super.setUpWithError()
        app = try TestSite.application(settings: try TestSite.settings(engine: .database))
    }

    override func tearDown() {
        app?.services.database.close()
        super.tearDown()
    }

    func testEveryResponseSaysItsLengthButNoContentAndNotModified() {
        let browser = InProcessBrowser()
        let page = browser.get("/noop/", on: app)
        XCTAssertEqual(page.body.count, 4)
        XCTAssertEqual(page.headers(named: "Content-Length"), ["4"])
        XCTAssertEqual(browser.send("HEAD", "/noop/", headers: [:], body: [], on: app).headers(named: "Content-Length"), ["4"])
        for path in ["/no-content/", "/not-modified/"] {
            let response = browser.get(path, on: app)
            XCTAssertTrue([204, 304].contains(response.status), path)
            XCTAssertEqual(response.headers(named: "Content-Length"), [], path)
        }
    }
}
