import Foundation
import Postgres
import TestSupport
import XCTest

/// The move from a running Django shop: the classic Django shop
/// (Tests/DjangoShop, Django 5.2) makes its database with its own migrations
/// and fills it (a catalog, an order, a staff user, a shopper's cart in a
/// session); `shop migrate` adopts it; then the shop, through nginx and a
/// real pool, serves that catalog and that cart, while Django keeps working
/// on the same database and both read each other's sessions.
final class DjangoAdoptionTests: XCTestCase {
    static let secretKey = "shared-django-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    static let staffPassword = "staff-pass-1234"
    var databaseURL = ""
    var pool: ShopServer?
    var nginx: NginxServer?

    override func setUpWithError() throws {
        guard Django.python != nil else { throw XCTSkip("Django is not installed; `make test` installs it into .data/django-venv") }
    }

    override func tearDown() {
        nginx?.stop()
        pool?.stop()
    }

    /// A new, empty database beside the suite's (so the other suites' resets never touch it).
    func freshDatabase(_ name: String) throws -> PostgresConnection {
        let admin = PostgresConnection(url: TestDatabase.url)
        try admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        try admin.execute("CREATE DATABASE \(name)")
        admin.close()
        var url = TestDatabase.url
        if let query = url.firstIndex(of: "?") { url = String(url[..<query]) }
        databaseURL = String(url[...url.lastIndex(of: "/")!]) + name
        return PostgresConnection(url: databaseURL)
    }

    func django(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let run = try Django.manage(arguments, databaseURL: databaseURL, secretKey: Self.secretKey)
        XCTAssertEqual(run.status, 0, "manage.py \(arguments.joined(separator: " ")): \(run.errors)", file: file, line: line)
        return run.output
    }

    func djangoJSON(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let output = try django(arguments, file: file, line: line)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], output, file: file, line: line)
    }

    func shop(_ arguments: [String]) throws -> ShopCommandRun {
        try ShopCommandRunner.run(arguments, environment: ["DATABASE_URL": databaseURL, "SECRET_KEY": Self.secretKey])
    }

    /// Every column of the database: "table.column type NULL" or "... NOT NULL".
    func columns(_ database: PostgresConnection) throws -> [String] {
        try database.query("""
            SELECT table_name || '.' || column_name || ' ' || data_type || CASE WHEN is_nullable = 'YES' THEN ' NULL' ELSE ' NOT NULL' END AS c
            FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name
            """).map { try $0.get("c", as: String.self) }
    }

    /// The cart a session holds for Django: product id → quantity.
    func djangoCart(_ sessionKey: String) throws -> [Int: Int] {
        let shown = try djangoJSON(["showsession", sessionKey])
        XCTAssertEqual(shown["exists"] as? Bool, true)
        let cart = try XCTUnwrap((shown["data"] as? [String: Any])?["cart"] as? [String: [String: Any]], "\(shown)")
        return Dictionary(uniqueKeysWithValues: cart.map { (Int($0.key)!, $0.value["quantity"] as! Int) })
    }

    func testTheShopAdoptsADjangoShopsDatabaseAndSharesItsSessions() throws {
        let database = try freshDatabase("shop_django_test")
        defer { database.close() }
        _ = try django(["migrate", "--no-input"])
        let seeded = try djangoJSON(["seedshop", "--staff-password", Self.staffPassword])
        let products = try XCTUnwrap(seeded["products"] as? [String: Int])
        let green = try XCTUnwrap(products["green-tea"]), black = try XCTUnwrap(products["black-tea"])
        let orderID = try XCTUnwrap(seeded["order"] as? Int)
        let shopper = try XCTUnwrap(seeded["shopper"] as? String)
        let djangoMigrations = try database.query("SELECT count(*) AS n FROM django_migrations").first?.get("n", as: Int.self)
        let columnsBefore = try columns(database)
        let sessionsBefore = try database.query("SELECT session_key, session_data FROM django_session ORDER BY 1").map {
            try $0.get("session_key", as: String.self) + " " + $0.get("session_data", as: String.self)
        }

        // Adopted, not recreated: nothing of Django's is lost, and a second run changes nothing.
        let migrate = try shop(["migrate"])
        XCTAssertEqual(migrate.status, 0, migrate.errors)
        for name in ["sessions/0001_initial", "auth/0001_initial", "shop/0001_initial", "orders/0001_initial"] {
            XCTAssertTrue(migrate.output.contains("Applied \(name) (adopted)"), migrate.output)
        }
        let again = try shop(["migrate"])
        XCTAssertEqual(again.status, 0, again.errors)
        XCTAssertEqual(again.output.trimmingCharacters(in: .whitespacesAndNewlines), "No migrations to apply.")
        XCTAssertEqual(try database.scalar("SELECT count(*) FROM shop_product", as: Int.self), 4)
        XCTAssertEqual(try database.scalar("SELECT count(*) FROM orders_orderitem WHERE order_id = $1", [orderID], as: Int.self), 2)
        XCTAssertEqual(try database.query("SELECT count(*) AS n FROM django_migrations").first?.get("n", as: Int.self), djangoMigrations)
        // Django's columns and rows as they were; only nullable or defaulted columns added.
        let columnsAfter = try columns(database)
        XCTAssertEqual(columnsAfter.filter { columnsBefore.contains($0) }, columnsBefore, "nothing of Django's dropped or changed")
        XCTAssertEqual(Set(columnsAfter.filter { !columnsBefore.contains($0) && !$0.hasPrefix("shop_catalog_version.") && !$0.hasPrefix("auth_login_failure.") && !$0.hasPrefix("schema_migrations.")
                                           && !$0.hasPrefix("session_cache_pool.") }),
                       ["django_session.version bigint NOT NULL", "orders_order.checkout_token character varying NULL"])
        XCTAssertEqual(try database.query("SELECT session_key, session_data FROM django_session ORDER BY 1").map {
            try $0.get("session_key", as: String.self) + " " + $0.get("session_data", as: String.self)
        }, sessionsBefore)
        // Django's foreign keys already protect what the shop's migrations would add: no duplicates.
        XCTAssertEqual(try database.scalar("""
            SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = 'orders_orderitem'::regclass AND confrelid = 'shop_product'::regclass
            """, as: Int.self), 1)
        XCTAssertEqual(try database.scalar("""
            SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = 'shop_product'::regclass AND confrelid = 'shop_category'::regclass
            """, as: Int.self), 1)
        XCTAssertEqual(try database.scalar("SELECT image FROM shop_product WHERE id = $1", [green], as: String.self),
                       "products/2024/01/02/green.png", "Django's relative path under MEDIA_ROOT stays")

        // Django still sees a consistent schema, and its pages work on the adopted database.
        _ = try django(["migrate", "--check"])
        let djangoPages = try djangoJSON(["djangopages", "/", "/cart/", "--session", shopper])
        XCTAssertEqual((djangoPages["/"] as? [String: Any])?["status"] as? Int, 200)
        XCTAssertTrue(((djangoPages["/cart/"] as? [String: Any])?["body"] as? String ?? "").contains("data-product-id=\"\(green)\" data-quantity=\"2\""), "\(djangoPages)")

        pool = try ShopServer(workers: 1, environment: ["DATABASE_URL": databaseURL, "SECRET_KEY": Self.secretKey], label: "django")
        nginx = try NginxServer(sockets: [pool!.socketPath], mediaRoot: pool!.directory + "/media")
        let port = nginx!.port

        // The same catalog.
        let home = try HTTPClient.request(port: port, path: "/")
        XCTAssertEqual(home.status, 200)
        for name in ["Green tea", "Black tea", "Espresso beans"] { XCTAssertTrue(home.text.contains(name), name) }
        XCTAssertFalse(home.text.contains("Retired blend"))

        // The shopper's cart, saved by Django, is the cart here.
        let browser = Browser(port: port)
        browser.setCookie("sessionid", shopper)
        let cart = try browser.get("/cart/")
        XCTAssertEqual(cart.status, 200)
        XCTAssertEqual(CartPage.lines(in: cart.text), [green: 2], cart.text)

        // A change made here is in Django's session.
        let detail = try browser.get("/\(black)/black-tea/")
        let token = try XCTUnwrap(Browser.csrfToken(in: detail.text))
        let add = try browser.post("/cart/add/\(black)/", form: [("csrfmiddlewaretoken", token), ("quantity", "3"), ("override", "False")])
        XCTAssertEqual(add.status, 302, add.text)
        XCTAssertEqual(browser.cookies["sessionid"], shopper, "the same session")
        XCTAssertEqual(try djangoCart(shopper), [green: 2, black: 3])
        let shown = try djangoJSON(["showsession", shopper])
        XCTAssertEqual(((shown["data"] as? [String: Any])?["cart"] as? [String: [String: Any]])?[String(black)]?["price"] as? String, "6.00",
                       "the book's layout: the price as a string")
        XCTAssertGreaterThan(shown["expiry_age"] as? Int ?? 0, 1_209_000, "Django reads the expiry the shop set")

        // A change Django makes is here at once, though the one worker has the session cached.
        XCTAssertEqual(CartPage.lines(in: try browser.get("/cart/").text), [green: 2, black: 3])
        _ = try django(["setcartline", shopper, String(green), "5"])
        XCTAssertEqual(CartPage.lines(in: try browser.get("/cart/").text), [green: 5, black: 3])
        // A session Django ends (a logout, a flush) ends here too, cached or not.
        _ = try django(["endsession", shopper])
        XCTAssertEqual(CartPage.lines(in: try browser.get("/cart/").text), [:])

        // A staff login made in Django opens the admin here, with Django's session cookie.
        let staffKey = try django(["stafflogin", "staff", Self.staffPassword]).trimmingCharacters(in: .whitespacesAndNewlines)
        let staff = Browser(port: port)
        XCTAssertEqual(try staff.get("/admin/").status, 302, "no session: the login page")
        staff.setCookie("sessionid", staffKey)
        let index = try staff.get("/admin/")
        XCTAssertEqual(index.status, 200, index.text)
        let orders = try staff.get("/admin/orders/order/")
        XCTAssertEqual(orders.status, 200)
        XCTAssertTrue(orders.text.contains("Lovelace"), "Django's order is in the admin here")

        // A staff login made here opens Django's admin.
        let here = Browser(port: port)
        let loginPage = try here.get("/admin/login/?next=/admin/")
        let loginToken = try XCTUnwrap(Browser.csrfToken(in: loginPage.text))
        let login = try here.post("/admin/login/", form: [("csrfmiddlewaretoken", loginToken), ("username", "staff"),
                                                          ("password", Self.staffPassword), ("next", "/admin/")])
        XCTAssertEqual(login.status, 302, login.text)
        let hereKey = try XCTUnwrap(here.cookies["sessionid"])
        let djangoAdmin = try djangoJSON(["djangopages", "/admin/", "--session", hereKey])
        XCTAssertEqual((djangoAdmin["/admin/"] as? [String: Any])?["status"] as? Int, 200, "\(djangoAdmin)")

        // And Django's own pages still answer after the shop wrote to the database.
        let after = try djangoJSON(["djangopages", "/", "/admin/", "--session", staffKey])
        XCTAssertEqual((after["/"] as? [String: Any])?["status"] as? Int, 200)
        XCTAssertEqual((after["/admin/"] as? [String: Any])?["status"] as? Int, 200, "the staff session is still Django's")
    }

    func testAnIncompatibleTableStopsMigrateChangingNothing() throws {
        let database = try freshDatabase("shop_django_bad")
        defer { database.close() }
        _ = try django(["migrate", "--no-input"])
        try database.execute("ALTER TABLE orders_order ALTER COLUMN city TYPE varchar(10)")

        let refused = try shop(["migrate"])
        XCTAssertNotEqual(refused.status, 0)
        let message = refused.errors.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertFalse(message.contains("\n"), "one line: \(message)")
        XCTAssertTrue(message.contains("orders_order") && message.contains("city"), message)
        // Nothing changed, not even by the migrations that came before the failing one.
        XCTAssertEqual(try database.scalar("SELECT to_regclass('schema_migrations') IS NULL", as: Bool.self), true)
        XCTAssertEqual(try database.scalar("SELECT to_regclass('shop_catalog_version') IS NULL", as: Bool.self), true)
        XCTAssertEqual(try database.scalar("""
            SELECT count(*) FROM information_schema.columns WHERE table_name = 'django_session' AND column_name = 'version'
            """, as: Int.self), 0)

        try database.execute("ALTER TABLE orders_order ALTER COLUMN city TYPE varchar(100)")
        try database.execute("ALTER TABLE django_session DROP COLUMN expire_date")
        let missing = try shop(["migrate"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.errors.contains("django_session") && missing.errors.contains("expire_date"), missing.errors)
    }
}
