import Foundation

/// The visitor's session, as Django's `request.session`: loaded lazily on first
/// use, created only when something is stored, saved only when modified.
public final class Session {
    private let store: SessionStore
    /// The key the browser sent, before it is checked.
    private let cookieKey: String?
    private let cookieVersion: Int64?
    private var loaded = false

    /// The key of the session as stored; nil for a new session not yet saved.
    public private(set) var key: String?
    public private(set) var version: Int64?
    private var data: SessionData = [:]
    /// Keys whose stored sessions must be deleted when the response goes out (flush, cycleKey).
    private(set) var keysToDelete: [String] = []

    public private(set) var isModified = false
    /// True once anything read or wrote the session (Django's `accessed`, for Vary: Cookie).
    public private(set) var isAccessed = false

    public init(store: SessionStore, cookieKey: String?, cookieVersion: Int64?) {
        self.store = store
        self.cookieKey = cookieKey
        self.cookieVersion = cookieVersion
    }

    /// The browser sent a session cookie (valid or not).
    public var browserSentKey: Bool { cookieKey != nil }

    /// Why the store could not load the session; every later use rethrows it,
    /// so a failed load never reads as an empty session (which would delete the cookie).
    private var loadFailure: Error?

    private func loadIfNeeded() throws {
        if let loadFailure { throw loadFailure }
        guard !loaded else { return }
        loaded = true
        guard let cookieKey, store.acceptsCookieValue(cookieKey) else { return }
        do {
            if let record = try store.load(key: cookieKey, version: cookieVersion) {
                key = record.key
                version = record.version
                data = record.data
            }
        } catch {
            loadFailure = error
            throw error
        }
    }

    /// Reads a value; `nil` when absent.
    public func value(forKey name: String) throws -> SessionValue? {
        try loadIfNeeded()
        isAccessed = true
        return data[name]
    }

    public func setValue(_ value: SessionValue, forKey name: String) throws {
        try loadIfNeeded()
        isAccessed = true
        data[name] = value
        isModified = true
    }

    @discardableResult
    public func removeValue(forKey name: String) throws -> SessionValue? {
        try loadIfNeeded()
        isAccessed = true
        guard let old = data.removeValue(forKey: name) else { return nil }
        isModified = true
        return old
    }

    /// `session["cart"]`, `session["cart"] = ...`. A store that fails reads as
    /// empty here; the failure is kept and rethrown when the response is
    /// finished, so the visitor gets a 503 instead of a silently lost change.
    public subscript(name: String) -> SessionValue? {
        get {
            do { return try value(forKey: name) } catch { failure = error; return nil }
        }
        set {
            do {
                if let newValue { try setValue(newValue, forKey: name) } else { try removeValue(forKey: name) }
            } catch {
                failure = error
            }
        }
    }

    /// The first error the subscript swallowed.
    public private(set) var failure: Error?

    /// Whether nothing is stored (a store that fails to load reads as empty).
    public var isEmpty: Bool {
        do { try loadIfNeeded() } catch { return true }
        return data.isEmpty
    }

    /// A new key for the same data (on login, against session fixation); the old one is deleted.
    public func cycleKey() throws {
        try loadIfNeeded()
        if let key { keysToDelete.append(key) }
        key = nil
        version = nil
        isModified = true
    }

    /// Empties the session and forgets its key (logout).
    public func flush() throws {
        try loadIfNeeded()
        if let key { keysToDelete.append(key) }
        key = nil
        version = nil
        data = [:]
        isModified = true
    }

    /// Writes the session through the store; called by the session middleware.
    func save(expireDate: Date) throws -> SessionRecord {
        let record = try store.save(key: key, data: data, expireDate: expireDate)
        key = record.key
        version = record.version
        isModified = false
        return record
    }

    /// Deletes the stored session (it was emptied); the next save starts a new one.
    func deleteStoredSession() throws {
        guard let key else { return }
        try store.delete(key: key)
        self.key = nil
        version = nil
    }

    func deleteStoredKeys() throws {
        for stale in keysToDelete { try store.delete(key: stale) }
        keysToDelete.removeAll()
    }
}
