import Foundation

/// Placeholder until the engine lands.
public final class SignedCookieSessionStore: SessionStore {
    public init(secretKey: String, maxAge: Int) {}
    public func load(key: String, version: Int64?) throws -> SessionRecord? { nil }
    public func save(key: String?, data: SessionData, expireDate: Date) throws -> SessionRecord { fatalError() }
    public func delete(key: String) throws {}
    public func clearExpired() throws -> Int { 0 }
}
