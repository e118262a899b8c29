import Foundation

/// Placeholder until the engine lands.
public final class CacheSessionStore: SessionStore {
    public init(url: String) throws { throw SettingsError(setting: "SESSION_ENGINE", message: "engine not available yet") }
    public func load(key: String, version: Int64?) throws -> SessionRecord? { nil }
    public func save(key: String?, data: SessionData, expireDate: Date) throws -> SessionRecord { fatalError() }
    public func delete(key: String) throws {}
    public func clearExpired() throws -> Int { 0 }
}
