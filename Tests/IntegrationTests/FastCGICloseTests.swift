import Foundation
import Postgres
import TestSupport
import XCTest

/// How a worker ends nginx's connection, seen from nginx's side of the socket. A request whose
/// input has been read to its end is closed at once, so the worker is free for the next one;
/// a request whose body is still unread keeps libfcgi's lingering close, so the rest of the
/// body can still arrive without resetting the connection. Each pool runs with libfcgi's
/// linger set to 10 minutes: a worker that lingers where it should not is unmistakable.
final class FastCGICloseTests: XCTestCase {
    static let lingerTenMinutes = ["LIBFCGI_OS_CLOSE_POLL_TIMEOUT": "600000"]

    override func setUpWithError() throws {
        _ = try TestDatabase.reset()
    }

    func testAPageIsClosedAtOnce() throws {
        let pool = try ShopServer(workers: 1, environment: Self.lingerTenMinutes)
        defer { pool.stop() }
        let client = try FastCGIClient(socketPath: pool.socketPath)
        try client.begin(FastCGIClient.parameters(method: "GET", path: "/"))
        try client.stdin([])
        let response = try client.readResponse()
        XCTAssertTrue(response.hasPrefix("Status: 200"), response)
        XCTAssertTrue(response.contains("</html>"), "the whole page came before the close")
        XCTAssertTrue(client.peerClosed(within: 10_000), "the worker closed without waiting for nginx to hang up")
    }

    func testAPostWhoseBodyWasReadIsClosedAtOnce() throws {
        let pool = try ShopServer(workers: 1, environment: Self.lingerTenMinutes)
        defer { pool.stop() }
        let client = try FastCGIClient(socketPath: pool.socketPath)
        let body = Array("quantity=1&override=False".utf8)
        try client.begin(FastCGIClient.parameters(method: "POST", path: "/cart/add/1/", contentLength: body.count,
                                                  contentType: "application/x-www-form-urlencoded"))
        try client.stdin(body)
        try client.stdin([])
        let response = try client.readResponse()
        XCTAssertTrue(response.hasPrefix("Status: 403"), "no CSRF cookie: \(response.prefix(200))")
        XCTAssertTrue(client.peerClosed(within: 10_000), "the body was read whole: nothing more can come")
    }

    /// `shop bare` never reads stdin: the end of an empty one is read for it.
    func testTheBareResponderIsClosedAtOnce() throws {
        let pool = try ShopServer(workers: 1, environment: Self.lingerTenMinutes, arguments: ["bare"])
        defer { pool.stop() }
        let client = try FastCGIClient(socketPath: pool.socketPath)
        try client.begin(FastCGIClient.parameters(method: "GET", path: "/"))
        try client.stdin([])
        XCTAssertTrue(try client.readResponse().hasPrefix("Status: 200"))
        XCTAssertTrue(client.peerClosed(within: 10_000))
    }

    /// A body still on its way when the response is written (`shop bare` answers without reading
    /// it): the worker lingers and reads it, so the sender's writes never meet a closed socket.
    func testAnUnreadBodyKeepsTheLingeringClose() throws {
        let pool = try ShopServer(workers: 1, environment: Self.lingerTenMinutes, arguments: ["bare"])
        defer { pool.stop() }
        let client = try FastCGIClient(socketPath: pool.socketPath)
        let body = [UInt8](repeating: UInt8(ascii: "a"), count: 200_000)
        try client.begin(FastCGIClient.parameters(method: "POST", path: "/", contentLength: body.count,
                                                  contentType: "application/octet-stream"))
        try client.stdin(Array(body.prefix(1_000)))
        XCTAssertTrue(try client.readResponse().hasPrefix("Status: 200"))
        XCTAssertFalse(client.peerClosed(within: 1_000), "the worker waits for the rest of the body")
        try client.stdin(Array(body.dropFirst(1_000)))  // throws on a closed or reset connection
        try client.stdin([])
        XCTAssertFalse(client.peerClosed(within: 200))
        client.close()
        // The worker, lingering until nginx's side hung up, then serves the next connection.
        let next = try FastCGIClient(socketPath: pool.socketPath)
        try next.begin(FastCGIClient.parameters(method: "GET", path: "/"))
        try next.stdin([])
        XCTAssertTrue(try next.readResponse().hasPrefix("Status: 200"))
    }

    /// nginx with `fastcgi_keep_conn on` asks the worker to keep the connection for its next
    /// request. A worker that did would be tied to that connection: here, with one worker, the
    /// second connection would wait as long as the first stays open. The worker closes it, says
    /// why once in the log, and serves the next connection.
    func testAConnectionNginxAsksToKeepIsClosedAnyway() throws {
        let pool = try ShopServer(workers: 1, environment: Self.lingerTenMinutes)
        defer { pool.stop() }
        let kept = try FastCGIClient(socketPath: pool.socketPath)
        try kept.begin(FastCGIClient.parameters(method: "GET", path: "/"), keepConnection: true)
        try kept.stdin([])
        let response = try kept.readResponse()
        XCTAssertTrue(response.hasPrefix("Status: 200"), response)
        XCTAssertTrue(response.contains("</html>"), "the whole page came before the close")
        XCTAssertTrue(kept.peerClosed(within: 10_000), "the worker closed the connection nginx asked to keep")
        // The first connection stays open on this side, as in nginx's cache of kept connections.
        for _ in 0..<2 {
            let next = try FastCGIClient(socketPath: pool.socketPath)
            next.giveUpReadingAfter(seconds: 10)
            try next.begin(FastCGIClient.parameters(method: "GET", path: "/"), keepConnection: true)
            try next.stdin([])
            XCTAssertTrue(try next.readResponse().hasPrefix("Status: 200"))
            XCTAssertTrue(next.peerClosed(within: 10_000))
        }
        withExtendedLifetime(kept) {}
        let warnings = pool.log.components(separatedBy: "\n").filter { $0.contains("fastcgi_keep_conn") }
        XCTAssertEqual(warnings.count, 1, "one warning per worker, naming the setting: \(pool.log)")
    }
}
