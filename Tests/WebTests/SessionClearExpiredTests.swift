import Foundation
import Postgres
import TestSupport
@testable import Web
import XCTest

/// `shop clearsessions`: `store.clearExpired()` removes expired sessions and keeps live ones.
final class SessionClearExpiredTests: DatabaseTestCase {
    // Computed at each use: XCTest makes the instances early, and a loaded machine once took 7 s to get here.
    private var live: Date { Date().addingTimeInterval(3600) }
    private let past = Date().addingTimeInterval(-3600)

    private func checkDatabaseStore(_ make: (PostgresConnection) -> SessionStore) throws {
        let database = checkConnection()
        try database.execute("DELETE FROM django_session")
        let store = make(database)
        let keep = try store.save(key: nil, data: ["a": "1"], expireDate: live)
        let gone1 = try store.save(key: nil, data: ["a": "2"], expireDate: past)
        let gone2 = try store.save(key: nil, data: ["a": "3"], expireDate: Date().addingTimeInterval(-1))
        XCTAssertNil(try store.load(key: gone1.key, version: nil), "expiry is enforced on read, not only by clearsessions")
        XCTAssertEqual(try store.clearExpired(), 2)
        let keys = try database.query("SELECT session_key FROM django_session").map { try $0.get("session_key", as: String.self) }
        XCTAssertEqual(keys, [keep.key])
        XCTAssertFalse(keys.contains(gone1.key) || keys.contains(gone2.key))
        XCTAssertEqual(try store.load(key: keep.key, version: keep.version)?.data, ["a": "1"])
        XCTAssertEqual(try store.clearExpired(), 0)
    }

    func testDatabase() throws {
        try checkDatabaseStore { DatabaseSessionStore(database: $0, secretKey: "clear-expired-tests-secret-key") }
    }

    func testCachedDatabase() throws {
        try checkDatabaseStore { CachedDatabaseSessionStore(database: $0, secretKey: "clear-expired-tests-secret-key", capacity: 10) }
    }

    /// More expired rows than one batch: all go, in several statements, and the live ones stay.
    func testManyExpiredSessionsGoInBatches() throws {
        let database = checkConnection()
        try database.execute("DELETE FROM django_session")
        let expired = DatabaseSessionStore.clearBatchSize * 2 + 1
        try database.execute("""
            INSERT INTO django_session (session_key, session_data, expire_date)
            SELECT 'expired' || n, '', now() - interval '1 hour' FROM generate_series(1, $1) AS n
            UNION ALL SELECT 'live' || n, '', now() + interval '1 hour' FROM generate_series(1, 50) AS n
            """, [expired])
        database.log.reset()
        XCTAssertEqual(try DatabaseSessionStore(database: database, secretKey: "clear-expired-tests-secret-key").clearExpired(), expired)
        XCTAssertEqual(database.log.entries.filter { $0.sql.contains("DELETE") }.count, 4, "three batches, then one that finds none")
        XCTAssertEqual(try database.scalar("SELECT count(*) FROM django_session", as: Int.self), 50)
    }

    func testFiles() throws {
        let directory = NSTemporaryDirectory() + "shop-web-tests-clear-\(getpid())-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try FileSessionStore(directory: directory)
        let keep = try store.save(key: nil, data: ["a": "1"], expireDate: live)
        let gone = try store.save(key: nil, data: ["a": "2"], expireDate: past)
        // A corrupt session file an hour old, and a temporary file a crash left behind.
        let corrupt = directory + "/sessionid" + SessionKey.generate()
        let debris = directory + "/.sessionid-tmp-abc123"
        let unrelated = directory + "/notes.txt"
        for path in [corrupt, debris, unrelated] {
            _ = FileManager.default.createFile(atPath: path, contents: Data("{".utf8))
            try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: path)
        }
        // A corrupt file written just now may be a session being created: kept.
        let fresh = directory + "/sessionid" + SessionKey.generate()
        _ = FileManager.default.createFile(atPath: fresh, contents: Data())

        XCTAssertEqual(try store.clearExpired(), 2)
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: directory))
        XCTAssertEqual(names, ["sessionid" + keep.key, "notes.txt", (fresh as NSString).lastPathComponent])
        XCTAssertFalse(names.contains("sessionid" + gone.key))
        XCTAssertEqual(try store.load(key: keep.key, version: nil)?.data, ["a": "1"])
    }

    func testCacheLeavesExpiryToRedis() throws {
        let store = try CacheSessionStore(url: try TestSite.cacheURL())
        let record = try store.save(key: nil, data: ["a": "1"], expireDate: live)
        XCTAssertEqual(try store.clearExpired(), 0)
        let ttl = try XCTUnwrap(try store.client.command(["TTL", CacheSessionStore.keyPrefix + record.key]).integer)
        XCTAssertGreaterThan(ttl, 3500)
        XCTAssertEqual(try store.load(key: record.key, version: nil)?.data, ["a": "1"])
        try store.delete(key: record.key)
        XCTAssertNil(try store.load(key: record.key, version: nil))
    }

    func testSignedCookiesHaveNothingToClear() throws {
        XCTAssertEqual(try SignedCookieSessionStore(secretKey: "k", maxAge: 60).clearExpired(), 0)
    }
}
