import Foundation

/// What an engine keeps of one session.
public struct SessionRecord: Sendable {
    /// The session key (32 `[a-z0-9]`); for `signed_cookies`, the signed payload.
    public var key: String
    public var data: SessionData
    public var expireDate: Date
    /// Bumped on every save (`db`, `cached_db`). A save names the version it
    /// loaded and is refused when the row has moved on (`SessionConflict`).
    /// The browser also gets it in a cookie, a hint only: the server decides.
    public var version: Int64?

    public init(key: String, data: SessionData, expireDate: Date, version: Int64? = nil) {
        self.key = key
        self.data = data
        self.expireDate = expireDate
        self.version = version
    }
}

/// A session engine (`SESSION_ENGINE`). One instance per worker process.
public protocol SessionStore: AnyObject {
    /// Loads the session the browser names. nil when the key is unknown,
    /// expired or forged: the caller then starts a new, empty session.
    /// `version` is the one the browser's previous response left, when it sent it.
    func load(key: String, version: Int64?) throws -> SessionRecord?

    /// Saves `data` under `key`, or under a new key when `key` is nil
    /// (created only now, never reusing a key the browser proposed).
    /// Returns what was stored, with the key and version to put in the cookies.
    func save(key: String?, data: SessionData, expireDate: Date) throws -> SessionRecord

    /// The same, when the request loaded `expectedVersion`: the write happens
    /// only if the stored session still has that version, checked in the
    /// writing statement itself; otherwise it throws `SessionConflict` and
    /// writes nothing. Engines without versions ignore it (the later save wins).
    func save(key: String?, data: SessionData, expireDate: Date, expectedVersion: Int64?) throws -> SessionRecord

    /// The same, also refused (`SessionConflict`) unless every condition holds, checked in
    /// the writing statement. Only engines that `checksSaveConditions` are given any.
    func save(key: String?, data: SessionData, expireDate: Date, expectedVersion: Int64?,
              conditions: [SessionSaveCondition]) throws -> SessionRecord

    /// Whether `save` and `delete` can check `SessionSaveCondition`s (the engines on PostgreSQL).
    var checksSaveConditions: Bool { get }

    func delete(key: String) throws

    /// Deletes the stored session only if it still has `expectedVersion`, else
    /// `SessionConflict`. A session already gone is no conflict.
    func delete(key: String, expectedVersion: Int64?) throws

    /// The same, also refused (`SessionConflict`, even for a session already gone) unless
    /// every condition holds.
    func delete(key: String, expectedVersion: Int64?, conditions: [SessionSaveCondition]) throws

    /// Serializes the requests that change one session, across every worker
    /// and pool: unsafe requests hold it from the session's load to its save,
    /// safe ones around their writes; `releaseLocks()` lets go. No-op for
    /// engines without a shared server.
    func lock(key: String) throws
    func releaseLocks()

    /// Called when a request's session is set up, before anything is read. A speculative
    /// request (`Session.isSpeculative`) may be served a cached copy without making sure it
    /// is current: its save is conditional on the version it was served, which refuses a
    /// stale one.
    func beginRequest(speculative: Bool)

    /// Whether this request may take another worker's catalog check (`VersionCheckBoard`) in
    /// place of a reply of its own, as far as its session is concerned. Engines that read the
    /// session where it is kept need no reply; `cached_db` needs the proof its cached copy is
    /// current (`CachedDatabaseSessionStore`), and takes the answer's only when it holds.
    func takesSharedCheck(_ answer: VersionCheckBoard.Answer) -> Bool

    /// Called after a catalog check this worker is about to share, whose reply came after
    /// every notification committed before it was asked: passes on to the pool the session
    /// notifications received, and returns since when (CLOCK_MONOTONIC nanoseconds) everything
    /// received was passed on; nil when it cannot vouch for any (`Answer.sessionsHeardSince`).
    func shareNotifications() -> Int64?

    /// Deletes expired sessions (`shop clearsessions`); returns how many.
    func clearExpired() throws -> Int

    /// Whether the browser's cookie value can name a session of this engine at all.
    /// Key-based engines accept only 32 `[a-z0-9]` characters, so nothing else
    /// reaches a query, a file name or a cache key.
    func acceptsCookieValue(_ value: String) -> Bool
}

extension SessionStore {
    public func acceptsCookieValue(_ value: String) -> Bool { SessionKey.isValid(value) }

    public func save(key: String?, data: SessionData, expireDate: Date, expectedVersion: Int64?) throws -> SessionRecord {
        try save(key: key, data: data, expireDate: expireDate)
    }

    public func save(key: String?, data: SessionData, expireDate: Date, expectedVersion: Int64?,
                     conditions: [SessionSaveCondition]) throws -> SessionRecord {
        precondition(conditions.isEmpty, "this session engine cannot check save conditions")
        return try save(key: key, data: data, expireDate: expireDate, expectedVersion: expectedVersion)
    }

    public var checksSaveConditions: Bool { false }

    public func delete(key: String, expectedVersion: Int64?) throws { try delete(key: key) }

    public func delete(key: String, expectedVersion: Int64?, conditions: [SessionSaveCondition]) throws {
        precondition(conditions.isEmpty, "this session engine cannot check save conditions")
        try delete(key: key, expectedVersion: expectedVersion)
    }

    public func lock(key: String) throws {}
    public func releaseLocks() {}
    public func beginRequest(speculative: Bool) {}
    public func takesSharedCheck(_ answer: VersionCheckBoard.Answer) -> Bool { true }
    public func shareNotifications() -> Int64? { nil }
}

/// A conditional save or delete found the stored session changed (or gone)
/// since it was loaded: another request of the same session wrote first.
public struct SessionConflict: Error, CustomStringConvertible {
    public var key: String
    public init(key: String) { self.key = key }
    public var description: String { "session \(key.prefix(6))… changed since it was loaded" }
}

/// Session keys as Django makes them: 32 characters of `[a-z0-9]` from a CSPRNG.
public enum SessionKey {
    public static func generate() -> String {
        RandomString.make(length: 32, alphabet: TokenAlphabet.lowercaseAlphanumeric)
    }

    public static func isValid(_ value: String) -> Bool {
        value.utf8.count == 32 && TokenAlphabet.isLowercaseAlphanumeric(value)
    }
}
