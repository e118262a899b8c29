import Postgres
import Shop
import Cart
import Orders
import Admin
import Web

/// The project: its installed apps, in order (Django's INSTALLED_APPS). Each
/// app declares its migrations, routes and context processors itself; the
/// `shop` command and the tests build the same Application from here.
public enum Site {
    public static let installedApps: [any App.Type] = [
        FrameworkApp.self, ShopApp.self, CartApp.self, OrdersApp.self, AdminApp.self,
    ]

    public static var migrations: [Migration] { installedApps.flatMap { $0.migrations } }

    /// Compiles the templates once; call before forking so workers share them.
    public static func loadTemplates(_ settings: Settings) throws -> TemplateRenderer {
        try TemplateRenderer(directory: settings.templatesDirectory)
    }

    /// One worker's application. The database connection opens on first use, after fork.
    /// `sessionSeat`: the worker's place on its pool's shared session changes, if any;
    /// `versionChecks`: its pool's shared catalog checks, if any.
    public static func makeApplication(settings: Settings, templates: TemplateRenderer,
                                       sessionSeat: SessionChangeBoard.Seat? = nil,
                                       versionChecks: VersionCheckBoard? = nil) throws -> Application {
        let database = PostgresConnection(url: settings.databaseURL)
        let services = Services(
            settings: settings, database: database, templates: templates,
            sessionStore: try settings.makeSessionStore(database: database, seat: sessionSeat))
        services.versionChecks = versionChecks
        for app in installedApps {
            for processor in app.contextProcessors { services.contextProcessors.append(processor) }
        }
        return Application(services: services, router: router())
    }

    /// Every app's URLs in one router.
    public static func router() -> Router {
        var router = Router()
        for app in installedApps { app.routes(&router) }
        return router
    }
}
