import Foundation
import Postgres
import Cart
import Shop
import TestSupport
import Web
import XCTest

/// Multipart bodies through the real Application: CSRF read from a multipart
/// field, uploads on the request, the settings' limits, a model form saving a
/// product with its image (stored under a server-made name), and broken bodies.
final class UploadRequestTests: AppTestCase {
    var mediaRoot = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        mediaRoot = NSTemporaryDirectory() + "upload-tests-" + UUID().uuidString
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: mediaRoot)
        super.tearDown()
    }

    static let boundary = "----shopTestBoundary42"

    static func multipart(_ fields: [(String, String)], files: [(name: String, filename: String, data: [UInt8])] = []) -> [UInt8] {
        var body: [UInt8] = []
        for (name, value) in fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        for file in files {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\nContent-Type: image/png\r\n\r\n".utf8)
            body += file.data + Array("\r\n".utf8)
        }
        return body + Array("--\(boundary)--\r\n".utf8)
    }

    /// The application with one extra route, as the admin's product add page will be.
    func uploadApplication(_ configure: (inout Settings) -> Void = { _ in }) throws -> Application {
        let root = mediaRoot
        let base = try makeApplication { settings in
            settings.mediaRoot = root
            configure(&settings)
        }
        let categoryID = self.categoryID
        var router = Router()
        router.post("/upload/") { context in
            let form = Product.table.form(["category", "name", "slug", "image", "price", "available"],
                                          rows: ["category": .init([(categoryID, "Tea")])])
                .bind(try context.form(), files: try context.files())
            guard form.isValid else {
                return .text(form.form.fields.compactMap { field in form.errors[field.name].map { "\(field.name): \($0.joined(separator: " "))" } }
                    .joined(separator: "\n"), status: 200)
            }
            let storage = UploadStorage(root: context.settings.mediaRoot)
            let insert = try Product.table.insert(form.cleaned) { _, file in
                try storage.saveImage(file, in: UploadStorage.datedDirectory("products"))
            }
            let id = try context.database.scalar(insert.sql, insert.parameters, as: Int.self)
            return .text("saved \(id ?? 0)", status: 201)
        }
        CartApp.routes(&router)
        return Application(services: base.services, router: router)
    }

    func post(_ browser: InProcessBrowser, _ path: String, _ body: [UInt8], boundary: String = boundary) -> Response {
        browser.send("POST", path, headers: ["content-type": "multipart/form-data; boundary=\(boundary)"], body: body)
    }

    func browserWithToken(_ application: Application) -> (InProcessBrowser, String) {
        let shopper = browser()
        let token = shopper.csrfToken()
        return (shopper.copy(to: application), token)
    }

    func testAProductWithItsImageIsSavedUnderAServerMadeName() throws {
        let application = try uploadApplication()
        let (shopper, token) = browserWithToken(application)
        let png = Self.png
        let response = post(shopper, "/upload/", Self.multipart(
            [("csrfmiddlewaretoken", token), ("category", "\(categoryID)"), ("name", "Oolong"), ("slug", "oolong"),
             ("price", "12.50"), ("available", "on")],
            files: [("image", "../../../etc/cron.d/evil.png", png)]))
        XCTAssertEqual(response.status, 201, response.bodyText)
        let id = try XCTUnwrap(Int(response.bodyText.dropFirst("saved ".count)))
        let row = try XCTUnwrap(database.queryOne("SELECT * FROM shop_product WHERE id = $1", [id]))
        XCTAssertEqual(try row.get("name", as: String.self), "Oolong")
        XCTAssertEqual(try row.get("price", as: Decimal.self), Decimal(string: "12.5"))
        XCTAssertEqual(try row.get("available", as: Bool.self), true)
        let image = try row.get("image", as: String.self)
        XCTAssertTrue(image.wholeMatch(of: /products\/\d{4}\/\d{2}\/\d{2}\/[a-z0-9]{16}\.png/) != nil, image)
        XCTAssertEqual(FileManager.default.contents(atPath: mediaRoot + "/" + image), Data(png))
        XCTAssertFalse(FileManager.default.fileExists(atPath: mediaRoot + "/../../../etc/cron.d/evil.png"))
        let stored = try FileManager.default.subpathsOfDirectory(atPath: mediaRoot).filter { !$0.hasSuffix("/") }
        XCTAssertEqual(stored.filter { $0.hasSuffix(".png") }, [image], "one file, no temporary left")
    }

    func testAnInvalidUploadIsAFormErrorAndNothingIsSaved() throws {
        let application = try uploadApplication()
        let (shopper, token) = browserWithToken(application)
        let before = try database.scalar("SELECT count(*) FROM shop_product", as: Int.self)
        let response = post(shopper, "/upload/", Self.multipart(
            [("csrfmiddlewaretoken", token), ("category", "999"), ("name", "X"), ("slug", "not a slug"), ("price", "1.999")],
            files: [("image", "fake.png", Array("<?php system($_GET['c']); ?>".utf8))]))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.bodyText, """
            category: Select a valid choice. That choice is not one of the available choices.
            slug: Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.
            image: Upload a valid image. The file you uploaded was either not an image or a corrupted image.
            price: Ensure that there are no more than 2 decimal places.
            """)
        XCTAssertEqual(try database.scalar("SELECT count(*) FROM shop_product", as: Int.self), before)
        XCTAssertFalse(FileManager.default.fileExists(atPath: mediaRoot))
    }

    func testTheCSRFTokenIsReadFromAMultipartBody() throws {
        let application = try uploadApplication()
        let (shopper, token) = browserWithToken(application)
        XCTAssertEqual(post(shopper, "/cart/add/\(teaID)/", Self.multipart([("csrfmiddlewaretoken", token), ("quantity", "3")])).status, 302)
        XCTAssertEqual(post(shopper, "/cart/add/\(teaID)/", Self.multipart([("quantity", "3")])).status, 403)
        XCTAssertEqual(post(shopper, "/cart/add/\(teaID)/", Self.multipart([("csrfmiddlewaretoken", token), ("quantity", "0")])).status, 400)
    }

    func testBrokenAndOversizedBodiesAre4xxAndChangeNothing() throws {
        let application = try uploadApplication { settings in
            settings.uploadLimits.maxFields = 10
            settings.uploadLimits.maxFileBytes = 1000
        }
        let (shopper, token) = browserWithToken(application)
        let good = Self.multipart([("csrfmiddlewaretoken", token), ("category", "\(categoryID)"), ("name", "Oolong"), ("slug", "oolong"),
                                   ("price", "12.50")])
        let cases: [(String, [UInt8], Int)] = [
            ("truncated", Array(good.dropLast(30)), 400),
            ("too many fields", Self.multipart([("csrfmiddlewaretoken", token)] + (0..<10).map { ("f\($0)", "x") }), 400),
            ("a file over the cap", Self.multipart([("csrfmiddlewaretoken", token)], files: [("image", "a.png", Self.png + [UInt8](repeating: 0, count: 1000))]), 413),
            ("broken UTF-8", Self.multipart([("csrfmiddlewaretoken", token), ("name", "caf\u{E9}")]).map { $0 == 0xC3 ? 0xFF : $0 }, 400),
        ]
        let before = try database.scalar("SELECT count(*) FROM shop_product", as: Int.self)
        for (name, body, status) in cases {
            XCTAssertEqual(post(shopper, "/upload/", body).status, status, name)
        }
        XCTAssertEqual(post(shopper, "/upload/", good, boundary: "other").status, 400, "the wrong boundary")
        XCTAssertEqual(try database.scalar("SELECT count(*) FROM shop_product", as: Int.self), before)
        XCTAssertEqual(post(shopper, "/upload/", good).status, 201, "and the good body still works")
    }

    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
        + [0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xDE]
}

/// Django's field-count and memory caps hold for urlencoded bodies as well.
final class UrlencodedLimitTests: AppTestCase {
    func testTooManyFieldsOrTooManyBytesAre400() throws {
        let application = try makeApplication { settings in
            settings.uploadLimits.maxFields = 5
            settings.uploadLimits.maxFieldBytes = 2048
        }
        let shopper = browser().copy(to: application)
        let token = shopper.csrfToken()
        XCTAssertEqual(shopper.post("/cart/add/\(teaID)/", form: [("csrfmiddlewaretoken", token), ("quantity", "1")] + (0..<3).map { ("x\($0)", "") }).status, 302)
        XCTAssertEqual(shopper.post("/cart/add/\(teaID)/", form: [("csrfmiddlewaretoken", token), ("quantity", "1")] + (0..<4).map { ("x\($0)", "") }).status, 400)
        XCTAssertEqual(shopper.post("/cart/add/\(teaID)/", form: [("csrfmiddlewaretoken", token), ("quantity", "1"), ("pad", String(repeating: "x", count: 2048))]).status, 400)
        XCTAssertEqual(cartLines(shopper), [teaID: 1])
    }
}
