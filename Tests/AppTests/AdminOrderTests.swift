import Foundation
import Postgres
import TestSupport
import Web
import XCTest

/// The order page with its items inline, and deleting, in process.
final class AdminOrderTests: AdminTestCase {
    var orderID = 0
    var itemIDs: [Int] = []
    var coffeeID = 0

    override func setUpWithError() throws {
        try super.setUpWithError()
        coffeeID = try makeProduct("Colombia Huila", price: "14.00")
        orderID = try XCTUnwrap(database.scalar("""
            INSERT INTO orders_order (first_name, last_name, email, address, postal_code, city)
            VALUES ('Ada', 'Lovelace', 'ada@example.com', '12 St James''s Square', 'SW1Y 4JH', 'London') RETURNING id
            """, as: Int.self))
        for (product, price, quantity) in [(teaID, "8.50", 2), (coffeeID, "14.00", 1)] {
            itemIDs.append(try XCTUnwrap(database.scalar("""
                INSERT INTO orders_orderitem (order_id, product_id, price, quantity) VALUES ($1, $2, $3::numeric, $4) RETURNING id
                """, [orderID, product, price, quantity], as: Int.self)))
        }
    }

    var changeURL: String { "/admin/orders/order/\(orderID)/change/" }

    /// The order's fields and its rows as the page would post them, changed by `rows`.
    func submission(_ rows: [[String: String]], total: Int? = nil, initial: Int = 2, extra: [(String, String)] = []) -> [(String, String)] {
        var fields: [(String, String)] = [
            ("first_name", "Ada"), ("last_name", "Lovelace"), ("email", "ada@example.com"),
            ("address", "12 St James's Square"), ("postal_code", "SW1Y 4JH"), ("city", "London"),
            ("items-TOTAL_FORMS", String(total ?? rows.count)), ("items-INITIAL_FORMS", String(initial)),
            ("items-MIN_NUM_FORMS", "0"), ("items-MAX_NUM_FORMS", "1000"),
        ]
        for (index, row) in rows.enumerated() {
            for (name, value) in row.sorted(by: { $0.key < $1.key }) { fields.append(("items-\(index)-\(name)", value)) }
        }
        return fields + extra + [("_save", "Save")]
    }

    var unchangedRows: [[String: String]] {
        [["id": String(itemIDs[0]), "product": String(teaID), "price": "8.50", "quantity": "2"],
         ["id": String(itemIDs[1]), "product": String(coffeeID), "price": "14.00", "quantity": "1"]]
    }

    func items() throws -> [String] {
        try database.query("SELECT product_id, price::text AS price, quantity FROM orders_orderitem WHERE order_id = $1 ORDER BY id", [orderID])
            .map { "\(try $0.get("product_id", as: Int.self)):\(try $0.get("price", as: String.self))x\(try $0.get("quantity", as: Int.self))" }
    }

    func testThePageShowsTheOrderAndItsItemsWithThreeExtraRows() throws {
        let page = staff.get(changeURL).bodyText
        XCTAssertTrue(page.contains(#"name="items-TOTAL_FORMS" value="5""#), page)
        XCTAssertTrue(page.contains(#"name="items-INITIAL_FORMS" value="2""#))
        XCTAssertTrue(page.contains(#"name="items-MIN_NUM_FORMS""#))
        XCTAssertTrue(page.contains(#"name="items-MAX_NUM_FORMS""#))
        XCTAssertTrue(page.contains(#"name="items-0-id" value="\#(itemIDs[0])""#))
        XCTAssertTrue(page.contains(#"name="items-1-DELETE""#))
        XCTAssertTrue(page.contains(#"name="items-4-quantity""#))
        XCTAssertTrue(page.contains(#"<option value="\#(teaID)" selected>Green Tea</option>"#))
        XCTAssertTrue(page.contains(#"id="order-total">$31.00<"#), "2 × 8.50 + 14.00")
        XCTAssertTrue(page.contains(#"value="Ada""#))
    }

    func testOneSaveChangesDeletesAndAddsRowsInOneTransaction() throws {
        var rows = unchangedRows
        rows[0]["quantity"] = "3"
        rows[1]["DELETE"] = "on"
        rows.append(["product": String(coffeeID), "price": "13.50", "quantity": "4"])
        rows.append(["product": "", "price": "", "quantity": ""])   // an untouched extra row
        var fields = submission(rows, initial: 2)
        fields[5] = ("city", "Cambridge")
        let response = staff.post(changeURL, fields)
        XCTAssertEqual(response.status, 302, response.bodyText)
        XCTAssertEqual(try items(), ["\(teaID):8.50x3", "\(coffeeID):13.50x4"])
        XCTAssertEqual(try database.scalar("SELECT city FROM orders_order WHERE id = $1", [orderID], as: String.self), "Cambridge")
        XCTAssertTrue(messages(staff.get("/admin/orders/order/").bodyText).contains("The order “Order \(orderID)” was changed successfully."))
    }

    func testAnyInvalidRowChangesNothingAndShowsEachRowsErrors() throws {
        let before = try items()
        let invalidRows: [(String, [String: String], String)] = [
            ("quantity zero", ["quantity": "0"], "Ensure this value is greater than or equal to 1."),
            ("quantity text", ["quantity": "two"], "Enter a whole number."),
            ("bad price", ["price": "1.234"], "Ensure that there are no more than 2 decimal places."),
            ("unknown product", ["product": "999999"], "Select a valid choice. That choice is not one of the available choices."),
        ]
        for (label, change, error) in invalidRows {
            var rows = unchangedRows
            rows[0]["quantity"] = "5"                        // a valid change beside the bad one...
            rows.append(["product": String(teaID), "price": "1.00", "quantity": "1"].merging(change) { _, new in new })
            var fields = submission(rows)
            fields[0] = ("first_name", "Changed")
            let response = staff.post(changeURL, fields)
            XCTAssertEqual(response.status, 200, label)
            XCTAssertTrue(response.bodyText.contains(error), "\(label): \(error)")
            XCTAssertTrue(response.bodyText.contains("Please correct the errors below."), label)
            XCTAssertTrue(response.bodyText.contains(#"name="items-0-quantity" value="5""#), "\(label): input kept")
            XCTAssertEqual(try items(), before, "\(label): ...is not saved either")
            XCTAssertEqual(try database.scalar("SELECT first_name FROM orders_order WHERE id = $1", [orderID], as: String.self), "Ada")
        }
    }

    func testAnItemOfAnotherOrderCannotBeEditedFromThisOne() throws {
        let otherOrder = try XCTUnwrap(database.scalar("""
            INSERT INTO orders_order (first_name, last_name, email, address, postal_code, city)
            VALUES ('Bob', 'B', 'bob@example.com', 'a', 'b', 'c') RETURNING id
            """, as: Int.self))
        let foreign = try XCTUnwrap(database.scalar("""
            INSERT INTO orders_orderitem (order_id, product_id, price, quantity) VALUES ($1, $2, 8.50, 1) RETURNING id
            """, [otherOrder, teaID], as: Int.self))
        var rows = unchangedRows
        rows[1]["id"] = String(foreign)
        rows[1]["quantity"] = "9"
        let response = staff.post(changeURL, submission(rows))
        XCTAssertEqual(response.status, 200, "\(submission(rows)) \((try? items()) ?? [])")
        XCTAssertTrue(response.bodyText.contains("Select a valid choice"), response.bodyText)
        XCTAssertEqual(try database.scalar("SELECT quantity FROM orders_orderitem WHERE id = $1", [foreign], as: Int.self), 1)
        var deleting = unchangedRows
        deleting[1] = ["id": String(foreign), "product": String(teaID), "price": "8.50", "quantity": "1", "DELETE": "on"]
        XCTAssertEqual(staff.post(changeURL, submission(deleting)).status, 200)
        XCTAssertEqual(try count("SELECT count(*) FROM orders_orderitem WHERE id = $1", [foreign]), 1)
    }

    func testATamperedManagementFormIs400() throws {
        let before = try items()
        for (total, initial) in [("-1", "2"), ("1001", "0"), ("99999999999999999999", "0"), ("abc", "0"), ("", "")] {
            var fields = submission(unchangedRows)
            fields.removeAll { $0.0 == "items-TOTAL_FORMS" || $0.0 == "items-INITIAL_FORMS" }
            if !total.isEmpty { fields += [("items-TOTAL_FORMS", total), ("items-INITIAL_FORMS", initial)] }
            let response = staff.post(changeURL, fields)
            XCTAssertEqual(response.status, 400, "TOTAL_FORMS=\(total)")
        }
        XCTAssertEqual(try items(), before)
    }

    func testAddAnOrderWithItems() throws {
        let fields = submission([["product": String(teaID), "price": "8.50", "quantity": "2"]], initial: 0)
        let response = staff.post("/admin/orders/order/add/", fields)
        XCTAssertEqual(response.status, 302, response.bodyText)
        let id = try XCTUnwrap(database.scalar("SELECT max(id) FROM orders_order", as: Int.self))
        XCTAssertNotEqual(id, orderID)
        XCTAssertEqual(try count("SELECT count(*) FROM orders_orderitem WHERE order_id = $1", [id]), 1)
    }

    func testDeletingAnOrderDeletesItsItems() throws {
        let confirm = staff.get("/admin/orders/order/\(orderID)/delete/")
        XCTAssertEqual(confirm.status, 200)
        XCTAssertTrue(confirm.bodyText.contains("Are you sure you want to delete the order “Order \(orderID)”?"))
        XCTAssertTrue(confirm.bodyText.contains("Order item: 2 × Green Tea at $8.50"))
        XCTAssertEqual(staff.post("/admin/orders/order/\(orderID)/delete/", ["post": "yes"], csrf: false).status, 403)
        XCTAssertEqual(try count("SELECT count(*) FROM orders_order WHERE id = $1", [orderID]), 1)
        let response = staff.post("/admin/orders/order/\(orderID)/delete/", ["post": "yes"])
        XCTAssertEqual(response.status, 302)
        XCTAssertEqual(response.header("Location"), "/admin/orders/order/")
        XCTAssertEqual(try count("SELECT count(*) FROM orders_order WHERE id = $1", [orderID]), 0)
        XCTAssertEqual(try count("SELECT count(*) FROM orders_orderitem WHERE order_id = $1", [orderID]), 0)
        XCTAssertTrue(messages(staff.get("/admin/orders/order/").bodyText).contains("The order “Order \(orderID)” was deleted successfully."))
        XCTAssertEqual(staff.get("/admin/orders/order/\(orderID)/change/").status, 404)
    }

    func testAProductInAnOrderOrACategoryWithProductsIsNotDeleted() throws {
        let refused = staff.post("/admin/shop/product/\(teaID)/delete/", ["post": "yes"])
        XCTAssertEqual(refused.status, 409)
        XCTAssertTrue(refused.bodyText.contains("Cannot delete the product “Green Tea”: it appears in 1 order"), refused.bodyText)
        XCTAssertEqual(try count("SELECT count(*) FROM shop_product WHERE id = $1", [teaID]), 1)
        let category = staff.post("/admin/shop/category/\(categoryID)/delete/", ["post": "yes"])
        XCTAssertEqual(category.status, 409)
        XCTAssertTrue(category.bodyText.contains("Cannot delete the category “Tea”: 2 products belong to it."))
        XCTAssertEqual(try count("SELECT count(*) FROM shop_category WHERE id = $1", [categoryID]), 1)
        // A product no order refers to goes.
        let spare = try makeProduct("Spare", price: "1.00")
        XCTAssertEqual(staff.post("/admin/shop/product/\(spare)/delete/", ["post": "yes"]).status, 302)
        XCTAssertEqual(try count("SELECT count(*) FROM shop_product WHERE id = $1", [spare]), 0)
    }

    func testForgedIdsAndWrongTypesAre4xx() throws {
        XCTAssertEqual(staff.get("/admin/orders/order/999999/change/").status, 404)
        XCTAssertEqual(staff.get("/admin/orders/order/abc/change/").status, 404)
        XCTAssertEqual(staff.get("/admin/shop/product/999999/delete/").status, 404)
        XCTAssertEqual(staff.post("/admin/orders/order/999999/delete/", ["post": "yes"]).status, 404)
        let broken = staff.send("POST", changeURL, headers: ["content-type": "application/x-www-form-urlencoded"],
                                body: Array("csrfmiddlewaretoken=\(staff.csrfToken())&first_name=%C3%28".utf8))
        XCTAssertEqual(broken.status, 400)
    }
}

/// The database keeps orders' history whoever deletes: the constraints do not cascade.
final class OrderHistoryConstraintTests: AppTestCase {
    func testAProductInAnOrderAndACategoryWithProductsCannotBeDeletedEvenWithSQL() throws {
        let order = try XCTUnwrap(database.scalar("""
            INSERT INTO orders_order (first_name, last_name, email, address, postal_code, city)
            VALUES ('A', 'B', 'a@example.com', 'x', 'y', 'z') RETURNING id
            """, as: Int.self))
        try database.execute("INSERT INTO orders_orderitem (order_id, product_id, price, quantity) VALUES ($1, $2, 8.50, 1)", [order, teaID])
        XCTAssertThrowsError(try database.execute("DELETE FROM shop_product WHERE id = $1", [teaID])) { error in
            XCTAssertTrue((error as? PostgresError)?.isForeignKeyViolation ?? false, "\(error)")
        }
        XCTAssertThrowsError(try database.execute("DELETE FROM shop_category WHERE id = $1", [categoryID]))
        XCTAssertEqual(try database.scalar("SELECT count(*) FROM orders_orderitem", as: Int.self), 1)
        // An order goes with its items.
        try database.execute("DELETE FROM orders_order WHERE id = $1", [order])
        XCTAssertEqual(try database.scalar("SELECT count(*) FROM orders_orderitem", as: Int.self), 0)
    }
}

/// The order list over a large table: exact counts up to 10,000 rows, an
/// estimate beyond, and pages that exist whatever the estimate says.
final class AdminLargeOrderListTests: AdminTestCase {
    func testCountsAreExactUpTo10000RowsAndEstimatedBeyond() throws {
        try database.execute("""
            INSERT INTO orders_order (first_name, last_name, email, address, postal_code, city, created, paid)
            SELECT 'Customer', 'No ' || n, 'c' || n || '@example.com', 'Road', '123', 'Oslo', now() - n * interval '1 minute', n <= 9000
            FROM generate_series(1, 12000) AS n
            """)
        try database.execute("ANALYZE orders_order")
        var page = staff.get("/admin/orders/order/").bodyText
        XCTAssertNotNil(page.firstMatch(of: /about 1[12]\d\d\d orders/), "past 10,000 rows: the planner's estimate")
        XCTAssertNotNil(page.firstMatch(of: /\sc1@example\.com\s/), "newest first")
        page = staff.get("/admin/orders/order/?paid__exact=1").bodyText
        XCTAssertTrue(page.contains("9000 result(s)"), "up to 10,000 rows, exact")
        XCTAssertNotNil(page.firstMatch(of: /about 1[12]\d\d\d total/))
        XCTAssertNotNil(staff.get("/admin/orders/order/?p=120").bodyText.firstMatch(of: /\sc11901@example\.com\s/))
        XCTAssertEqual(staff.get("/admin/orders/order/?p=121").status, 404, "past the last row, whatever the estimate")
        XCTAssertEqual(staff.get("/admin/orders/order/?p=90&paid__exact=1").status, 200)
        XCTAssertEqual(staff.get("/admin/orders/order/?p=91&paid__exact=1").status, 404)
    }

    /// As in a real shop, the newest orders are the ones not paid yet. Each "paid" page must
    /// still read its 100 rows straight from an index, not walk the newest orders and skip the
    /// other kind (the page's own statement, from the list's log, under EXPLAIN ANALYZE).
    func testEachPaidFilterReadsItsPageFromAnIndexWhereverThoseOrdersLie() throws {
        try database.execute("""
            INSERT INTO orders_order (first_name, last_name, email, address, postal_code, city, created, paid)
            SELECT 'Customer', 'No ' || n, 'c' || n || '@example.com', 'Road', '123', 'Oslo', now() - n * interval '1 minute',
                   n > 400 AND n % 2 = 0
            FROM generate_series(1, 20000) AS n
            """)
        try database.execute("ANALYZE orders_order")
        for (value, first, absent) in [("1", "c402", "c400"), ("0", "c1", "c402")] {
            let page = staff.get("/admin/orders/order/?paid__exact=\(value)").bodyText
            XCTAssertNotNil(page.firstMatch(of: try Regex("\\s\(first)@example\\.com\\s")), "paid=\(value): its newest order first")
            XCTAssertNil(page.firstMatch(of: try Regex("\\s\(absent)@example\\.com\\s")), "paid=\(value): no order of the other kind")
            let statement = try XCTUnwrap(app.services.database.log.entries.map(\.sql).first {
                $0.hasPrefix("SELECT id,") && $0.contains("ORDER BY")
            }, "the page's statement")
            let bound: [any PostgresBindable] = statement.contains("$1") ? [value == "1"] : []  // were the value bound
            let plan = try XCTUnwrap(database.scalar("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, bound, as: String.self))
            let skipped = plan.matches(of: /"Rows Removed by Filter": (\d+)/).map { Int($0.output.1) ?? 0 }.reduce(0, +)
            let read = plan.matches(of: /"Actual Rows": (\d+)/).map { Int($0.output.1) ?? 0 }.max() ?? 0
            XCTAssertEqual(skipped, 0, "paid=\(value): rows read and thrown away for one page:\n\(plan)")
            XCTAssertLessThanOrEqual(read, 101, "paid=\(value): rows read for a page of 100:\n\(plan)")
        }
    }

    /// Past the first page the list picks its 100 ids first, then reads and formats those rows:
    /// every page, sorted, filtered and searched, is still the slice SQL gives at its offset.
    func testLaterPagesSortedFilteredAndSearchedAreTheRowsAtTheirOffset() throws {
        try database.execute("""
            INSERT INTO orders_order (first_name, last_name, email, address, postal_code, city, created, paid)
            SELECT 'Customer', 'No ' || n, 'c' || n || '@example.com', 'Road', '123',
                   (ARRAY['Oslo', 'Porto', 'Lyon', 'Bergen'])[1 + n % 4], now() - n * interval '1 minute', n % 3 <> 0
            FROM generate_series(1, 900) AS n
            """)
        for (query, sql) in [
            ("o=6.-3&paid__exact=1&q=rt", "paid AND city = 'Porto' ORDER BY city, email DESC, id DESC"),
            ("paid__exact=0", "NOT paid ORDER BY created DESC, id DESC"),
            ("o=-0", "true ORDER BY id DESC"),
        ] {
            let expected = try database.query("SELECT email FROM orders_order WHERE \(sql)").map { try $0.get("email", as: String.self) }
            XCTAssertGreaterThan(expected.count, 100, query)
            for number in 1...((expected.count + 99) / 100) {
                let page = staff.get("/admin/orders/order/?\(query)&p=\(number)").bodyText
                let shown = page.matches(of: /\sc(\d+)@example\.com\s/).map { "c\($0.output.1)@example.com" }
                XCTAssertEqual(shown, Array(expected[((number - 1) * 100)..<min(expected.count, number * 100)]), "\(query), page \(number)")
                XCTAssertTrue(page.contains(query.hasPrefix("o=-0") ? "\(expected.count) orders" : "\(expected.count) result(s)"),
                              "\(query), page \(number): the count, whether counted or seen on a short page")
            }
        }
    }

    /// A search that fits on one page (staff looking up one customer) is counted by its page:
    /// over a large table the count would read every row again.
    func testAShortPageIsItsOwnCount() throws {
        try database.execute("""
            INSERT INTO orders_order (first_name, last_name, email, address, postal_code, city)
            SELECT 'Customer', 'No ' || n, 'c' || n || '@example.com', 'Road', '123', 'Oslo' FROM generate_series(1, 300) AS n
            """)
        for (search, found) in [("c123@", 1), ("nobody", 0), ("c12", 11)] {
            let page = staff.get("/admin/orders/order/?q=\(search)").bodyText
            XCTAssertTrue(page.contains("\(found) result(s)"), "\(search)")
            XCTAssertTrue(page.contains("300 total"), "\(search): the table's own count")
            let counts = app.services.database.log.entries.map(\.sql).filter { $0.contains("count(*)") }
            XCTAssertEqual(counts.count, 1, "\(search): the table's count only: \(counts)")
        }
        XCTAssertTrue(staff.get("/admin/orders/order/?q=c&p=3").bodyText.contains("300 result(s)"), "a last page counts its list")
        XCTAssertEqual(staff.get("/admin/orders/order/?q=c&p=4").status, 404)
    }
}
