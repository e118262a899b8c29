/// What `shop serve` checks once, in the master, before it forks: a setting
/// that every worker would trip over after fork (a bad CACHE_URL, an unusable
/// SESSION_FILE_PATH, a Redis nobody answers on) stops start-up with one line
/// naming the setting, instead of workers failing and being respawned.
/// The database is not checked: while it is down the shop answers 503 and
/// recovers by itself, which is what an operator restarting PostgreSQL wants.
extension Settings {
    public func checkBeforeServing() throws {
        switch sessionEngine {
        case .file:
            _ = try FileSessionStore(directory: sessionFilePath, prefix: sessionCookieName)
        case .cache:
            let client = RedisClient(endpoint: try RedisEndpoint(url: cacheURL))
            defer { client.disconnect() }  // no connection may be inherited by the workers
            do {
                _ = try client.command(["PING"])
            } catch {
                throw SettingsError(setting: "CACHE_URL", message: "names a Redis that does not answer (\(error))")
            }
        case .cachedDatabase, .database, .signedCookies:
            break
        }
    }
}
