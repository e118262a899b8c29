import Postgres

/// What one worker process holds for its whole life: the settings, its one
/// database connection (opened lazily, after fork), the compiled templates,
/// the session engine and the registered context processors.
public final class Services {
    public let settings: Settings
    public let database: PostgresConnection
    public let templates: TemplateRenderer
    public let sessionStore: SessionStore
    public var contextProcessors: ContextProcessors
    /// The named routes, for `context.url(...)`.
    public internal(set) var urls = URLs()
    /// The pool's status for `GET /-/status`; nil when not running under the pool.
    public var poolStatus: (() -> [String: Any])?
    /// What an app keeps in the worker between requests (the catalog's cache), by a key of its own.
    public var appState: [String: AnyObject] = [:]
    /// The pool's newest catalog version check, shared by its workers; nil outside a pool.
    public var versionChecks: VersionCheckBoard?
    /// Logs a database outage once, then counts (see `Application.errorResponse`).
    public let databaseOutage = DatabaseOutageLog()
    /// The cookies every request context reads, in this order: the session's key, its version,
    /// CSRF's secret (`RequestContext.init`). Named once, not concatenated per request.
    let contextCookieNames: [String]

    public init(settings: Settings, database: PostgresConnection, templates: TemplateRenderer, sessionStore: SessionStore) {
        self.settings = settings
        self.database = database
        self.templates = templates
        self.sessionStore = sessionStore
        self.contextProcessors = ContextProcessors()
        contextCookieNames = [settings.sessionCookieName, settings.sessionCookieName + SessionMiddleware.versionCookieSuffix, CSRF.cookieName]
    }
}
