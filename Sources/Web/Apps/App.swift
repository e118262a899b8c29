/// An app, as in Django's INSTALLED_APPS: everything it brings to the site,
/// declared in one place. The site lists its apps in order; their migrations
/// run in that order, their routes join one router (the most specific pattern
/// wins, so order does not decide URLs) and their context processors run in
/// that order after the framework's own.
public protocol App: Sendable {
    /// Django's app label (`shop`, `orders`): the prefix of its tables.
    static var label: String { get }
    static var migrations: [Migration] { get }
    static func routes(_ router: inout Router)
    static var contextProcessors: [ContextProcessor] { get }
}

extension App {
    public static var migrations: [Migration] { [] }
    public static func routes(_ router: inout Router) {}
    public static var contextProcessors: [ContextProcessor] { [] }
}

/// The framework's own app: the session and auth tables and the pool's health URLs.
public enum FrameworkApp: App {
    public static let label = "framework"
    public static var migrations: [Migration] { FrameworkMigrations.all }

    public static func routes(_ router: inout Router) {
        HealthViews.register(&router)
    }
}
