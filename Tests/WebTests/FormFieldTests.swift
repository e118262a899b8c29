@testable import Web
import Foundation
import XCTest

/// Each field kind cleans as Django's field of that class: the typed value, or Django's messages.
final class FormFieldTests: XCTestCase {
    func clean(_ field: FormField, _ text: String?) -> Result<FormValue, FormField.Errors> {
        field.clean(FormField.Input(text: text))
    }

    func assertValue(_ field: FormField, _ text: String?, _ expected: FormValue, _ note: String = "", file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(try clean(field, text).get(), expected, "\(text.debugDescription) \(note)", file: file, line: line)
    }

    func assertErrors(_ field: FormField, _ text: String?, _ expected: [String], _ note: String = "", file: StaticString = #filePath, line: UInt = #line) {
        switch clean(field, text) {
        case .success(let value): XCTFail("\(text.debugDescription) was accepted as \(value)", file: file, line: line)
        case .failure(let errors): XCTAssertEqual(errors.messages, expected, "\(text.debugDescription) \(note)", file: file, line: line)
        }
    }

    func testRequiredAndEmptyValues() {
        for field in [FormField.char("name", maxLength: 50), .integer("n"), .decimal("price"), .email("email"), .slug("slug"),
                      .choice("size", [.init("s")]), .modelChoice("product", .init([(1, "Tea")]))] {
            for empty in [nil, "", "   "] where !(field.kind.isChoice && empty == "   ") {
                assertErrors(field, empty, ["This field is required."])
            }
        }
        var optional = FormField.char("note", maxLength: 5)
        optional.required = false
        assertValue(optional, nil, .string(""))
        assertValue(.integer("n", required: false), " ", .null)
        assertValue(.decimal("price", required: false), "", .null)
    }

    func testCharField() {
        let field = FormField.char("name", maxLength: 50, minLength: 2)
        assertValue(field, "  Ann \n", .string("Ann"))
        assertValue(field, String(repeating: "é", count: 50), .string(String(repeating: "é", count: 50)))
        assertErrors(field, String(repeating: "é", count: 51), ["Ensure this value has at most 50 characters (it has 51)."])
        assertErrors(field, "a", ["Ensure this value has at least 2 characters (it has 1)."])
        assertErrors(field, "a\u{0}b", ["Null characters are not allowed."])
        assertErrors(.char("x", maxLength: 1), "ab", ["Ensure this value has at most 1 character (it has 2)."])
        var raw = FormField.char("raw")
        raw.strip = false
        assertValue(raw, " a ", .string(" a "))
    }

    func testEmailAndSlug() {
        let email = FormField.email("email", maxLength: 254)
        assertValue(email, " ann@example.com ", .string("ann@example.com"))
        assertErrors(email, "nope", ["Enter a valid email address."])
        assertErrors(email, String(repeating: "a", count: 243) + "@example.com", ["Ensure this value has at most 254 characters (it has 255)."])
        assertErrors(email, "a\u{0}b@example.com", ["Null characters are not allowed."])
        let slug = FormField.slug("slug", maxLength: 12)
        assertValue(slug, "green-tea_2", .string("green-tea_2"))
        for bad in ["green tea", "thé", "a/b", "a.b"] {
            assertErrors(slug, bad, ["Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."])
        }
        assertErrors(slug, "green tea and more", ["Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.",
                                                  "Ensure this value has at most 12 characters (it has 18)."])
    }

    func testIntegerField() {
        let field = FormField.integer("quantity", min: 1, max: 20)
        assertValue(field, "3", .int(3))
        assertValue(field, " +3 ", .int(3))
        assertValue(field, "03", .int(3))
        assertValue(field, "3.0", .int(3), "Django drops a trailing .0")
        for bad in ["abc", "1.5", "1e1", "0x3", "٣", "3 3", "99999999999999999999999", "-", "."] {
            assertErrors(field, bad, ["Enter a whole number."])
        }
        assertErrors(field, "0", ["Ensure this value is greater than or equal to 1."])
        assertErrors(field, "-5", ["Ensure this value is greater than or equal to 1."])
        assertErrors(field, "21", ["Ensure this value is less than or equal to 20."])
    }

    func testDecimalField() {
        let price = FormField.decimal("price", maxDigits: 10, decimalPlaces: 2, min: 0, max: Decimal(string: "99999999.99"))
        assertValue(price, "12.50", .decimal(Decimal(string: "12.5")!))
        assertValue(price, " 0.01 ", .decimal(Decimal(string: "0.01")!))
        assertValue(price, "99999999.99", .decimal(Decimal(string: "99999999.99")!))
        assertValue(price, "1e2", .decimal(100))
        assertValue(price, ".5", .decimal(Decimal(string: "0.5")!))
        for bad in ["abc", "1,50", "1.2.3", "NaN", "Infinity", "-inf", "1e", "$5", "١٢"] {
            assertErrors(price, bad, ["Enter a number."])
        }
        assertErrors(price, "1.999", ["Ensure that there are no more than 2 decimal places."])
        assertErrors(price, "1.500", ["Ensure that there are no more than 2 decimal places."], "trailing zeros count, as in Django")
        assertErrors(price, "-1", ["Ensure this value is greater than or equal to 0."])
        assertErrors(price, "100000000", ["Ensure this value is less than or equal to 99999999.99.",
                                          "Ensure that there are no more than 8 digits before the decimal point."])
        assertErrors(price, "12345678901.5", ["Ensure this value is less than or equal to 99999999.99.",
                                              "Ensure that there are no more than 10 digits in total."])
        assertErrors(price, String(repeating: "9", count: 60), ["Ensure that there are no more than 10 digits in total."])
        let onePlace = FormField.decimal("x", maxDigits: 1, decimalPlaces: 1)
        assertErrors(onePlace, "0.25", ["Ensure that there are no more than 1 digit in total."])
    }

    func testChoiceFields() {
        let size = FormField.choice("size", [.init("s", "Small"), .init("m", "Medium")])
        assertValue(size, "m", .string("m"))
        assertErrors(size, "xl", ["Select a valid choice. xl is not one of the available choices."])
        let quantity = FormField.intChoice("quantity", 1...20)
        assertValue(quantity, "20", .int(20))
        for bad in ["0", "21", "03", " 3", "+3", "3.0"] {
            assertErrors(quantity, bad, ["Select a valid choice. \(bad) is not one of the available choices."])
        }
        let product = FormField.modelChoice("product", .init([(7, "Tea"), (9, "Cup")]))
        assertValue(product, "9", .int(9))
        for bad in ["8", "abc", "9.5", "-7"] {
            assertErrors(product, bad, ["Select a valid choice. That choice is not one of the available choices."])
        }
    }

    func testBooleanField() {
        let box = FormField.boolean("available")
        for (text, value) in [(nil, false), ("", false), ("on", true), ("True", true), ("false", false), ("0", false), ("1", true)] as [(String?, Bool)] {
            assertValue(box, text, .bool(value))
        }
        assertErrors(.boolean("agree", required: true), nil, ["This field is required."])
        let strict = FormField.boolean("override", strict: true)
        assertValue(strict, "TRUE", .bool(true))
        assertErrors(strict, "yes", ["Select a valid choice. yes is not one of the available choices."])
    }

    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
        + [0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xDE]

    func testImageFieldChecksTheBytesAndTheSize() throws {
        let field = FormField.image("image", maxBytes: 100)
        func upload(_ bytes: [UInt8], name: String = "x.png") -> FormField.Input {
            FormField.Input(file: UploadedFile(fieldName: "image", clientFilename: name, contentType: "image/png", data: bytes))
        }
        XCTAssertEqual(try field.clean(upload(Self.png)).get().file?.data, Self.png)
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16] + Array("JFIF".utf8)
        let gif = Array("GIF89a".utf8) + [1, 0, 1, 0, 0, 0, 0]
        let webp = Array("RIFF".utf8) + [30, 0, 0, 0] + Array("WEBPVP8 ".utf8) + [0, 0]
        for image in [jpeg, gif, webp] { XCTAssertNotNil(try? field.clean(upload(image)).get().file) }
        let invalid = "Upload a valid image. The file you uploaded was either not an image or a corrupted image."
        for bad in [Array("<svg onload=alert(1)>".utf8), Array("GIF89a".utf8), Array(Self.png.prefix(20)), Array("RIFF....WEBPXXXX".utf8)] {
            XCTAssertEqual(field.clean(upload(bad, name: "evil.png")).failure, [invalid])
        }
        XCTAssertEqual(field.clean(upload([])).failure, ["The submitted file is empty."])
        XCTAssertEqual(field.clean(upload(Self.png + [UInt8](repeating: 0, count: 100))).failure,
                       ["Ensure this file has at most 100 bytes (it has 133)."])
        // No file: required, or the stored one kept; the clear box empties an optional field.
        XCTAssertEqual(field.clean(FormField.Input()).failure, ["This field is required."])
        XCTAssertEqual(try field.clean(FormField.Input(), initial: .string("products/a.png")).get(), .string("products/a.png"))
        let optional = FormField.image("image", required: false)
        XCTAssertEqual(try optional.clean(FormField.Input(clear: true), initial: .string("products/a.png")).get(), .null)
        XCTAssertEqual(optional.clean(FormField.Input(file: upload(Self.png).file, clear: true)).failure,
                       ["Please either submit a file or check the clear checkbox, not both."])
    }

    func testExtraValidatorsRunAfterTheBuiltInOnes() {
        var field = FormField.char("name", maxLength: 5)
        field.validators = [.init { $0.string == "admin" ? "That name is reserved." : nil }]
        assertErrors(field, "admin", ["That name is reserved."])
        assertErrors(field, "administrator", ["Ensure this value has at most 5 characters (it has 13).", ])
        assertValue(field, "ann", .string("ann"))
    }
}

extension FormField.Kind {
    var isChoice: Bool {
        switch self {
        case .choice, .intChoice: true
        default: false
        }
    }
}

extension Result where Failure == FormField.Errors {
    var failure: [String]? { if case .failure(let errors) = self { errors.messages } else { nil } }
}
