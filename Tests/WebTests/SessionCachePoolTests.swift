import Foundation
import Postgres
import TestSupport
@testable import Web
import XCTest

/// `cached_db` across workers of one pool (shared memory) and across pools (NOTIFY): a pool
/// alone announces nothing through the database, yet its workers never serve an outdated copy;
/// a second pool is told of every save; a pool that is gone stops costing a NOTIFY.
final class SessionCachePoolTests: DatabaseTestCase {
    private let secret = "cache-pool-tests-secret-key"
    private var live: Date { Date().addingTimeInterval(3600) }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try checkConnection().execute("DELETE FROM session_cache_pool")
    }

    /// What a LISTENing connection received, after a round trip that proves it has all.
    private func received(_ listener: PostgresConnection) throws -> [String] {
        try listener.catchUpNotifications(since: listener.idleReplyCount)
        return listener.pendingNotifications().map(\.payload)
    }

    func testAPoolAloneSavesWithoutNotifyAndItsWorkersStayCoherent() throws {
        let (a, _, b, bConnection) = try twoWorkers(secret: secret)
        let listener = checkConnection()
        try listener.listen(DatabaseSessionStore.changeChannel)
        let first = try a.save(key: nil, data: ["n": "1"], expireDate: live)
        XCTAssertEqual(try read(b, first.key)?.data, ["n": "1"])  // worker B caches version 1
        let second = try a.save(key: first.key, data: ["n": "2"], expireDate: live, expectedVersion: first.version)

        bConnection.log.reset()
        XCTAssertEqual(try read(b, first.key)?.data, ["n": "2"], "B never serves the copy A's save outdated")
        XCTAssertEqual(try read(b, first.key)?.version, second.version)
        XCTAssertEqual(bConnection.log.count, 0, "A's save reached B through the pool's memory: \(bConnection.log.entries.map(\.sql))")
        XCTAssertEqual(try received(listener), [], "no other pool caches sessions: no NOTIFY")
        XCTAssertEqual(try listener.scalar("SELECT count(*)::int FROM session_cache_pool", as: Int.self), 1, "one pool, registered once")
    }

    /// Between a save's commit and its announcement another worker must not serve its old copy:
    /// a key being saved is read from the database.
    func testACopyAnotherWorkerIsSavingIsReadAgain() throws {
        let board = try XCTUnwrap(SessionChangeBoard(rings: 2))
        let connection = checkConnection()
        let b = CachedDatabaseSessionStore(database: connection, secretKey: secret, capacity: 10, seat: board.seat(1))
        let saved = try b.save(key: nil, data: ["n": "1"], expireDate: live)
        XCTAssertEqual(try read(b, saved.key)?.data, ["n": "1"])
        // Worker A committed version 2 and has not announced it yet.
        let a = try XCTUnwrap(board.seat(0))
        a.beginWrite(saved.key)
        try checkConnection().execute("""
            UPDATE django_session SET session_data = $1, version = version + 1 WHERE session_key = $2
            """, [SessionDataSigning(secretKey: secret).encode(["n": "2"]), saved.key])
        connection.log.reset()
        XCTAssertEqual(try read(b, saved.key)?.data, ["n": "2"])
        XCTAssertEqual(connection.log.count, 1, "read from the database: \(connection.log.entries.map(\.sql))")
        a.endWrite()
    }

    /// Another pool (an upgrade's new master, another host) is told of every save by NOTIFY;
    /// once it is gone, the saves stop notifying.
    func testAnotherPoolIsNotifiedUntilItIsGone() throws {
        let (a, _, _, _) = try twoWorkers(secret: secret)
        let first = try a.save(key: nil, data: ["n": "1"], expireDate: live)

        let otherConnection = checkConnection()
        let other = CachedDatabaseSessionStore(database: otherConnection, secretKey: secret, capacity: 10)
        XCTAssertEqual(try read(other, first.key)?.data, ["n": "1"])  // the other pool caches it
        let second = try a.save(key: first.key, data: ["n": "2"], expireDate: live, expectedVersion: first.version)
        otherConnection.log.reset()
        XCTAssertEqual(try read(other, first.key)?.data, ["n": "2"])
        XCTAssertFalse(otherConnection.log.entries.contains { $0.sql.contains("session_data") },
                       "the NOTIFY carried the data: \(otherConnection.log.entries.map(\.sql))")
        // And the other way round.
        let third = try other.save(key: first.key, data: ["n": "3"], expireDate: live, expectedVersion: second.version)
        XCTAssertEqual(try read(a, first.key)?.data, ["n": "3"])

        // The other pool stops. The next save still finds its row and notifies, then forgets it
        // (at most once a minute; here at once): the save after that notifies nobody.
        a.backing.departedCheckInterval = 0
        let otherBackend = try XCTUnwrap(otherConnection.backendPID)
        otherConnection.close()
        let listener = checkConnection()
        try listener.listen(DatabaseSessionStore.changeChannel)
        try waitUntil(timeout: 10) {  // the server ends the closed session on its own time
            try listener.scalar("SELECT count(*)::int FROM pg_stat_activity WHERE pid = $1", [otherBackend], as: Int.self) == 0
        }
        let lastNotified = try a.save(key: first.key, data: ["n": "3.5"], expireDate: live, expectedVersion: third.version)
        XCTAssertEqual(try received(listener).count, 1)
        XCTAssertEqual(try listener.scalar("SELECT count(*)::int FROM session_cache_pool", as: Int.self), 1, "the stopped pool is forgotten")
        let fourth = try a.save(key: first.key, data: ["n": "4"], expireDate: live, expectedVersion: lastNotified.version)
        XCTAssertEqual(try received(listener), [], "alone again: no NOTIFY")
        // A newcomer registers: notified again.
        let newcomer = CachedDatabaseSessionStore(database: checkConnection(), secretKey: secret, capacity: 10)
        XCTAssertNil(try read(newcomer, "no-such-key-0000000000000000000"))
        _ = try a.save(key: first.key, data: ["n": "5"], expireDate: live, expectedVersion: fourth.version)
        XCTAssertEqual(try received(listener).count, 1, "the newcomer is another pool: notified")
    }

    /// A pool's row stays while any of its workers' connections is open, and one that lost its
    /// connection registers again before it caches anything.
    func testAWorkerRegistersItsPoolAgainAfterAReconnect() throws {
        let (a, aConnection, b, bConnection) = try twoWorkers(secret: secret)
        let first = try a.save(key: nil, data: ["n": "1"], expireDate: live)
        XCTAssertEqual(try read(b, first.key)?.data, ["n": "1"])
        bConnection.close()
        let check = checkConnection()
        try SessionCachePools.forgetDeparted(besides: "", on: check)
        XCTAssertEqual(try check.scalar("SELECT count(*)::int FROM session_cache_pool", as: Int.self), 1, "A keeps the pool alive")
        aConnection.close()
        try waitUntil(timeout: 10) {  // the server ends the closed sessions on its own time
            try SessionCachePools.forgetDeparted(besides: "", on: check)
            return try check.scalar("SELECT count(*)::int FROM session_cache_pool", as: Int.self) == 0
        }

        // Meanwhile another pool saves (no NOTIFY: it found no other pool).
        let other = CachedDatabaseSessionStore(database: checkConnection(), secretKey: secret, capacity: 10)
        let second = try other.save(key: first.key, data: ["n": "2"], expireDate: live, expectedVersion: first.version)
        XCTAssertEqual(try read(b, first.key)?.data, ["n": "2"], "B reconnects, forgets its copies, registers")
        XCTAssertEqual(try check.scalar("SELECT count(*)::int FROM session_cache_pool", as: Int.self), 2)
        _ = try other.save(key: first.key, data: ["n": "3"], expireDate: live, expectedVersion: second.version)
        XCTAssertEqual(try read(b, first.key)?.data, ["n": "3"], "told by NOTIFY again")
    }

    /// The barrier: a pool's registration waits for every save in flight (a save holds the
    /// registry's ACCESS SHARE lock from before its snapshot to its commit), so no save that
    /// missed the new pool's row commits after that pool starts caching.
    func testARegistrationWaitsForTheSavesInFlight() throws {
        let saving = checkConnection()
        let registering = ConnectionBox(checkConnection())
        let check = checkConnection()
        try saving.executeScript("BEGIN")
        // What a save's statement does to the registry, left uncommitted.
        XCTAssertEqual(try saving.scalar("SELECT \(SessionCachePools.elsewhere("$1")) AS elsewhere", ["pool-a"], as: Bool.self), false)
        let done = DispatchSemaphore(value: 0)
        let failure = ErrorBox()
        Thread.detachNewThread {
            do { try SessionCachePools.register("pool-b", on: registering.connection) } catch { failure.error = error }
            done.signal()
        }
        XCTAssertEqual(done.wait(timeout: .now() + 0.5), .timedOut, "the registration waits for the save")
        // (Asked of pg_locks: a query of the table itself would queue behind the waiting lock.)
        XCTAssertEqual(try check.scalar("""
            SELECT count(*)::int FROM pg_locks WHERE relation = 'session_cache_pool'::regclass AND NOT granted
            """, as: Int.self), 1, "the registration's lock waits")
        try saving.executeScript("COMMIT")
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
        XCTAssertNil(failure.error)
        XCTAssertEqual(try saving.scalar("SELECT \(SessionCachePools.elsewhere("$1")) AS elsewhere", ["pool-a"], as: Bool.self), true,
                       "every later save sees the new pool")
    }
}

private final class ErrorBox: @unchecked Sendable {
    var error: Error?
}

/// A connection handed to one other thread, used there alone.
private final class ConnectionBox: @unchecked Sendable {
    let connection: PostgresConnection
    init(_ connection: PostgresConnection) { self.connection = connection }
}
