import Foundation
import Postgres
import TestSupport
import Web
import XCTest

/// A member of staff through nginx and a real pool: log in, add a category,
/// add a product with an image (served by nginx at /media/ and shown by the
/// shop), change a price in the list and see it in the shop, edit an order's
/// items inline, delete the order, log out.
final class StaffJourneyTests: XCTestCase {
    var database: PostgresConnection!
    var pool: ShopServer!
    var nginx: NginxServer!

    override func setUpWithError() throws {
        database = try TestDatabase.reset()
        try database.execute("""
            INSERT INTO auth_user (username, email, password, is_staff, is_superuser, is_active, date_joined)
            VALUES ('staff', 'staff@example.com', $1, true, true, true, now())
            """, [PasswordHasher.encode("s3cret-pass", iterations: 1_000)])
        pool = try ShopServer(workers: 2)
        nginx = try NginxServer(sockets: [pool.socketPath], mediaRoot: pool.directory + "/media")
    }

    override func tearDown() {
        nginx?.stop()
        pool?.stop()
    }

    static let png = TestImages.png

    func multipart(_ fields: [(String, String)], file: (name: String, filename: String, data: [UInt8])) -> (String, [UInt8]) {
        let boundary = "----staffJourney\(UInt32.random(in: 0...UInt32.max))"
        var body: [UInt8] = []
        for (name, value) in fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\nContent-Type: image/png\r\n\r\n".utf8)
        body += file.data + Array("\r\n--\(boundary)--\r\n".utf8)
        return ("multipart/form-data; boundary=\(boundary)", body)
    }

    func testTheWholeStaffJourney() throws {
        let staff = Browser(port: nginx.port)
        // Not logged in: sent to the login page, which remembers where staff were going.
        let gate = try staff.get("/admin/shop/product/")
        XCTAssertEqual(gate.status, 302)
        XCTAssertEqual(gate.header("Location"), "/admin/login/?next=/admin/shop/product/")
        let loginPage = try staff.get("/admin/login/?next=/admin/")
        XCTAssertEqual(loginPage.header("X-Frame-Options"), "DENY")
        var token = try XCTUnwrap(Browser.csrfToken(in: loginPage.text))
        let login = try staff.post("/admin/login/", form: [("csrfmiddlewaretoken", token), ("username", "staff"),
                                                           ("password", "s3cret-pass"), ("next", "/admin/")])
        XCTAssertEqual(login.status, 302, login.text)
        XCTAssertEqual(login.header("Location"), "/admin/")
        let index = try staff.get("/admin/")
        XCTAssertEqual(index.status, 200)
        token = try XCTUnwrap(Browser.csrfToken(in: index.text), "the login rotated the token; the index has the new one")

        // A category, then a product with its image.
        let category = try staff.post("/admin/shop/category/add/", form: [
            ("csrfmiddlewaretoken", token), ("name", "Herbal"), ("slug", "herbal"), ("_save", "Save")])
        XCTAssertEqual(category.status, 302, category.text)
        let categoryID = try XCTUnwrap(database.scalar("SELECT id FROM shop_category WHERE slug = 'herbal'", as: Int.self))
        let (type, body) = multipart([
            ("csrfmiddlewaretoken", token), ("category", String(categoryID)), ("name", "Rooibos"), ("slug", "rooibos"),
            ("description", "Red bush."), ("price", "7.25"), ("available", "on"), ("_save", "Save"),
        ], file: ("image", "rooibos.png", Self.png))
        let product = try staff.send("POST", "/admin/shop/product/add/", headers: ["Content-Type": type], body: body)
        XCTAssertEqual(product.status, 302, product.text)
        let row = try XCTUnwrap(database.queryOne("SELECT id, image FROM shop_product WHERE slug = 'rooibos'"))
        let productID: Int = try row.get("id")
        let image: String = try row.get("image")
        let media = try staff.get("/media/" + image)
        XCTAssertEqual(media.status, 200, "nginx serves the upload")
        XCTAssertEqual(media.body, Self.png)
        let shopper = Browser(port: nginx.port)
        let page = try shopper.get("/\(productID)/rooibos/")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.text.contains("/media/" + image))
        XCTAssertTrue(page.text.contains("$7.25"))

        // A price changed in the list shows in the shop at the next request.
        let list = try staff.get("/admin/shop/product/")
        XCTAssertTrue(list.text.contains(#"name="form-0-price" value="7.25""#), list.text)
        let saved = try staff.post("/admin/shop/product/", form: [
            ("csrfmiddlewaretoken", token), ("form-TOTAL_FORMS", "1"), ("form-INITIAL_FORMS", "1"),
            ("form-MIN_NUM_FORMS", "0"), ("form-MAX_NUM_FORMS", "1000"),
            ("form-0-id", String(productID)), ("form-0-price", "6.95"), ("form-0-available", "on"), ("_save", "Save")])
        XCTAssertEqual(saved.status, 302, saved.text)
        XCTAssertTrue(try shopper.get("/\(productID)/rooibos/").text.contains("$6.95"))

        // A shopper's order, corrected inline by staff.
        let productPage = try shopper.get("/\(productID)/rooibos/")
        let shopperToken = try XCTUnwrap(Browser.csrfToken(in: productPage.text))
        XCTAssertEqual(try shopper.post("/cart/add/\(productID)/", form: [
            ("quantity", "2"), ("override", "False"), ("csrfmiddlewaretoken", shopperToken)]).status, 302)
        XCTAssertEqual(try shopper.post("/orders/create/", form: [
            ("first_name", "Ada"), ("last_name", "Lovelace"), ("email", "ada@example.com"), ("address", "1 Road"),
            ("postal_code", "123"), ("city", "London"), ("csrfmiddlewaretoken", shopperToken)]).status, 302)
        let orderID = try XCTUnwrap(database.scalar("SELECT id FROM orders_order", as: Int.self))
        let itemID = try XCTUnwrap(database.scalar("SELECT id FROM orders_orderitem WHERE order_id = $1", [orderID], as: Int.self))
        let orderPage = try staff.get("/admin/orders/order/\(orderID)/change/")
        XCTAssertEqual(orderPage.status, 200)
        XCTAssertTrue(orderPage.text.contains(#"name="items-0-id" value="\#(itemID)""#))
        let edited = try staff.post("/admin/orders/order/\(orderID)/change/", form: [
            ("csrfmiddlewaretoken", token), ("first_name", "Ada"), ("last_name", "Lovelace"), ("email", "ada@example.com"),
            ("address", "1 Road"), ("postal_code", "123"), ("city", "London"), ("paid", "on"),
            ("items-TOTAL_FORMS", "2"), ("items-INITIAL_FORMS", "1"), ("items-MIN_NUM_FORMS", "0"), ("items-MAX_NUM_FORMS", "1000"),
            ("items-0-id", String(itemID)), ("items-0-product", String(productID)), ("items-0-price", "6.95"), ("items-0-quantity", "3"),
            ("items-1-product", String(productID)), ("items-1-price", "0.00"), ("items-1-quantity", "1"),
            ("_continue", "Save and continue editing")])
        XCTAssertEqual(edited.status, 302, edited.text)
        XCTAssertEqual(try database.scalar("SELECT sum(quantity) FROM orders_orderitem WHERE order_id = $1", [orderID], as: Int.self), 4)
        XCTAssertEqual(try database.scalar("SELECT paid FROM orders_order WHERE id = $1", [orderID], as: Bool.self), true)
        XCTAssertTrue(try staff.get("/admin/orders/order/\(orderID)/change/").text.contains("was changed successfully"))

        // The order is deleted with its items; the product it held now may go too.
        XCTAssertEqual(try staff.post("/admin/orders/order/\(orderID)/delete/", form: [
            ("csrfmiddlewaretoken", token), ("post", "yes")]).status, 302)
        XCTAssertEqual(try database.scalar("SELECT count(*) FROM orders_orderitem", as: Int.self), 0)

        // Log out: the admin is closed again.
        XCTAssertEqual(try staff.post("/admin/logout/", form: [("csrfmiddlewaretoken", token)]).status, 200)
        XCTAssertEqual(try staff.get("/admin/").status, 302)
    }
}
