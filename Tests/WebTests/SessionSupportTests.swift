import Foundation
import Postgres
import TestSupport
@testable import Web
import XCTest

// Fixtures shared by the session, cookie, CSRF and messages suites: a tiny
// site (its own templates and views) for TestSupport's InProcessBrowser to
// carry cookies through, and a base class over the test database.

enum TestSite {
    /// Templates written once per test run into a temporary directory.
    static let templatesDirectory: String = {
        let directory = NSTemporaryDirectory() + "shop-web-tests-templates-\(getpid())"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let files = [
            "page.html": """
                <!doctype html><title>page</title>
                <p id="token">{{csrf_token}}</p>
                {{#has_messages}}<ul class="messages">{{#messages}}<li class="{{tags}}">{{message}}</li>{{/messages}}</ul>{{/has_messages}}
                """,
            "error.html": "<!doctype html><title>{{title}}</title><h1>{{title}}</h1><p>{{message}}</p>",
            "context.html": """
                <p id="request">{{request.method}} {{request.path}} {{request.full_path}}</p>
                <p id="user">{{#user}}{{is_authenticated}} {{is_staff}} [{{username}}]{{/user}}</p>
                <p id="debug">{{debug}}</p><p id="extra">{{extra}}</p><p id="shared">{{shared}}</p>
                """,
        ]
        for (name, text) in files {
            _ = FileManager.default.createFile(atPath: directory + "/" + name, contents: Data(text.utf8))
        }
        return directory
    }()

    /// The redis of the tests: `CACHE_URL` (make test starts a private one).
    static func cacheURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["CACHE_URL"], !url.isEmpty else {
            throw XCTSkip("CACHE_URL is not set: run with `make test`, or export CACHE_URL=redis://127.0.0.1:PORT/0")
        }
        return url
    }

    /// Settings for the test site: DEBUG off (so nothing debug-only hides a bug), the test database.
    static func settings(engine: SessionEngineName = .cachedDatabase) throws -> Settings {
        var settings = Settings(databaseURL: TestDatabase.url)
        settings.debug = false
        settings.sessionEngine = engine
        settings.secretKey = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
        if engine == .cache { settings.cacheURL = try cacheURL() }
        return settings
    }

    /// One "worker": its own database connection, session store and services.
    static func application(settings: Settings) throws -> Application {
        let database = PostgresConnection(url: settings.databaseURL)
        let store = try settings.makeSessionStore(database: database)
        let services = Services(
            settings: settings, database: database,
            templates: try TemplateRenderer(directory: templatesDirectory), sessionStore: store)
        return Application(services: services, router: router())
    }

    static func text(_ value: String) -> Response { .text(value) }

    static func router() -> Router {
        var router = Router()
        router.get("/session/get/{name}/") { context in
            text(try context.session.value(forKey: context.parameters["name"]!)?.stringValue ?? "<none>")
        }
        router.get("/session/set/{name}/{value}/") { context in
            try context.session.setValue(.string(context.parameters["value"]!), forKey: context.parameters["name"]!)
            return text("ok")
        }
        router.get("/session/delete/{name}/") { context in
            try context.session.removeValue(forKey: context.parameters["name"]!)
            return text("ok")
        }
        router.get("/session/flush/") { context in
            try context.session.flush()
            return text("ok")
        }
        router.get("/session/cycle/") { context in
            try context.session.cycleKey()
            return text("ok")
        }
        router.get("/session/setjson/") { context in
            try context.session.setValue(TestSite.richValue, forKey: "rich")
            return text("ok")
        }
        router.get("/session/getjson/") { context in
            text(SessionCoding.encode(["rich": try context.session.value(forKey: "rich") ?? .null]))
        }
        router.get("/noop/") { _ in text("noop") }
        router.get("/page/") { context in try context.render("page") }
        router.get("/context/") { context in try context.render("context", ["shared": "from the view"]) }
        router.get("/no-content/") { _ in Response(status: 204) }
        router.get("/not-modified/") { _ in Response(status: 304) }
        // Unsafe methods: a change to the session and a message, then a redirect (POST/redirect/GET).
        router.post("/post/") { context in
            try context.session.setValue("yes", forKey: "posted")
            context.messages.success("Saved <ok>")
            return .redirect(to: "/page/")
        }
        // A view of the races: it loads the session, lets `meanwhile` play a
        // concurrent request of the same browser, then changes one value.
        for method in ["GET", "POST"] {
            router.add([method], "/session/race/\(method.lowercased())/{name}/{value}/") { context in
                _ = try context.session.value(forKey: "a")
                raceRuns += 1
                if let hook = meanwhile {
                    meanwhile = nil
                    try hook(context)
                }
                try context.session.setValue(.string(context.parameters["value"]!), forKey: context.parameters["name"]!)
                return text("ok")
            }
        }
        router.add(["POST", "PUT", "DELETE"], "/api/") { context in
            try context.session.setValue("yes", forKey: "changed")
            return text("accepted")
        }
        return router
    }

    /// Played once by the next `/session/race/...` view, after its session loaded.
    nonisolated(unsafe) static var meanwhile: ((RequestContext) throws -> Void)?
    /// How many times a `/session/race/...` view ran.
    nonisolated(unsafe) static var raceRuns = 0

    /// A value of every JSON kind, money as a string, and non-ASCII text.
    static let richValue: SessionValue = [
        "lines": [["id": 7, "price": "1299.00", "quantity": 2], ["id": 8, "price": "0.10", "quantity": 1]],
        "name": "Zoë \"quoted\" </script>", "flag": true, "none": nil, "ratio": 0.5, "empty": [:],
    ]
}

/// Rebuilds the schema once per suite class.
class DatabaseTestCase: XCTestCase {
    override class func setUp() {
        super.setUp()
        do {
            try TestDatabase.reset().close()
        } catch {
            XCTFail("cannot reset the test database: \(error)")
        }
    }

    /// A connection to the test database for checks, closed after the test.
    private var opened: [PostgresConnection] = []

    func checkConnection() -> PostgresConnection {
        let connection = PostgresConnection(url: TestDatabase.url)
        opened.append(connection)
        return connection
    }

    override func tearDown() {
        for connection in opened { connection.close() }
        opened.removeAll()
        super.tearDown()
    }

    func sessionRowCount() throws -> Int {
        try checkConnection().scalar("SELECT count(*)::int FROM django_session", as: Int.self) ?? -1
    }
}
