import Foundation
import Postgres
import TestSupport
@testable import Web
import XCTest

/// `cached_db` serving a request on another worker's shared catalog check instead of a round
/// trip of its own (`SessionStore.takesSharedCheck`, `shareNotifications`): the worker that asked
/// passes on every notification its reply brought, so what this worker's own connection has not
/// received yet still reaches its cache.
final class SharedSessionCatchUpTests: DatabaseTestCase {
    private let secret = "shared-catch-up-tests-secret-key"
    private var live: Date { Date().addingTimeInterval(3600) }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try checkConnection().execute("DELETE FROM session_cache_pool")
    }

    /// What the catalog check does on worker `store`'s connection before it shares its answer.
    private func check(_ store: CachedDatabaseSessionStore, on connection: PostgresConnection) throws -> VersionCheckBoard.Answer {
        store.beginRequest(speculative: false)
        let asked = VersionCheckBoard.Moment.now()
        _ = try connection.queryOne("SELECT 1 AS one")
        let heard = store.shareNotifications()
        return VersionCheckBoard.Answer(askedAt: asked, version: 1, listsVersion: 1, sessionsHeardSince: heard ?? 0)
    }

    func testAWriteOnlyAnotherWorkerHeardOfReachesThisCacheThroughItsSharedCheck() throws {
        let (a, aConnection, b, bConnection) = try twoWorkers(secret: secret)
        XCTAssertNil(try read(a, "no-such-key-0000000000000000000"))  // A listens from now on
        let saved = try b.save(key: nil, data: ["n": "1"], expireDate: live)
        XCTAssertEqual(try read(b, saved.key)?.data, ["n": "1"])  // B caches it
        // B's own notification is late: its connection hears nothing (this is what the race
        // with the notifying backend looks like when B loses it).
        try bConnection.execute("UNLISTEN \(DatabaseSessionStore.changeChannel)")
        // Django (or SQL) writes the session; the trigger notifies.
        try checkConnection().execute("UPDATE django_session SET session_data = $1 WHERE session_key = $2",
                                      [SessionDataSigning(secretKey: secret).encode(["n": "2"]), saved.key])

        let answer = try check(a, on: aConnection)
        XCTAssertGreaterThan(answer.sessionsHeardSince, 0)
        b.beginRequest(speculative: false)
        XCTAssertTrue(b.takesSharedCheck(answer))
        bConnection.log.reset()
        XCTAssertEqual(try b.load(key: saved.key, version: nil)?.data, ["n": "2"], "A passed the change on")
        XCTAssertEqual(bConnection.log.entries.map(\.sql).filter { $0.contains("django_session") }.count, 1,
                       "the copy it dropped read again: \(bConnection.log.entries.map(\.sql))")
    }

    func testAnotherPoolsSaveReachesThisCacheWithItsData() throws {
        let (a, aConnection, b, bConnection) = try twoWorkers(secret: secret)
        XCTAssertNil(try read(a, "no-such-key-0000000000000000000"))
        let saved = try b.save(key: nil, data: ["n": "1"], expireDate: live)
        XCTAssertEqual(try read(b, saved.key)?.data, ["n": "1"])
        try bConnection.execute("UNLISTEN \(DatabaseSessionStore.changeChannel)")
        let otherPool = CachedDatabaseSessionStore(database: checkConnection(), secretKey: secret, capacity: 10)
        _ = try otherPool.save(key: saved.key, data: ["n": "2"], expireDate: live, expectedVersion: saved.version)

        let answer = try check(a, on: aConnection)
        b.beginRequest(speculative: false)
        XCTAssertTrue(b.takesSharedCheck(answer))
        bConnection.log.reset()
        let replies = bConnection.idleReplyCount
        XCTAssertEqual(try b.load(key: saved.key, version: nil)?.data, ["n": "2"])
        XCTAssertEqual(bConnection.idleReplyCount, replies, "no round trip: the notification carried the data")
    }

    /// A worker vouches only for what it heard since it listened: a cache that has heard through
    /// an earlier moment only (its last proof) cannot rely on it, until a proof of its own.
    func testAWorkerThatStartedListeningAfterThisCachesLastProofIsNotTaken() throws {
        let (a, aConnection, b, bConnection) = try twoWorkers(secret: secret)
        let saved = try b.save(key: nil, data: ["n": "1"], expireDate: live)
        XCTAssertEqual(try read(b, saved.key)?.data, ["n": "1"])  // B's last proof: now
        usleep(1_000)
        XCTAssertNil(try read(a, "no-such-key-0000000000000000000"))  // A listens from a later moment
        let answer = try check(a, on: aConnection)
        b.beginRequest(speculative: false)
        XCTAssertFalse(b.takesSharedCheck(answer), "a write between the two moments may have reached neither")

        let replies = bConnection.idleReplyCount
        XCTAssertEqual(try b.load(key: saved.key, version: nil)?.data, ["n": "1"])
        XCTAssertEqual(bConnection.idleReplyCount, replies + 1, "B proved its copy itself")
        b.beginRequest(speculative: false)
        XCTAssertTrue(b.takesSharedCheck(try check(a, on: aConnection)), "B's own proof came after A listened")
    }

    /// A worker that serves no session never listened, and one whose connection was replaced
    /// lost what was sent meanwhile: neither vouches for anything until it listens again.
    func testAWorkerNotListeningVouchesForNothing() throws {
        let (a, aConnection, b, _) = try twoWorkers(secret: secret)
        XCTAssertNil(try check(a, on: aConnection).sessionsHeardSince.nonZero)
        XCTAssertNil(try read(a, "no-such-key-0000000000000000000"))
        XCTAssertNil(try read(b, "no-such-key-0000000000000000000"))  // B would take A's word
        b.beginRequest(speculative: false)
        XCTAssertTrue(b.takesSharedCheck(try check(a, on: aConnection)))

        let backend = try XCTUnwrap(aConnection.backendPID)
        try checkConnection().execute("SELECT pg_terminate_backend($1)", [backend])
        try waitUntil(timeout: 10) {
            try self.checkConnection().scalar("SELECT count(*)::int FROM pg_stat_activity WHERE pid = $1", [backend], as: Int.self) == 0
        }
        let afterReconnect = try check(a, on: aConnection)
        XCTAssertNotEqual(aConnection.backendPID, backend)
        XCTAssertEqual(afterReconnect.sessionsHeardSince, 0)
        b.beginRequest(speculative: false)
        XCTAssertFalse(b.takesSharedCheck(afterReconnect))

        XCTAssertNil(try read(a, "no-such-key-0000000000000000000"))  // registers and listens again
        let again = try check(a, on: aConnection)
        XCTAssertGreaterThanOrEqual(again.sessionsHeardSince, afterReconnect.askedAt.monotonic)
    }
}

private extension Int64 {
    var nonZero: Int64? { self == 0 ? nil : self }
}
