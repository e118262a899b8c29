import Foundation
import Postgres
import TestSupport
import Web
import XCTest

/// Staff managing categories and products in the admin, in process.
final class AdminCatalogTests: AdminTestCase {
    /// Catalog pages are kept rendered (whole for visitors without a session): staff still get
    /// their header, visitors never see it, and a price saved in the admin shows at once.
    func testKeptShopPagesShowStaffTheirHeaderAndNobodyElse() throws {
        let visitor = browser()
        for path in ["/", "/\(teaID)/green-tea/"] {
            XCTAssertFalse(visitor.get(path).bodyText.contains("staff-tools"), path)
            XCTAssertFalse(visitor.get(path).bodyText.contains("staff-tools"), path)
            let page = staff.get(path).bodyText
            XCTAssertTrue(page.contains("<span class=\"staff-tools\">staff · <a href=\"/admin/\">Admin</a></span>"), path)
            XCTAssertFalse(visitor.get(path).bodyText.contains("staff-tools"), path)
        }
        let saved = staff.post("/admin/shop/product/", [
            "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000",
            "form-0-id": "\(teaID)", "form-0-price": "6.25", "form-0-available": "on", "_save": "Save",
        ])
        XCTAssertEqual(saved.status, 302, saved.bodyText)
        XCTAssertTrue(visitor.get("/").bodyText.contains("$6.25"))
        XCTAssertTrue(visitor.get("/\(teaID)/green-tea/").bodyText.contains("$6.25"))
    }

    /// The layout's cart summary costs an admin page nothing: staff's session is loaded by the
    /// staff gate, their cart is empty, so no catalog check and no products query.
    func testAdminPagesRunNoCatalogQueryForTheCartSummary() throws {
        for path in ["/admin/", "/admin/shop/product/", "/admin/shop/category/"] {
            XCTAssertEqual(staff.get(path).status, 200, path)
            let statements = app.services.database.log.entries.map(\.sql)
            XCTAssertFalse(statements.contains { $0.contains("shop_catalog_version") || $0.contains("ANY(") }, "\(path): \(statements)")
        }
    }

    func testAddACategoryWithEachButton() throws {
        let form = staff.get("/admin/shop/category/add/")
        XCTAssertEqual(form.status, 200)
        XCTAssertTrue(form.bodyText.contains(#"data-prepopulated-from="id_name""#), "the slug follows the name")
        XCTAssertTrue(form.bodyText.contains("prepopulate.js"))

        var response = staff.post("/admin/shop/category/add/", ["name": "Coffee", "slug": "coffee", "_save": "Save"])
        XCTAssertEqual(response.status, 302, response.bodyText)
        XCTAssertEqual(response.header("Location"), "/admin/shop/category/")
        let list = staff.get("/admin/shop/category/").bodyText
        XCTAssertTrue(messages(list).contains("The category “Coffee” was added successfully."), list)
        XCTAssertTrue(list.contains(">Coffee</a>"))

        response = staff.post("/admin/shop/category/add/", ["name": "Cocoa", "slug": "cocoa", "_continue": "1"])
        let id = try XCTUnwrap(database.scalar("SELECT id FROM shop_category WHERE slug = 'cocoa'", as: Int.self))
        XCTAssertEqual(response.header("Location"), "/admin/shop/category/\(id)/change/")
        XCTAssertTrue(messages(staff.get("/admin/shop/category/\(id)/change/").bodyText)
            .contains("The category “Cocoa” was added successfully. You may edit it again below."))

        response = staff.post("/admin/shop/category/add/", ["name": "Herbal", "slug": "herbal", "_addanother": "1"])
        XCTAssertEqual(response.header("Location"), "/admin/shop/category/add/")
        response = staff.post("/admin/shop/category/\(id)/change/", ["name": "Cocoa & Co", "slug": "cocoa", "_save": "1"])
        XCTAssertEqual(response.status, 302)
        XCTAssertEqual(try database.scalar("SELECT name FROM shop_category WHERE id = $1", [id], as: String.self), "Cocoa & Co")
    }

    func testInvalidInputKeepsItAndShowsErrorsBesideTheFields() throws {
        let before = try count("SELECT count(*) FROM shop_category")
        let response = staff.post("/admin/shop/category/add/", ["name": "<b>Spices</b>", "slug": "not a slug!", "_save": "1"])
        XCTAssertEqual(response.status, 200)
        let page = response.bodyText
        XCTAssertTrue(page.contains("Please correct the errors below."))
        XCTAssertTrue(page.contains(#"<ul class="errorlist" id="id_slug_error"><li>Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.</li></ul>"#), page)
        XCTAssertTrue(page.contains(#"value="&lt;b&gt;Spices&lt;/b&gt;""#), "the input is kept, escaped")
        XCTAssertTrue(page.contains(#"value="not a slug!""#))
        XCTAssertEqual(try count("SELECT count(*) FROM shop_category"), before)

        let taken = staff.post("/admin/shop/category/add/", ["name": "Tea again", "slug": "tea", "_save": "1"])
        XCTAssertTrue(taken.bodyText.contains("Category with this Slug already exists."))
        XCTAssertEqual(try count("SELECT count(*) FROM shop_category"), before)
        let missing = staff.post("/admin/shop/category/add/", ["_save": "1"])
        XCTAssertEqual(missing.status, 200)
        XCTAssertTrue(missing.bodyText.contains("This field is required."))
    }

    func testAddAProductWithAnImageAndClearIt() throws {
        let response = postMultipart("/admin/shop/product/add/", [
            ("category", String(categoryID)), ("name", "Earl Grey"), ("slug", "earl-grey"), ("description", "Bergamot."),
            ("price", "12.40"), ("available", "on"), ("_save", "Save"),
        ], files: [("image", "../../etc/passwd;.png", AdminTestCase.png)])
        XCTAssertEqual(response.status, 302, response.bodyText)
        let row = try XCTUnwrap(database.queryOne("SELECT id, image, price::text AS price, available FROM shop_product WHERE slug = 'earl-grey'"))
        let image: String = try row.get("image")
        XCTAssertTrue(image.hasPrefix("products/") && image.hasSuffix(".png"), image)
        XCTAssertFalse(image.contains("passwd"), "the client's file name is never a path")
        XCTAssertEqual(try Array(Data(contentsOf: URL(fileURLWithPath: mediaRoot + "/" + image))), AdminTestCase.png)
        XCTAssertEqual(try row.get("price", as: String.self), "12.40")
        let id: Int = try row.get("id")
        // The shop shows it at once (the catalog cache follows the write).
        let shop = browser().get("/\(id)/earl-grey/")
        XCTAssertEqual(shop.status, 200)
        XCTAssertTrue(shop.bodyText.contains("/media/" + image))
        // The change page shows the current image; "clear" removes it.
        let change = staff.get("/admin/shop/product/\(id)/change/").bodyText
        XCTAssertTrue(change.contains("/media/" + image))
        let cleared = postMultipart("/admin/shop/product/\(id)/change/", [
            ("category", String(categoryID)), ("name", "Earl Grey"), ("slug", "earl-grey"), ("description", ""),
            ("price", "12.40"), ("available", "on"), ("image-clear", "on"), ("_continue", "1"),
        ])
        XCTAssertEqual(cleared.status, 302, cleared.bodyText)
        XCTAssertEqual(try database.scalar("SELECT image FROM shop_product WHERE id = $1", [id], as: String.self), "")
    }

    func testUploadsThatAreNotImagesAreRefused() throws {
        let before = try count("SELECT count(*) FROM shop_product")
        let response = postMultipart("/admin/shop/product/add/", [
            ("category", String(categoryID)), ("name", "Fake"), ("slug", "fake"), ("price", "1.00"), ("_save", "Save"),
        ], files: [("image", "fake.png", Array("<?php echo 'hi'; ?>".utf8))])
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.bodyText.contains("Upload a valid image."), response.bodyText)
        XCTAssertEqual(try count("SELECT count(*) FROM shop_product"), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: mediaRoot), [], "nothing stored")
    }

    func testProductPricesAreExactAndBounded() throws {
        for (price, error) in [("12.345", "Ensure that there are no more than 2 decimal places."),
                               ("-1", "Ensure this value is greater than or equal to 0."),
                               ("100000000.00", "Ensure that there are no more than 10 digits in total."),
                               ("abc", "Enter a number.")] {
            let response = staff.post("/admin/shop/product/add/", [
                "category": String(categoryID), "name": "P", "slug": "p", "price": price, "_save": "1",
            ])
            XCTAssertEqual(response.status, 200, price)
            XCTAssertTrue(response.bodyText.contains(error), "\(price): \(error)")
        }
        XCTAssertEqual(try count("SELECT count(*) FROM shop_product WHERE slug = 'p'"), 0)
        let unknownCategory = staff.post("/admin/shop/product/add/", [
            "category": "999999", "name": "P", "slug": "p", "price": "1.00", "_save": "1",
        ])
        XCTAssertTrue(unknownCategory.bodyText.contains("Select a valid choice. That choice is not one of the available choices."))
    }

    func testPriceAndAvailableEditedInTheListShowInTheShopAtOnce() throws {
        let shopper = browser()
        XCTAssertTrue(shopper.get("/").bodyText.contains("$8.50"))
        let list = staff.get("/admin/shop/product/").bodyText
        XCTAssertTrue(list.contains(#"name="form-0-price" value="8.50""#), list)
        let saved = staff.post("/admin/shop/product/", [
            "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000",
            "form-0-id": String(teaID), "form-0-price": "9.75", "form-0-available": "on", "_save": "Save",
        ])
        XCTAssertEqual(saved.status, 302, saved.bodyText)
        XCTAssertTrue(messages(staff.get("/admin/shop/product/").bodyText).contains("1 product was changed successfully."))
        XCTAssertTrue(shopper.get("/").bodyText.contains("$9.75"), "the shop's next page shows the new price")

        let invalid = staff.post("/admin/shop/product/", [
            "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000",
            "form-0-id": String(teaID), "form-0-price": "-3", "_save": "Save",
        ])
        XCTAssertEqual(invalid.status, 200)
        XCTAssertTrue(invalid.bodyText.contains("Ensure this value is greater than or equal to 0."))
        XCTAssertTrue(invalid.bodyText.contains(#"value="-3""#))
        XCTAssertEqual(try database.scalar("SELECT price::text FROM shop_product WHERE id = $1", [teaID], as: String.self), "9.75")

        let unavailable = staff.post("/admin/shop/product/", [
            "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000",
            "form-0-id": String(teaID), "form-0-price": "9.75", "_save": "Save",
        ])
        XCTAssertEqual(unavailable.status, 302)
        XCTAssertEqual(shopper.get("/\(teaID)/green-tea/").status, 404, "unavailable at once")
    }

    func testTamperedListFormsAre400AndChangeNothing() throws {
        let other = try makeProduct("Hidden", price: "3.00")
        for fields in [
            ["form-TOTAL_FORMS": "-5", "form-INITIAL_FORMS": "0"],
            ["form-TOTAL_FORMS": "99999999999999999999", "form-INITIAL_FORMS": "0"],
            ["form-INITIAL_FORMS": "1"],
            ["form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-price": "1.00"],
        ] {
            var form = fields
            form["_save"] = "Save"
            XCTAssertEqual(staff.post("/admin/shop/product/", Array(form)).status, 400, "\(fields)")
        }
        // A row id outside the list shown (filtered to available products) is an error, not an edit.
        try setAvailable(other, false)
        let response = staff.post("/admin/shop/product/?available__exact=1", [
            "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": String(other), "form-0-price": "0.01", "_save": "Save",
        ])
        XCTAssertNotEqual(response.status, 302)
        XCTAssertEqual(try database.scalar("SELECT price::text FROM shop_product WHERE id = $1", [other], as: String.self), "3.00")
    }

    func testChangeListFiltersSearchSortsAndPages() throws {
        for index in 1...205 { try makeProduct(String(format: "Blend %03d", index), price: "\(index).00", available: index % 2 == 0) }
        try database.execute("UPDATE shop_product SET created = now() - interval '40 days' WHERE name = 'Blend 001'")
        var page = staff.get("/admin/shop/product/").bodyText
        XCTAssertTrue(page.contains("206 products"))
        XCTAssertTrue(page.contains(#"<span class="this-page">1</span>"#))
        XCTAssertTrue(page.contains("?p=3"))
        XCTAssertEqual(page.matches(of: /<tr data-id=/).count, 100)
        page = staff.get("/admin/shop/product/?p=3").bodyText
        XCTAssertEqual(page.matches(of: /<tr data-id=/).count, 6)
        XCTAssertEqual(staff.get("/admin/shop/product/?p=4").status, 404)
        XCTAssertEqual(staff.get("/admin/shop/product/?p=zero").status, 400)

        page = staff.get("/admin/shop/product/?available__exact=0").bodyText
        XCTAssertTrue(page.contains("103 result(s)"), "available=No: the odd blends")
        page = staff.get("/admin/shop/product/?q=blend+20").bodyText
        XCTAssertTrue(page.contains("8 result(s)"), "every term matches: Blend 020, 120 and 200-205")
        page = staff.get("/admin/shop/product/?q=green").bodyText
        XCTAssertTrue(page.contains(">Green Tea</a>"))
        XCTAssertTrue(page.contains("1 result(s)"), page)

        let today = staff.get("/admin/shop/product/").bodyText
        let todayLink = try XCTUnwrap(today.firstMatch(of: /href="(\?created__gte=[0-9-]+&amp;created__lt=[0-9-]+)">Today/)?.output.1)
        page = staff.get("/admin/shop/product/" + todayLink.replacingOccurrences(of: "&amp;", with: "&")).bodyText
        XCTAssertTrue(page.contains("205 result(s)"), "Blend 001 was created 40 days ago")

        page = staff.get("/admin/shop/product/?o=-3").bodyText   // price, descending
        XCTAssertTrue(page.contains("column-price sorted descending"), page)
        let firstRow = try XCTUnwrap(page.firstMatch(of: /<a href="\/admin\/shop\/product\/[0-9]+\/change\/">([^<]+)<\/a>/)?.output.1)
        XCTAssertEqual(firstRow, "Blend 205")
        for bad in ["?o=99", "?o=x", "?available__exact=maybe", "?created__gte=2026-13-01", "?nonsense=1"] {
            XCTAssertEqual(staff.get("/admin/shop/product/" + bad).status, 400, bad)
        }
    }
}
