import Foundation
@testable import Web
import XCTest

/// The hiredis wrapper against the tests' private redis (`CACHE_URL`).
final class SessionRedisClientTests: XCTestCase {
    private var client: RedisClient!
    private let key = "shop:test:client:\(getpid())"

    override func setUpWithError() throws {
        try super.setUpWithError()
        client = try RedisClient(url: try TestSite.cacheURL())
    }

    override func tearDownWithError() throws {
        _ = try? client?.command(["DEL", key])
        client?.disconnect()
        try super.tearDownWithError()
    }

    func testConnectsLazily() throws {
        XCTAssertFalse(client.isConnected)
        XCTAssertEqual(try client.command(["PING"]), .status("PONG"))
        XCTAssertTrue(client.isConnected)
    }

    func testValuesAreBinarySafe() throws {
        let value: [UInt8] = [0, 13, 10, 0xff, 0x24, 0x2a] + Array("ünïcode".utf8)
        XCTAssertEqual(try client.command(bytes: [Array("SET".utf8), Array(key.utf8), value]), .status("OK"))
        XCTAssertEqual(try client.command(["GET", key]).bytes, value)
        XCTAssertEqual(try client.command(["SET", key, ""]), .status("OK"))
        XCTAssertEqual(try client.command(["GET", key]), .string([]))
        XCTAssertEqual(try client.command(["GET", key + ":missing"]), .null)
    }

    func testPipelineKeepsTheOrder() throws {
        let replies = try client.pipeline([
            [Array("SET".utf8), Array(key.utf8), Array("1".utf8)],
            [Array("INCR".utf8), Array(key.utf8)],
            [Array("GET".utf8), Array(key.utf8)],
        ])
        XCTAssertEqual(replies, [.status("OK"), .integer(2), .string(Array("2".utf8))])
    }

    func testAnErrorReplyThrowsAndTheConnectionStaysUsable() throws {
        XCTAssertEqual(try client.command(["SET", key, "text"]), .status("OK"))
        XCTAssertThrowsError(try client.command(["INCR", key])) { error in
            XCTAssertEqual((error as? RedisError)?.kind, .server)
        }
        XCTAssertThrowsError(try client.command(["NO-SUCH-COMMAND"]))
        XCTAssertTrue(client.isConnected)
        XCTAssertEqual(try client.command(["GET", key]).text, "text")
    }

    func testAnUnreachableServerThrowsAConnectionError() throws {
        let dead = RedisClient(endpoint: try RedisEndpoint(url: "redis://127.0.0.1:1/0"), connectTimeout: 0.5)
        XCTAssertThrowsError(try dead.command(["PING"])) { error in
            XCTAssertEqual((error as? RedisError)?.kind, .connection)
        }
        XCTAssertFalse(dead.isConnected)
        // The session store turns it into a 503 for the visitor.
        let store = CacheSessionStore(client: dead)
        XCTAssertThrowsError(try store.load(key: SessionKey.generate(), version: nil)) { error in
            XCTAssertEqual((error as? HTTPError)?.status, 503)
        }
    }

    func testADatabaseNumberIsSelected() throws {
        var endpoint = client.endpoint
        endpoint.database = 5
        let other = RedisClient(endpoint: endpoint)
        defer { _ = try? other.command(["DEL", key]); other.disconnect() }
        XCTAssertEqual(try other.command(["SET", key, "in five"]), .status("OK"))
        XCTAssertEqual(try client.command(["GET", key]), .null, "db 0 does not see db 5")
        XCTAssertEqual(try other.command(["GET", key]).text, "in five")
    }

    func testReconnectsAfterTheServerClosedTheConnection() throws {
        let id = try XCTUnwrap(try client.command(["CLIENT", "ID"]).integer)
        let killer = try RedisClient(url: try TestSite.cacheURL())
        defer { killer.disconnect() }
        XCTAssertEqual(try killer.command(["CLIENT", "KILL", "ID", String(id)]), .integer(1))
        XCTAssertEqual(try client.command(["PING"]), .status("PONG"))
        XCTAssertNotEqual(try client.command(["CLIENT", "ID"]).integer, id)
    }
}
