import Postgres

extension Settings {
    /// The session engine `SESSION_ENGINE` names, for one worker; `seat` is the worker's place
    /// on its pool's `SessionChangeBoard` (`cached_db` only).
    public func makeSessionStore(database: PostgresConnection, seat: SessionChangeBoard.Seat? = nil) throws -> SessionStore {
        switch sessionEngine {
        case .cachedDatabase: CachedDatabaseSessionStore(database: database, secretKey: secretKey, capacity: sessionCacheSize, seat: seat)
        case .database: DatabaseSessionStore(database: database, secretKey: secretKey)
        case .file: try FileSessionStore(directory: sessionFilePath, prefix: sessionCookieName)  // as Django names the files
        case .cache: try CacheSessionStore(url: cacheURL)
        case .signedCookies: SignedCookieSessionStore(secretKey: secretKey, maxAge: sessionCookieAge, cookieName: sessionCookieName)
        }
    }
}
