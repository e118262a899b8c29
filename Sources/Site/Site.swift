import Postgres
import Shop
import Cart
import Orders
import Web

/// The project: which apps make the shop, in which order their URLs are
/// tried, and every migration. The `shop` command and the tests build the
/// same Application from here.
public enum Site {
    public static var migrations: [Migration] {
        FrameworkMigrations.all + ShopApp.migrations + OrdersApp.migrations
    }

    /// Compiles the templates once; call before forking so workers share them.
    public static func loadTemplates(_ settings: Settings) throws -> TemplateRenderer {
        try TemplateRenderer(directory: settings.templatesDirectory)
    }

    /// One worker's application. The database connection opens on first use, after fork.
    public static func makeApplication(settings: Settings, templates: TemplateRenderer) throws -> Application {
        let database = PostgresConnection(url: settings.databaseURL)
        let services = Services(
            settings: settings, database: database, templates: templates,
            sessionStore: try settings.makeSessionStore(database: database))
        CartApp.registerContextProcessors(services)
        return Application(services: services, router: router())
    }

    /// urls.py: the framework's, then the apps', the catalog's catch-all last.
    public static func router() -> Router {
        var router = Router()
        HealthViews.register(&router)
        CartApp.registerRoutes(&router)
        OrdersApp.registerRoutes(&router)
        ShopApp.registerRoutes(&router)
        return router
    }
}
