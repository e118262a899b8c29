import Web
import XCTest

/// The pool's access-log line, which operators read and the integration tests parse
/// (`GET /cart/ 200 0.23ms pid=1234 sql=0`), written as bytes.
final class AccessLogLineTests: XCTestCase {
    private func line(_ method: String = "GET", _ path: String = "/cart/", status: Int = 200,
                      milliseconds: Double = 0.234, pid: Int32 = 1234, statements: Int = 0) -> String {
        String(decoding: AccessLogLine.bytes(method: method, path: path, status: status, milliseconds: milliseconds,
                                             pid: pid, statements: statements), as: UTF8.self)
    }

    func testTheLineNamesTheRequestItsStatusTimeWorkerAndStatements() {
        XCTAssertEqual(line(), "GET /cart/ 200 0.23ms pid=1234 sql=0\n")
        XCTAssertEqual(line("POST", "/cart/add/11/", status: 302, milliseconds: 12.345, pid: 7, statements: 1),
                       "POST /cart/add/11/ 302 12.35ms pid=7 sql=1\n")
        XCTAssertEqual(line(milliseconds: 0), "GET /cart/ 200 0.00ms pid=1234 sql=0\n")
        XCTAssertEqual(line(milliseconds: 1.005), "GET /cart/ 200 1.00ms pid=1234 sql=0\n", "1.005 is 1.00499… as a Double")
        XCTAssertEqual(line(milliseconds: 0.999), "GET /cart/ 200 1.00ms pid=1234 sql=0\n")
        XCTAssertEqual(line(milliseconds: 30_000.07), "GET /cart/ 200 30000.07ms pid=1234 sql=0\n")
        XCTAssertEqual(line(status: 1000, pid: Int32.max, statements: 10_000_000_001),
                       "GET /cart/ 1000 0.23ms pid=2147483647 sql=10000000001\n")
    }

    func testNoPathCanForgeALine() {
        XCTAssertEqual(line("GET", "/x\n200 0.01ms pid=1 sql=0\r\u{7F}\u{1B}[31m"),
                       "GET /x?200 0.01ms pid=1 sql=0???[31m 200 0.23ms pid=1234 sql=0\n")
        // Only ASCII controls go; every other character stays, byte for byte (a C1 control such as
        // U+0085 too, as before), in the line and in `LogText.printable`'s string alike.
        let path = "/caf\u{E9}/\u{85}/\u{1F600}/%0A?q=\t"
        XCTAssertEqual(line("GET", path), "GET /caf\u{E9}/\u{85}/\u{1F600}/%0A?q=? 200 0.23ms pid=1234 sql=0\n")
        XCTAssertEqual(LogText.printable(path), "/caf\u{E9}/\u{85}/\u{1F600}/%0A?q=?")
        XCTAssertEqual(LogText.printable("\u{0}a\u{7F}"), "?a?")
        XCTAssertEqual(LogText.printable("plain"), "plain")
    }
}
