import Foundation
import Postgres

/// `SESSION_ENGINE=cached_db` (the default): the `db` engine behind a
/// write-through LRU in each worker.
///
/// Coherence across workers and pools is the server's business, never the
/// cookie's. Every save and deletion is announced with its version and key,
/// and for the shop's saves the expiry and signed data:
/// - to the other workers of the pool, through the pool's shared memory
///   (`SessionChangeBoard`), which also shows the key a worker is saving while
///   its statement runs;
/// - to every other pool, and for writes by anything else (Django, SQL), with
///   NOTIFY when it commits (`DatabaseSessionStore.changeChannel`; a save
///   leaves it out when no other pool is registered, `SessionCachePools`), and
///   each worker LISTENs.
/// Before it serves a session from its cache, a worker collects its pool's
/// changes, makes sure it has received every notification committed before
/// the request arrived (`PostgresConnection.catchUpNotifications`: free when
/// the request already had a reply from the server, else one statement-free
/// round trip), and brings the copies they outdate up to date from the
/// announced data, or drops them; a copy another worker is saving right now is
/// read again. Another worker's reply can stand for the round trip: a catalog
/// check it asked after the request arrived and shared once it had passed on to
/// the pool every notification its connection received (`takesSharedCheck`).
/// So a read the cache serves costs no SQL and is never older than
/// the newest save the database had committed when the request arrived,
/// whatever version cookie the browser sends. The cookie is only a hint: one
/// newer than the cache's copy sends the read to the database.
public final class CachedDatabaseSessionStore: SessionStore {
    let backing: DatabaseSessionStore
    private let database: PostgresConnection
    private var cache: LRUCache<String, CachedSession>
    /// This worker's end of its pool's shared memory; nil outside a pool (then this store is a
    /// pool of its own, told of every other store's saves by NOTIFY).
    private let seat: SessionChangeBoard.Seat?
    private let pool: String
    /// The connection's generation when this pool was last registered on it, and LISTEN issued.
    private var registeredGeneration = -1
    /// `database.idleReplyCount` when the current request began.
    private var requestMark = 0
    /// The current request is speculative (`Session.isSpeculative`): its save is conditional
    /// on the version it loads and it shows nothing else of the session, so a cached copy is
    /// served without catching up first.
    private var speculative = false

    // Sharing the catch-up with the pool's other workers. Moments are CLOCK_MONOTONIC
    // nanoseconds, the same in every process.
    /// When the current request began (read with `requestMark`; only in a pool).
    private var requestBegan: Int64 = 0
    /// Every notification committed before this moment has been received, by this worker's
    /// connection or from the pool's board, so `applyChanges` brings this cache up to it.
    private var heardThrough: Int64 = 0
    /// When the pool was last registered on the connection and LISTEN answered: since then
    /// every notification it received was passed on to the pool (`forward`).
    private var listeningSince: Int64 = 0
    /// The current request took another worker's check as its catch-up (`takesSharedCheck`).
    private var caughtUpBySharedCheck = false

    public init(database: PostgresConnection, secretKey: String, capacity: Int, seat: SessionChangeBoard.Seat? = nil) {
        self.database = database
        self.seat = seat
        self.pool = seat?.pool ?? SessionKey.generate()
        self.backing = DatabaseSessionStore(database: database, secretKey: secretKey, pool: pool)
        self.cache = LRUCache(capacity: capacity)
    }

    public func beginRequest(speculative: Bool) {
        backing.beginRequest(speculative: speculative)
        if seat != nil { requestBegan = VersionCheckBoard.Moment.monotonicNow() }
        requestMark = database.idleReplyCount
        self.speculative = speculative
        caughtUpBySharedCheck = false
    }

    /// The answer stands for this request's catch-up when its worker has passed on every
    /// notification since a moment this cache had already heard through: then what this cache
    /// missed, committed between that moment and when the answer was asked, is on the board.
    public func takesSharedCheck(_ answer: VersionCheckBoard.Answer) -> Bool {
        guard seat != nil, answer.sessionsHeardSince > 0, answer.sessionsHeardSince <= heardThrough else { return false }
        heardThrough = max(heardThrough, answer.askedAt.monotonic)
        caughtUpBySharedCheck = true
        return true
    }

    public func shareNotifications() -> Int64? {
        // A connection that never listened (this worker served no session yet) vouches for nothing.
        guard seat != nil, registeredGeneration == database.connectionGeneration else { return nil }
        // What the check's reply brought is read already: no need to read the socket again.
        applyNotifications(database.queuedNotifications())
        return listeningSince
    }

    public func load(key: String, version: Int64?) throws -> SessionRecord? {
        // A speculative request leaves the socket unread: its save is conditional on the version
        // it loads, so a notification still unread cannot make it wrong, and the save's reply
        // brings whatever is waiting there. In a pool alone on its database, nothing ever is:
        // the read was a system call that found nothing, on every add-to-cart.
        try applyChanges(readingSocket: !speculative)
        // A cached copy is only as good as the notifications received: first
        // collect every one committed before this request arrived (not possible
        // inside a transaction: then the database answers).
        let replies = database.idleReplyCount
        if cache.contains(key), try speculative || caughtUpBySharedCheck || caughtUp() {
            // What the catch-up's Sync brought (after a reconnect: the cache emptied, the pool
            // registered again). Without a reply since (a speculative request, or one whose
            // catalog check already answered), everything owed was applied just above: reading
            // the socket again cost a system call that found nothing.
            if database.idleReplyCount != replies { try applyChanges() }
            if seat?.isBeingWritten(key) != true, let cached = cache.get(key), cached.expireDate > Date(),
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
        // Not the socket: the save is conditional on the version loaded, so a notification still
        // unread there cannot make it wrong, and the save's reply or the next load reads it. (A
        // request that is not speculative read it in its load microseconds before: reading it
        // again here was a system call that found nothing.)
        try applyChanges(readingSocket: false)
        // A new key needs no announcement: nobody can hold a copy of it.
        if let key { seat?.beginWrite(key) }
        do {
            let (record, text) = try backing.write(key: key, data: data, expireDate: expireDate, expectedVersion: expectedVersion,
                                                   conditions: conditions)
            cache.put(record.key, .decoded(record))
            if key != nil { seat?.publish(key: record.key, version: record.version ?? 0, expireDate: expireDate, data: text) }
            return record
        } catch {
            if let key {
                cache.remove(key)  // outdated, or unknown after a failure
                if error is SessionConflict {
                    seat?.endWrite()  // refused: nothing changed
                } else {
                    seat?.publish(key: key, version: 0, expireDate: expireDate, data: nil)  // it may have committed
                }
            }
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
        try applyChanges()
        cache.remove(key)
        seat?.beginWrite(key)
        defer { seat?.publish(key: key, version: 0, expireDate: Date(), data: nil) }
        try backing.delete(key: key, expectedVersion: expectedVersion, conditions: conditions)
    }

    public func clearExpired() throws -> Int {
        cache.removeAll()
        return try backing.clearExpired()
    }

    /// Makes sure the connection has received every notification committed before this request
    /// began (`PostgresConnection.catchUpNotifications`).
    private func caughtUp() throws -> Bool {
        guard try database.catchUpNotifications(since: requestMark) else { return false }
        heardThrough = max(heardThrough, requestBegan)
        return true
    }

    public func lock(key: String) throws { try backing.lock(key: key) }
    public func releaseLocks() { backing.releaseLocks() }

    /// Brings the cached sessions that another worker saved since (a newer
    /// version) up to date from the announced data, or drops them (deleted,
    /// saved by Django, or with data too long to announce): first the pool's
    /// changes from shared memory, then the notifications the connection holds
    /// (one non-blocking read of its socket, or, not `readingSocket`, only those
    /// libpq has read with a reply already), each also passed on to the pool's
    /// other workers (`shareNotifications`). On a connection's first use, and
    /// after a reconnect (which empties the cache: notifications sent meanwhile
    /// were lost), the pool is registered and LISTEN issued before anything is
    /// cached (the connection re-issues LISTEN itself after later reconnects).
    private func applyChanges(readingSocket: Bool = true) throws {
        if database.connectionGeneration != registeredGeneration {
            cache.removeAll()
            try SessionCachePools.register(pool, on: database)
            try database.listen(DatabaseSessionStore.changeChannel)
            registeredGeneration = database.connectionGeneration
            // Listening from now on, with nothing cached: nothing committed earlier can be missed.
            let now = VersionCheckBoard.Moment.monotonicNow()
            heardThrough = now
            listeningSince = now
        }
        seat?.collect(dropAll: { cache.removeAll() }, holds: { cache.contains($0) }) { change in
            apply(version: change.version, key: change.key, expireDate: change.expireDate, data: change.data)
        }
        applyNotifications(readingSocket ? database.pendingNotifications() : database.queuedNotifications())
        if database.connectionGeneration != registeredGeneration {
            // Reconnected while reading: register again before caching.
            cache.removeAll()
            registeredGeneration = -1
        }
    }

    /// Applies the session notifications to this cache, and passes each on to the pool's other
    /// workers (`shareNotifications`).
    private func applyNotifications(_ notifications: [PostgresNotification]) {
        for notification in notifications where notification.channel == DatabaseSessionStore.changeChannel {
            let parts = notification.payload.split(separator: " ", maxSplits: 3)
            guard parts.count >= 2, let version = Int64(parts[0]) else { continue }
            let key = String(parts[1])
            // A save that carried its data: the newer copy, as the row now holds it.
            if version > 0, parts.count == 4, let seconds = Double(parts[2]) {
                let expireDate = Date(timeIntervalSince1970: seconds)
                apply(version: version, key: key, expireDate: expireDate, data: String(parts[3]))
                seat?.forward(key: key, version: version, expireDate: expireDate, data: String(parts[3]))
            } else {
                apply(version: version, key: key, expireDate: nil, data: nil)
                seat?.forward(key: key, version: 0, expireDate: Date(), data: nil)
            }
        }
    }

    /// One announced change: version 0 is a deletion; no data, a copy to drop.
    private func apply(version: Int64, key: String, expireDate: Date?, data: String?) {
        // Our own saves come back too: the cached copy is that version, kept. So is a
        // session this worker does not hold: it is read when first asked for.
        guard let cached = cache.peek(key), version == 0 || (cached.version ?? 0) < version else { return }
        if version > 0, let expireDate, let data {
            // Decoded only if this worker serves it before the next save replaces it.
            cache.put(key, .announced(version: version, expireDate: expireDate, data: data))
        } else {
            cache.remove(key)
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
