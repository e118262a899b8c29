import Foundation

/// When a request takes its session's advisory lock, so that two requests that change one
/// session never lose each other's change. Every write is conditional on the version the
/// request loaded and refused while another request holds the lock, whatever the mode.
public enum SessionLocking: Sendable {
    /// Safe requests: none to read; a write (a message shown) takes it around itself, so it
    /// waits for an unsafe request in progress instead of slipping in under it.
    case aroundWrite
    /// Unsafe requests: from the load to the save, so they run one after the other.
    case untilSaved
    /// A view whose only effect is on the session (`ViewEffects.sessionOnly`): none; a refused
    /// write runs the view again.
    case none
}

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
    /// Stored sessions (key, loaded version) to delete when the response goes out (flush, cycleKey).
    private(set) var keysToDelete: [(key: String, version: Int64?)] = []

    public private(set) var isModified = false
    /// True once anything read or wrote the session (Django's `accessed`, for Vary: Cookie).
    public private(set) var isAccessed = false

    /// When the request takes the session's lock (`SessionLocking`).
    private let locking: SessionLocking
    /// The stored session this request loaded, with the version it had: every
    /// write is conditional on it.
    private var loadedKey: String?
    private var holdsLock = false

    /// This request reads on trust and confirms by its save (see `isSpeculative`).
    private let speculative: Bool
    /// What the request took on trust besides the session, for its save to check.
    private var conditions: [SessionSaveCondition] = []
    /// A speculative request's write went through, every condition with it.
    public private(set) var speculationConfirmed = false

    public init(store: SessionStore, cookieKey: String?, cookieVersion: Int64?, locking: SessionLocking = .aroundWrite,
                speculative: Bool = false) {
        self.store = store
        self.cookieKey = cookieKey
        self.cookieVersion = cookieVersion
        self.locking = locking
        self.speculative = speculative && store.checksSaveConditions
        store.beginRequest(speculative: self.speculative)
    }

    /// A view whose only effect is this session's save runs speculatively on its first
    /// attempt (`Application`): the session may come from the worker's cache unchecked, and
    /// other reads may be taken on trust (`requireOnSave`), because the save is conditional
    /// on the version loaded and on those conditions, and a refused save runs the view again
    /// without speculating. A speculative attempt that writes nothing is run again too.
    public var isSpeculative: Bool { speculative }

    /// Makes the save (or deletion) of a speculative request conditional on `condition` too.
    public func requireOnSave(_ condition: SessionSaveCondition) {
        precondition(speculative, "only a speculative request defers its checks to its save")
        conditions.append(condition)
    }

    /// The browser sent a session cookie (valid or not).
    public var browserSentKey: Bool { cookieKey != nil }

    /// Whether this request has loaded the session already (or tried to).
    public var isLoaded: Bool { loaded }

    /// Why the store could not load the session; every later use rethrows it,
    /// so a failed load never reads as an empty session (which would delete the cookie).
    private var loadFailure: Error?

    private func loadIfNeeded() throws {
        if let loadFailure { throw loadFailure }
        guard !loaded else { return }
        loaded = true
        guard let cookieKey, store.acceptsCookieValue(cookieKey) else { return }
        do {
            if locking == .untilSaved {
                try store.lock(key: cookieKey)
                holdsLock = true
            }
            if let record = try store.load(key: cookieKey, version: cookieVersion) {
                key = record.key
                loadedKey = record.key
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
        if let key { keysToDelete.append((key, version)) }
        key = nil
        version = nil
        isModified = true
    }

    /// Empties the session and forgets its key (logout).
    public func flush() throws {
        try loadIfNeeded()
        if let key { keysToDelete.append((key, version)) }
        key = nil
        version = nil
        data = [:]
        isModified = true
    }

    /// Runs the response's writes to the stored session under the session's
    /// lock: an unsafe request has held it since the load; a safe one takes it
    /// only now, so its write waits for an unsafe request in progress (and then
    /// finds the version moved on) instead of slipping in under it.
    func writing(_ body: () throws -> Void) throws {
        guard locking == .aroundWrite, !holdsLock, let loadedKey else { return try body() }
        try store.lock(key: loadedKey)
        defer { store.releaseLocks() }
        try body()
    }

    /// Writes the session through the store; called by the session middleware.
    /// Conditional on the loaded version: `SessionConflict` when another request saved first.
    func save(expireDate: Date) throws -> SessionRecord {
        let record = try store.save(key: key, data: data, expireDate: expireDate, expectedVersion: key == nil ? nil : version,
                                    conditions: conditions)
        speculationConfirmed = speculative
        key = record.key
        version = record.version
        isModified = false
        return record
    }

    /// Deletes the stored session (it was emptied); the next save starts a new one.
    func deleteStoredSession() throws {
        guard let key else { return }
        try store.delete(key: key, expectedVersion: version, conditions: conditions)
        speculationConfirmed = speculative
        self.key = nil
        version = nil
    }

    func deleteStoredKeys() throws {
        for stale in keysToDelete { try store.delete(key: stale.key, expectedVersion: stale.version) }
        keysToDelete.removeAll()
    }
}
