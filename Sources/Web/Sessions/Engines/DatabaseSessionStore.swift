import Foundation
import Postgres

/// `SESSION_ENGINE=db`: sessions in the `django_session` table, `session_data`
/// signed as Django signs it (`SessionDataSigning`).
///
/// Every write of an existing session is conditional on the version the
/// request loaded (`WHERE session_key = $1 AND version = $2`, in the writing
/// statement, so nothing slips in between a check and the write) and
/// announces itself with `NOTIFY` for the `cached_db` workers' caches, in the
/// same statement, when a pool other than the writer's caches sessions
/// (`SessionCachePools`): the notification is delivered when that write commits.
public final class DatabaseSessionStore: SessionStore {
    let database: PostgresConnection
    let coding: SessionDataSigning
    /// Every save and deletion is announced here; the payload is
    /// `"<version> <key>"`, version 0 for a deletion. A save by the shop adds
    /// `" <expiry, seconds since 1970> <session_data>"` when the data is short
    /// enough for a notification, so the workers that hold the session update
    /// their copies instead of reading the row again.
    static let changeChannel = "shop_session_changed"

    /// SQL for a save's notification payload, "version key expiry data" (the expiry in epoch
    /// seconds), or "version key" when the data is too long for NOTIFY (8,000 bytes), from the
    /// parameters the save already binds: built by PostgreSQL only when it notifies, which most
    /// saves do not.
    static func announcement(key: String, data: String, expireDate: String) -> String {
        "version::text || ' ' || \(key) || CASE WHEN octet_length(\(data)) <= 7000 "
            + "THEN ' ' || extract(epoch FROM \(expireDate)::timestamptz)::text || ' ' || \(data) ELSE '' END"
    }
    /// Keys this connection holds the advisory lock of.
    private var lockedKeys: [String] = []
    /// The pool this store's saves come from (`SessionCachePools`): their `NOTIFY` is left out
    /// when no other pool caches sessions. Empty for a store outside a caching pool.
    let pool: String
    /// When this store last deleted the rows of departed pools after a save that notified them,
    /// and how long it waits before it looks again.
    private var departedCheckedAt = Date.distantPast
    var departedCheckInterval: TimeInterval = 60

    public init(database: PostgresConnection, secretKey: String, pool: String = "") {
        self.database = database
        self.coding = SessionDataSigning(secretKey: secretKey)
        self.pool = pool
    }

    public func load(key: String, version: Int64?) throws -> SessionRecord? {
        guard let row = try database.queryOne(
            "SELECT session_data, expire_date, version FROM django_session WHERE session_key = $1 AND expire_date > $2",
            [key, Date()]) else { return nil }
        guard let data = coding.decode(try row.get("session_data", as: String.self)) else { return nil }
        return SessionRecord(key: key, data: data, expireDate: try row.get("expire_date"), version: try row.get("version"))
    }

    public func save(key: String?, data: SessionData, expireDate: Date) throws -> SessionRecord {
        try save(key: key, data: data, expireDate: expireDate, expectedVersion: nil)
    }

    public func save(key: String?, data: SessionData, expireDate: Date, expectedVersion: Int64?) throws -> SessionRecord {
        try save(key: key, data: data, expireDate: expireDate, expectedVersion: expectedVersion, conditions: [])
    }

    public var checksSaveConditions: Bool { true }

    public func save(key: String?, data: SessionData, expireDate: Date, expectedVersion: Int64?,
                     conditions: [SessionSaveCondition]) throws -> SessionRecord {
        try write(key: key, data: data, expireDate: expireDate, expectedVersion: expectedVersion, conditions: conditions).record
    }

    /// A save, with the signed data it stored (what `cached_db` announces to its pool).
    func write(key: String?, data: SessionData, expireDate: Date, expectedVersion: Int64?,
               conditions: [SessionSaveCondition]) throws -> (record: SessionRecord, signedData: String) {
        let text = coding.encode(data)
        guard let key else {
            return (try create(text: text, data: data, expireDate: expireDate, conditions: conditions), text)
        }
        let row: PostgresRow?
        if let expectedVersion {
            // Only over the version this request loaded: a newer save (or a
            // deletion) by another request is never overwritten unseen. Nor while
            // another request holds the session's lock (it is about to save): a
            // request that holds it itself passes (advisory locks are re-entrant).
            let parameters: [any PostgresBindable] = [
                key, text, expireDate, expectedVersion, DatabaseSessionStore.changeChannel, pool]
            row = try database.queryOne(versionedUpdate(conditions, after: parameters.count),
                                        parameters + conditions.flatMap(\.parameters))
        } else {
            // (A speculative request always loaded a version; were it not so, it asks again.)
            guard conditions.isEmpty else { throw SessionConflict(key: key) }
            // No loaded version to compare with (a caller outside a request): the later save wins.
            row = try database.queryOne("""
                WITH saved AS (
                    INSERT INTO django_session (session_key, session_data, expire_date, version) VALUES ($1, $2, $3, 1)
                    ON CONFLICT (session_key) DO UPDATE
                    SET session_data = EXCLUDED.session_data, expire_date = EXCLUDED.expire_date, version = django_session.version + 1
                    RETURNING version)
                SELECT version, \(DatabaseSessionStore.notifyElsewhere(channel: "$4", payload: "version::text || ' ' || $1", pool: "$5")) FROM saved
                """, [key, text, expireDate, DatabaseSessionStore.changeChannel, pool])
        }
        guard let row, let version = try row.get("version", as: Int64?.self) else { throw SessionConflict(key: key) }
        if try row.get("notified", as: Bool?.self) == true { forgetDepartedPoolsNowAndThen() }
        return (SessionRecord(key: key, data: data, expireDate: expireDate, version: version), text)
    }

    /// The save of a loaded version, with `conditions` in its `WHERE` (their parameters after
    /// the statement's first `offset`). Kept from one save to the next: the conditions' SQL is
    /// the same every time, and building the 600-byte statement, its conditions renumbered,
    /// was some 3 µs of every save under `perf`.
    private func versionedUpdate(_ conditions: [SessionSaveCondition], after offset: Int) -> String {
        if let last = lastVersionedUpdate, last.offset == offset,
           last.conditions.elementsEqual(conditions.lazy.map(\.sql)) { return last.sql }
        let also = SessionSaveCondition.clause(conditions, after: offset).sql
        let payload = DatabaseSessionStore.announcement(key: "$1", data: "$2", expireDate: "$3")
        // RETURNING carries the notification itself: no CTE to plan and scan (pgbench,
        // 4 clients: 124-131 against 134-140 µs of PostgreSQL's CPU a save).
        let sql = """
            UPDATE django_session SET session_data = $2, expire_date = $3, version = version + 1
            WHERE session_key = $1 AND version = $4 AND \(DatabaseSessionStore.lockIsFree)\(also)
            RETURNING version, \(DatabaseSessionStore.notifyElsewhere(channel: "$5", payload: payload, pool: "$6"))
            """
        lastVersionedUpdate = (conditions.map(\.sql), offset, sql)
        return sql
    }
    private var lastVersionedUpdate: (conditions: [String], offset: Int, sql: String)?

    /// SQL for a `notified` column: NOTIFY with `payload` on `channel` when a pool other than
    /// `pool`'s caches sessions (true), else nothing (null). `pg_notify` is called in the `CASE`
    /// itself (its `void` is never null), not in a sub-select: a sub-select's function scan was
    /// set up at every save, notifying or not (3% of PostgreSQL's CPU under the add-to-cart).
    private static func notifyElsewhere(channel: String, payload: String, pool: String) -> String {
        "CASE WHEN \(SessionCachePools.elsewhere(pool)) THEN pg_notify(\(channel), \(payload)) IS NOT NULL END AS notified"
    }

    /// A save that notified another pool: if that pool is gone (upgraded, stopped, crashed),
    /// its row goes, so the saves stop paying for `NOTIFY`. At most once a minute.
    private func forgetDepartedPoolsNowAndThen() {
        guard !database.isInTransaction, Date().timeIntervalSince(departedCheckedAt) > departedCheckInterval else { return }
        departedCheckedAt = Date()
        _ = try? SessionCachePools.forgetDeparted(besides: pool, on: database)
    }

    /// A new session: a fresh key, never one the browser proposed; retry on the
    /// (unlikely) collision. Nobody can have cached a key that did not exist: no NOTIFY.
    /// With conditions, a refused insert is a conflict (a key collision is as good as impossible).
    private func create(text: String, data: SessionData, expireDate: Date, conditions: [SessionSaveCondition]) throws -> SessionRecord {
        let also = SessionSaveCondition.clause(conditions, after: 3)
        while true {
            let fresh = SessionKey.generate()
            let inserted = try database.execute(also.sql.isEmpty ? """
                INSERT INTO django_session (session_key, session_data, expire_date, version) VALUES ($1, $2, $3, 1)
                ON CONFLICT (session_key) DO NOTHING
                """ : """
                INSERT INTO django_session (session_key, session_data, expire_date, version)
                SELECT $1::varchar, $2::text, $3::timestamptz, 1 WHERE true\(also.sql)
                ON CONFLICT (session_key) DO NOTHING
                """, [fresh, text, expireDate] + also.parameters)
            if inserted == 1 { return SessionRecord(key: fresh, data: data, expireDate: expireDate, version: 1) }
            if !conditions.isEmpty { throw SessionConflict(key: fresh) }
        }
    }

    public func delete(key: String) throws {
        try delete(key: key, expectedVersion: nil)
    }

    public func delete(key: String, expectedVersion: Int64?) throws {
        try delete(key: key, expectedVersion: expectedVersion, conditions: [])
    }

    public func delete(key: String, expectedVersion: Int64?, conditions: [SessionSaveCondition]) throws {
        let also = SessionSaveCondition.clause(conditions, after: 3)
        let deleted = try database.query("""
            WITH gone AS (
                DELETE FROM django_session WHERE session_key = $1 AND ($2::bigint IS NULL OR (version = $2 AND \(DatabaseSessionStore.lockIsFree)))\(also.sql)
                RETURNING session_key)
            SELECT pg_notify($3, '0 ' || session_key) FROM gone
            """, [key, expectedVersion, DatabaseSessionStore.changeChannel] + also.parameters)
        if deleted.isEmpty, !conditions.isEmpty { throw SessionConflict(key: key) }
        if deleted.isEmpty, expectedVersion != nil,
           try database.queryOne("SELECT 1 FROM django_session WHERE session_key = $1", [key]) != nil {
            throw SessionConflict(key: key)
        }
    }

    /// Rows deleted per statement by `clearExpired`.
    static let clearBatchSize = 5_000

    /// Deletes expired sessions in batches of `clearBatchSize`, each its own
    /// short transaction found through the expire_date index: a million expired
    /// rows never make one long transaction (its WAL, its locks, a vacuum
    /// horizon held back), and shoppers' sessions are live rows it never touches.
    public func clearExpired() throws -> Int {
        // Expired sessions are never served (the expiry is checked on every
        // read, cached ones included), so their deletion needs no announcement.
        let now = Date()
        var total = 0
        while true {
            let deleted = try database.execute("""
                DELETE FROM django_session WHERE session_key IN (
                    SELECT session_key FROM django_session WHERE expire_date <= $1 LIMIT \(Self.clearBatchSize) FOR UPDATE SKIP LOCKED)
                """, [now])
            total += deleted
            if deleted == 0 { return total }
        }
    }

    /// A session-level advisory lock on (1936028531, the key's hash): the first
    /// half is "sess" in ASCII, so these never collide with other advisory locks,
    /// and a hash collision only makes two sessions wait for each other. It
    /// waits for the holder's request to end; a worker that dies releases it
    /// with its connection.
    public func lock(key: String) throws {
        try database.query("SELECT pg_advisory_lock(\(DatabaseSessionStore.lockID("$1")))", [key])
        lockedKeys.append(key)
    }

    public func releaseLocks() {
        while let key = lockedKeys.popLast() {
            // A lost connection took its locks with it.
            _ = try? database.query("SELECT pg_advisory_unlock(\(DatabaseSessionStore.lockID("$1")))", [key])
        }
    }

    /// The session lock's two keys, for the key in the parameter `parameter`.
    static func lockID(_ parameter: String) -> String { "1936028531, hashtext(\(parameter))" }

    /// True when nobody else holds the lock of the session in $1; held until the statement's
    /// transaction ends, so no request takes the lock between this check and the write.
    static let lockIsFree = "pg_try_advisory_xact_lock(\(lockID("$1")))"

    /// A lock a previous request left (it should not happen) is released now.
    public func beginRequest(speculative: Bool) {
        releaseLocks()
    }
}
