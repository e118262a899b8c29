import Postgres

extension Settings {
    /// The session engine `SESSION_ENGINE` names, for one worker.
    public func makeSessionStore(database: PostgresConnection) throws -> SessionStore {
        switch sessionEngine {
        case .cachedDatabase: CachedDatabaseSessionStore(database: database, secretKey: secretKey, capacity: sessionCacheSize)
        case .database: DatabaseSessionStore(database: database, secretKey: secretKey)
        case .file: try FileSessionStore(directory: sessionFilePath, prefix: sessionCookieName)  // as Django names the files
        case .cache: try CacheSessionStore(url: cacheURL)
        case .signedCookies: SignedCookieSessionStore(secretKey: secretKey, maxAge: sessionCookieAge, cookieName: sessionCookieName)
        }
    }
}
