import Foundation

/// What an engine keeps of one session.
public struct SessionRecord: Sendable {
    /// The session key (32 `[a-z0-9]`); for `signed_cookies`, the signed payload.
    public var key: String
    public var data: SessionData
    public var expireDate: Date
    /// Bumped on every save; the browser echoes it in a cookie so a per-worker
    /// cache can tell a stale entry from the current one without asking the database.
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

    func delete(key: String) throws

    /// Deletes expired sessions (`shop clearsessions`); returns how many.
    func clearExpired() throws -> Int

    /// Whether the browser's cookie value can name a session of this engine at all.
    /// Key-based engines accept only 32 `[a-z0-9]` characters, so nothing else
    /// reaches a query, a file name or a cache key.
    func acceptsCookieValue(_ value: String) -> Bool
}

extension SessionStore {
    public func acceptsCookieValue(_ value: String) -> Bool { SessionKey.isValid(value) }
}

/// Session keys as Django makes them: 32 characters of `[a-z0-9]` from a CSPRNG.
public enum SessionKey {
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)

    public static func generate() -> String {
        RandomString.make(length: 32, alphabet: alphabet)
    }

    public static func isValid(_ value: String) -> Bool {
        value.utf8.count == 32 && value.utf8.allSatisfy { alphabet.contains($0) }
    }
}
