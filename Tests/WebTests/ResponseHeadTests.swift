import Foundation
import TestSupport
@testable import Web
import XCTest

/// What goes into the response head: a reason phrase for every status, and the
/// APPEND_SLASH redirect bounded and escaped.
final class ResponseHeadTests: DatabaseTestCase {
    func testEveryStatusHasItsReasonPhrase() {
        XCTAssertEqual(Response.reasonPhrase(415), "Unsupported Media Type")
        XCTAssertEqual(Response.reasonPhrase(414), "URI Too Long")
        XCTAssertEqual(Response.reasonPhrase(429), "Too Many Requests")
        XCTAssertEqual(Response.reasonPhrase(502), "Bad Gateway")
        XCTAssertEqual(Response.reasonPhrase(299), "Success")
        for status in [200, 201, 204, 301, 302, 303, 304, 307, 308, 400, 401, 403, 404, 405, 406, 409, 410, 411, 412,
                       413, 414, 415, 416, 422, 429, 431, 500, 501, 502, 503, 504] {
            XCTAssertNotEqual(Response.reasonPhrase(status), "Status", "\(status)")
            XCTAssertFalse(Response.reasonPhrase(status).isEmpty, "\(status)")
        }
    }

    func testAppendSlashKeepsTheQueryButBoundsAndEscapesIt() throws {
        let app = try TestSite.application(settings: try TestSite.settings(engine: .database))
        defer { app.services.database.close() }
        func get(_ path: String, query: String = "") -> Response {
            app.handle(Request(path: path, queryString: query, headers: ["host": "localhost"]))
        }
        let plain = get("/page", query: "a=1&b=%C3%A9")
        XCTAssertEqual(plain.status, 301)
        XCTAssertEqual(plain.header("Location"), "/page/?a=1&b=%C3%A9")

        let long = String(repeating: "x", count: 3_900)
        XCTAssertEqual(get("/page", query: "a=" + long).header("Location"), "/page/?a=" + long)

        let tooLong = get("/page", query: "a=" + String(repeating: "x", count: 5_000))
        XCTAssertEqual(tooLong.status, 414)
        XCTAssertNil(tooLong.header("Location"))

        // Bytes a URL cannot hold are escaped; a leading // never names another host.
        XCTAssertEqual(get("/page", query: "q=a b\"<").header("Location"), "/page/?q=a%20b%22%3C")
        XCTAssertEqual(AppendSlash.escapeLeadingSlashes("//evil.example/x"), "/%2Fevil.example/x")
    }
}

final class ResponseHeaderNameTests: XCTestCase {
    func testHeaderNamesMatchIgnoringASCIICaseOnly() {
        let response = Response(status: 200, headers: [("Content-Type", "text/html"), ("set-cookie", "a=1"), ("SET-COOKIE", "b=2")])
        XCTAssertEqual(response.header("content-type"), "text/html")
        XCTAssertEqual(response.header("CONTENT-TYPE"), "text/html")
        XCTAssertEqual(response.headers(named: "Set-Cookie"), ["a=1", "b=2"])
        XCTAssertNil(response.header("Content-Typ"))
        XCTAssertNil(response.header("Content-Type "))
        XCTAssertTrue(Response.sameName("X-Frame-Options", "x-frame-options"))
        // Only letters fold: '@' (0x40) and '`' (0x60) differ by the same bit as 'A' and 'a'.
        XCTAssertFalse(Response.sameName("@", "`"))
        XCTAssertFalse(Response.sameName("[", "{"))
        XCTAssertFalse(Response.sameName("Vary", "Varý"))
    }
}
