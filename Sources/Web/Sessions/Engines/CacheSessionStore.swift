import Foundation

/// `SESSION_ENGINE=cache`: sessions in Redis at `CACHE_URL`, through hiredis.
/// Each session is the key `shop:session:<key>` holding the JSON data, with
/// the session's expiry as the key's TTL, so Redis forgets expired sessions
/// by itself. Every worker reads Redis on every request, so all workers of all
/// pools see the same session.
///
/// The connection is opened lazily (after fork) and re-opened after a
/// failure. A failing Redis throws: the visitor gets a 503 page, the worker
/// goes on.
public final class CacheSessionStore: SessionStore {
    public static let keyPrefix = "shop:session:"
    let client: RedisClient

    /// Parses `url` (a bad one throws a `SettingsError` naming `CACHE_URL`); does not connect.
    public init(url: String) throws {
        self.client = RedisClient(endpoint: try RedisEndpoint(url: url))
    }

    public init(client: RedisClient) {
        self.client = client
    }

    static func redisKey(_ key: String) -> String { keyPrefix + key }

    public func load(key: String, version: Int64?) throws -> SessionRecord? {
        guard SessionKey.isValid(key) else { return nil }
        let redisKey = Array(CacheSessionStore.redisKey(key).utf8)
        // GET and PTTL in one round trip.
        let replies = try run { try client.pipeline([[Array("GET".utf8), redisKey], [Array("PTTL".utf8), redisKey]]) }
        guard let bytes = replies[0].bytes, let text = String(validating: bytes, as: UTF8.self),
              let data = SessionCoding.decode(text) else { return nil }
        // PTTL: -2 gone meanwhile, -1 no TTL (not ours: treat as a full age).
        let milliseconds = replies[1].integer ?? -2
        guard milliseconds != -2 else { return nil }
        let expireDate = milliseconds >= 0 ? Date().addingTimeInterval(Double(milliseconds) / 1000) : Date.distantFuture
        return SessionRecord(key: key, data: data, expireDate: expireDate)
    }

    public func save(key: String?, data: SessionData, expireDate: Date) throws -> SessionRecord {
        let value = SessionCoding.encode(data)
        let ttl = CacheSessionStore.ttlMilliseconds(until: expireDate)
        if let key {
            guard SessionKey.isValid(key) else {
                throw RedisError(kind: .server, message: "refusing to save a session under a malformed key")
            }
            // The later save wins, as in Django; a key deleted meanwhile is written again.
            try run { try client.command(["SET", CacheSessionStore.redisKey(key), value, "PX", String(ttl)]) }
            return SessionRecord(key: key, data: data, expireDate: expireDate)
        }
        // A new session: a fresh key that did not exist (SET NX); retry on the (unlikely) collision.
        while true {
            let fresh = SessionKey.generate()
            let reply = try run { try client.command(["SET", CacheSessionStore.redisKey(fresh), value, "PX", String(ttl), "NX"]) }
            if reply != .null { return SessionRecord(key: fresh, data: data, expireDate: expireDate) }
        }
    }

    public func delete(key: String) throws {
        guard SessionKey.isValid(key) else { return }
        try run { try client.command(["DEL", CacheSessionStore.redisKey(key)]) }
    }

    /// Redis expires the keys itself.
    public func clearExpired() throws -> Int { 0 }

    /// At least 1 ms: a session saved as already expired vanishes at once.
    static func ttlMilliseconds(until date: Date) -> Int64 {
        let milliseconds = (date.timeIntervalSinceNow * 1000).rounded(.up)
        guard milliseconds.isFinite else { return 1 }
        return Int64(max(1, min(milliseconds, Double(Int64.max / 2))))
    }

    /// Runs a Redis call; an unreachable Redis becomes a logged 503 (the session
    /// store is down), any other failure propagates as a 500 with its own log line.
    @discardableResult
    private func run<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as RedisError where error.kind == .connection {
            Log.error("session store unavailable: \(error)")
            throw HTTPError(503, "The shop cannot reach its session store right now. Please try again in a moment.")
        }
    }
}
