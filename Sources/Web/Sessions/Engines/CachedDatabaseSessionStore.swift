import Foundation
import Postgres

/// `SESSION_ENGINE=cached_db` (the default): the `db` engine behind a
/// write-through LRU in each worker.
///
/// Coherence across workers and pools: every save bumps the row's `version`,
/// and the browser echoes the version its last response left (the
/// `sessionid_version` cookie). A cached entry is used only when its version is
/// exactly that one, so a read the cache can serve costs no SQL, and a stale
/// entry (another worker saved since) is never served: it misses and is read
/// again. Deletions (logout, flush, cycleKey) are broadcast over
/// LISTEN/NOTIFY, so a stolen old cookie cannot be served from a cache after
/// the row is gone.
public final class CachedDatabaseSessionStore: SessionStore {
    private let backing: DatabaseSessionStore
    private let database: PostgresConnection
    private var cache: LRUCache<String, SessionRecord>
    private var listening = false
    /// The connection's generation when the cache was last known complete; a
    /// reconnect may have lost notifications, so the cache starts over.
    private var cacheGeneration = -1

    public init(database: PostgresConnection, capacity: Int) {
        self.database = database
        self.backing = DatabaseSessionStore(database: database)
        self.cache = LRUCache(capacity: capacity)
    }

    public func load(key: String, version: Int64?) throws -> SessionRecord? {
        try applyDeletions()
        if let version, let cached = cache.get(key), cached.version == version, cached.expireDate > Date() {
            return cached
        }
        guard let record = try backing.load(key: key, version: version) else {
            cache.remove(key)
            return nil
        }
        cache.put(key, record)
        return record
    }

    public func save(key: String?, data: SessionData, expireDate: Date) throws -> SessionRecord {
        try applyDeletions()
        let record = try backing.save(key: key, data: data, expireDate: expireDate)
        cache.put(record.key, record)
        return record
    }

    public func delete(key: String) throws {
        cache.remove(key)
        try backing.delete(key: key)
    }

    public func clearExpired() throws -> Int {
        cache.removeAll()
        return try backing.clearExpired()
    }

    /// Drops the cached sessions that any worker deleted. Costs one non-blocking
    /// read of the connection's socket; LISTEN is issued once, on first use,
    /// before anything is cached (the connection re-issues it after a reconnect).
    private func applyDeletions() throws {
        if !listening {
            try database.listen(DatabaseSessionStore.deletionChannel)
            listening = true
        }
        if database.connectionGeneration != cacheGeneration {
            cache.removeAll()
            cacheGeneration = database.connectionGeneration
        }
        for notification in database.pendingNotifications() where notification.channel == DatabaseSessionStore.deletionChannel {
            cache.remove(notification.payload)
        }
    }
}
