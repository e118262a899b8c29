import Foundation
import Postgres

/// `SESSION_ENGINE=cached_db` (the default): the `db` engine behind a
/// write-through LRU in each worker.
///
/// Coherence across workers and pools is the server's business, never the
/// cookie's: every save and deletion, by any worker of any pool, is announced
/// with NOTIFY when it commits (`DatabaseSessionStore.changeChannel`: the
/// version and key, and for the shop's saves the expiry and signed data), and
/// each worker LISTENs. Before it serves a session from its cache, a worker
/// makes sure it has received every notification committed before the request
/// arrived (`PostgresConnection.catchUpNotifications`: free when the request
/// already had a reply from the server, else one statement-free round trip)
/// and brings the copies they outdate up to date from the announced data, or
/// drops them. So a read the cache serves costs no SQL and is never older than
/// the newest save the database had committed when the request arrived,
/// whatever version cookie the browser sends. The cookie is only a hint: one
/// newer than the cache's copy sends the read to the database.
public final class CachedDatabaseSessionStore: SessionStore {
    private let backing: DatabaseSessionStore
    private let database: PostgresConnection
    private var cache: LRUCache<String, CachedSession>
    private var listening = false
    /// The connection's generation when the cache was last known complete; a
    /// reconnect may have lost notifications, so the cache starts over.
    private var cacheGeneration = -1
    /// `database.idleReplyCount` when the current request began.
    private var requestMark = 0
    /// The current request is speculative (`Session.isSpeculative`): its save is conditional
    /// on the version it loads and it shows nothing else of the session, so a cached copy is
    /// served without catching up first.
    private var speculative = false

    public init(database: PostgresConnection, secretKey: String, capacity: Int) {
        self.database = database
        self.backing = DatabaseSessionStore(database: database, secretKey: secretKey)
        self.cache = LRUCache(capacity: capacity)
    }

    public func beginRequest(speculative: Bool) {
        backing.beginRequest(speculative: speculative)
        requestMark = database.idleReplyCount
        self.speculative = speculative
    }

    public func load(key: String, version: Int64?) throws -> SessionRecord? {
        try applyNotifications()
        // A cached copy is only as good as the notifications received: first
        // collect every one committed before this request arrived (not possible
        // inside a transaction: then the database answers).
        if cache.contains(key), try speculative || database.catchUpNotifications(since: requestMark) {
            try applyNotifications()
            if let cached = cache.get(key), cached.expireDate > Date(),
               (cached.version ?? 0) >= (version ?? 0), let record = decoded(cached, key: key) {
                return record
            }
        }
        guard let record = try backing.load(key: key, version: version) else {
            cache.remove(key)
            return nil
        }
        cache.put(key, .decoded(record))
        return record
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
        try applyNotifications()
        do {
            let record = try backing.save(key: key, data: data, expireDate: expireDate, expectedVersion: expectedVersion,
                                          conditions: conditions)
            cache.put(record.key, .decoded(record))
            return record
        } catch {
            if let key { cache.remove(key) }  // outdated, or unknown after a failure
            throw error
        }
    }

    public func delete(key: String) throws {
        try delete(key: key, expectedVersion: nil)
    }

    public func delete(key: String, expectedVersion: Int64?) throws {
        try delete(key: key, expectedVersion: expectedVersion, conditions: [])
    }

    public func delete(key: String, expectedVersion: Int64?, conditions: [SessionSaveCondition]) throws {
        cache.remove(key)
        try backing.delete(key: key, expectedVersion: expectedVersion, conditions: conditions)
    }

    public func clearExpired() throws -> Int {
        cache.removeAll()
        return try backing.clearExpired()
    }

    public func lock(key: String) throws { try backing.lock(key: key) }
    public func releaseLocks() { backing.releaseLocks() }

    /// Brings the cached sessions that another worker saved since (a newer
    /// version) up to date from the notification's data, or drops them (deleted,
    /// saved by Django, or with data too long to announce). Costs one
    /// non-blocking read of the connection's socket; LISTEN is issued once, on
    /// first use, before anything is cached
    /// (the connection re-issues it after a reconnect, and a reconnect empties
    /// the cache, since notifications sent meanwhile were lost).
    private func applyNotifications() throws {
        if !listening {
            try database.listen(DatabaseSessionStore.changeChannel)
            listening = true
        }
        for notification in database.pendingNotifications() where notification.channel == DatabaseSessionStore.changeChannel {
            let parts = notification.payload.split(separator: " ", maxSplits: 3)
            guard parts.count >= 2, let version = Int64(parts[0]) else { continue }
            let key = String(parts[1])
            // Our own saves come back too: the cached copy is that version, kept. So is a
            // session this worker does not hold: it is read when first asked for.
            guard let cached = cache.peek(key), version == 0 || (cached.version ?? 0) < version else { continue }
            // A save that carried its data: the newer copy, as the row now holds it.
            if version > 0, parts.count == 4, let seconds = Double(parts[2]) {
                // Decoded only if this worker serves it before the next save replaces it.
                cache.put(key, .announced(version: version, expireDate: Date(timeIntervalSince1970: seconds), data: String(parts[3])))
            } else {
                cache.remove(key)
            }
        }
        if database.connectionGeneration != cacheGeneration {
            cache.removeAll()
            cacheGeneration = database.connectionGeneration
        }
    }

    /// A cached session as a record; one a notification brought is verified and decoded now
    /// (and kept so). Nil, and dropped, when its signature does not verify.
    private func decoded(_ cached: CachedSession, key: String) -> SessionRecord? {
        switch cached {
        case .decoded(let record):
            return record
        case .announced(let version, let expireDate, let text):
            guard let data = backing.coding.decode(text) else {
                cache.remove(key)
                return nil
            }
            let record = SessionRecord(key: key, data: data, expireDate: expireDate, version: version)
            cache.put(key, .decoded(record))
            return record
        }
    }
}

/// What `cached_db` keeps of a session: the record as loaded or saved here, or the signed
/// data another worker's save announced, decoded only when it is served.
enum CachedSession {
    case decoded(SessionRecord)
    case announced(version: Int64, expireDate: Date, data: String)

    var version: Int64? {
        switch self {
        case .decoded(let record): record.version
        case .announced(let version, _, _): version
        }
    }

    var expireDate: Date {
        switch self {
        case .decoded(let record): record.expireDate
        case .announced(_, let expireDate, _): expireDate
        }
    }
}
