@testable import FastCGI
import XCTest

/// The CGI response head the worker writes to nginx: status line, headers, blank line,
/// and no header value able to split the response.
final class ResponseHeadEncodingTests: XCTestCase {
    func testTheHeadIsTheStatusThenEachHeaderThenABlankLine() {
        let head = ResponseHead.encode(status: 302, reason: "Found",
                                       headers: [("Location", "/cart/"), ("Set-Cookie", "a=1; Path=/"), ("Set-Cookie", "b=é")])
        XCTAssertEqual(String(decoding: head, as: UTF8.self),
                       "Status: 302 Found\r\nLocation: /cart/\r\nSet-Cookie: a=1; Path=/\r\nSet-Cookie: b=é\r\n\r\n")
    }

    func testCarriageReturnsAndLineFeedsBecomeSpacesEverywhere() {
        let head = ResponseHead.encode(status: 200, reason: "OK\r\nX-Reason: 1",
                                       headers: [("X-A\nB", "v\r\nSet-Cookie: stolen=1"), ("Empty", ""), ("\r\n", "\n\n")])
        XCTAssertEqual(String(decoding: head, as: UTF8.self),
                       "Status: 200 OK  X-Reason: 1\r\nX-A B: v  Set-Cookie: stolen=1\r\nEmpty: \r\n  :   \r\n\r\n")
        // At either end, and in a value longer than a small string (one stored in place).
        let long = String(repeating: "é", count: 40)
        let ends = ResponseHead.encode(status: 200, reason: "",
                                       headers: [("\rX", "\nv\r"), ("L", long + "\r\n" + long + "\n")])
        XCTAssertEqual(String(decoding: ends, as: UTF8.self), "Status: 200\r\n X:  v \r\nL: \(long)  \(long) \r\n\r\n")
    }
}
