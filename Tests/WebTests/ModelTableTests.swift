@testable import Web
import Foundation
import Postgres
import TestSupport
import XCTest

/// A model form derived from a table declaration, saved with the parameterized
/// INSERT/UPDATE it builds, into a real PostgreSQL table.
final class ModelTableTests: DatabaseTestCase {
    static let table = ModelTable("forms_test_item", [
        .init("parent", .foreignKey),
        .init("name", .varchar(20)),
        .init("slug", .slug(20)),
        .init("email", .email(254), blank: true),
        .init("notes", .text, blank: true),
        .init("nickname", .varchar(10), nullable: true, blank: true),
        .init("price", .numeric(precision: 10, scale: 2, min: 0, max: nil)),
        .init("stock", .integer(min: 0, max: 1000)),
        .init("size", .varchar(1), choices: [.init("s", "Small"), .init("l", "Large")]),
        .init("active", .boolean, default: .bool(true)),
        .init("image", .image(maxLength: 100, maxBytes: 1000), blank: true),
    ])

    var database: PostgresConnection!

    override func setUpWithError() throws {
        try super.setUpWithError()
        database = checkConnection()
        try database.executeScript("""
            DROP TABLE IF EXISTS forms_test_item;
            CREATE TABLE forms_test_item (
                id bigserial PRIMARY KEY, parent_id bigint NOT NULL, name varchar(20) NOT NULL, slug varchar(20) NOT NULL,
                email varchar(254) NOT NULL, notes text NOT NULL, nickname varchar(10) NULL, price numeric(10, 2) NOT NULL,
                stock integer NOT NULL, size varchar(1) NOT NULL, active boolean NOT NULL, image varchar(100) NOT NULL DEFAULT ''
            );
            """)
    }

    func data(_ pairs: [String: String]) -> FormData { FormData(pairs: pairs.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }) }

    func testTheDerivedFormMatchesTheColumns() {
        let form = Self.table.form(rows: ["parent": .init([(1, "One")])])
        XCTAssertEqual(form.fields.map(\.name), ["parent", "name", "slug", "email", "notes", "nickname", "price", "stock", "size", "active", "image"])
        XCTAssertEqual(form.fields.map(\.required), [true, true, true, false, false, false, true, true, true, false, false])
        XCTAssertEqual(form["name"]?.maxLength, 20)
        XCTAssertEqual(form["notes"]?.widget, .textarea)
        XCTAssertEqual(form["size"]?.widget, .select)
        XCTAssertEqual(form["active"]?.initial, .bool(true))
        let bound = form.bind(data(["parent": "2", "name": String(repeating: "x", count: 21), "slug": "a b", "price": "1.234",
                                    "stock": "1001", "size": "m"]))
        XCTAssertEqual(bound.errors, [
            "parent": ["Select a valid choice. That choice is not one of the available choices."],
            "name": ["Ensure this value has at most 20 characters (it has 21)."],
            "slug": ["Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."],
            "price": ["Ensure that there are no more than 2 decimal places."],
            "stock": ["Ensure this value is less than or equal to 1000."],
            "size": ["Select a valid choice. m is not one of the available choices."],
        ])
    }

    func testInsertThenUpdateRoundTrip() throws {
        let form = Self.table.form(rows: ["parent": .init([(1, "One")])])
        let hostile = "x'); DROP TABLE forms_test_item; --"
        let bound = form.bind(data(["parent": "1", "name": "Robert'); --", "slug": "bobby", "notes": hostile, "price": "12.5",
                                    "stock": "3", "size": "s", "active": "on"]))
        XCTAssertTrue(bound.isValid, "\(bound.errors)")
        let insert = try Self.table.insert(bound.cleaned)
        XCTAssertEqual(insert.sql, """
            INSERT INTO "forms_test_item" ("parent_id", "name", "slug", "email", "notes", "nickname", "price", "stock", "size", "active", "image") \
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id
            """)
        let id = try XCTUnwrap(database.scalar(insert.sql, insert.parameters, as: Int.self))
        var row = try XCTUnwrap(database.queryOne("SELECT * FROM forms_test_item WHERE id = $1", [id]))
        XCTAssertEqual(row["notes"], hostile)
        XCTAssertEqual(row["email"], "", "an empty text column stores ''")
        XCTAssertNil(row["nickname"], "a nullable one stores NULL")
        XCTAssertEqual(row["price"], "12.50")

        // The change page: the row as initial values; an unchanged submission has no changes.
        let initial = try Self.table.initial(from: row)
        XCTAssertEqual(initial["price"], .decimal(Decimal(string: "12.5")!))
        XCTAssertEqual(initial["active"], .bool(true))
        XCTAssertEqual(initial["parent"], .int(1))
        let same = form.bind(data(["parent": "1", "name": "Robert'); --", "slug": "bobby", "notes": hostile, "price": "12.50",
                                   "stock": "3", "size": "s", "active": "on"]), initial: initial)
        XCTAssertEqual(same.changedFields, [])
        let changed = form.bind(data(["parent": "1", "name": "Bob", "slug": "bobby", "price": "0", "stock": "0", "size": "l"]), initial: initial)
        XCTAssertEqual(changed.changedFields, ["name", "notes", "price", "stock", "size", "active"])
        let nothing = try Self.table.update(id: id, same.cleaned, columns: same.changedFields)
        XCTAssertEqual(nothing.sql, #"UPDATE "forms_test_item" SET id = id WHERE id = $1"#, "nothing changed: no crash, nothing written")
        XCTAssertEqual(try database.execute(nothing.sql, nothing.parameters), 1)
        let update = try Self.table.update(id: id, changed.cleaned, columns: changed.changedFields)
        XCTAssertEqual(update.sql, #"UPDATE "forms_test_item" SET "name" = $1, "notes" = $2, "price" = $3, "stock" = $4, "size" = $5, "active" = $6 WHERE id = $7"#)
        XCTAssertEqual(try database.execute(update.sql, update.parameters), 1)
        row = try XCTUnwrap(database.queryOne("SELECT * FROM forms_test_item WHERE id = $1", [id]))
        XCTAssertEqual(row["name"], "Bob")
        XCTAssertEqual(row["price"], "0.00")
        XCTAssertEqual(row["active"], "f")
        XCTAssertEqual(try database.scalar("SELECT count(*) FROM forms_test_item", as: Int.self), 1)
    }

    func testAnUploadIsStoredByTheCallerAndAKeptImageStays() throws {
        let form = Self.table.form(["image"])
        let file = UploadedFile(fieldName: "image", clientFilename: "../x.png", contentType: "image/png", data: FormFieldTests.png)
        let bound = form.bind(FormData(), files: UploadedFiles([file]))
        var stored: [String] = []
        let insert = try Self.table.insert(bound.cleaned) { column, upload in
            stored.append(column.name + ":" + upload.clientFilename)
            return "products/abc.png"
        }
        XCTAssertEqual(stored, ["image:../x.png"])
        XCTAssertEqual(insert.parameters.map(\.postgresText), ["products/abc.png"])
        XCTAssertThrowsError(try Self.table.insert(bound.cleaned), "no storage given: never a silent empty name")
        // No new file: the initial one is kept; the clear box empties it.
        let kept = form.bind(FormData(), initial: ["image": .string("products/old.png")])
        XCTAssertEqual(try Self.table.update(id: 1, kept.cleaned).parameters.map(\.postgresText), ["products/old.png", "1"])
        let cleared = form.bind(FormData(pairs: [("image-clear", "on")]), initial: ["image": .string("products/old.png")])
        XCTAssertEqual(try Self.table.update(id: 1, cleared.cleaned).parameters.map(\.postgresText), ["", "1"])
    }
}
