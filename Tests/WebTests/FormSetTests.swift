@testable import Web
import Foundation
import XCTest

/// Formsets as Django's: the management form, extra rows, deletion, and every kind of bad row or count.
final class FormSetTests: XCTestCase {
    /// The admin's order items inline.
    static func items(ids: [Int] = [11, 12], products: [(Int, String)] = [(1, "Tea"), (2, "Cup")], extra: Int = 1,
                      maxNum: Int? = nil, minNum: Int = 0, validateMin: Bool = false, validateMax: Bool = false) -> FormSet {
        FormSet(Form([
            .modelChoice("product", .init(products)),
            .decimal("price", maxDigits: 10, decimalPlaces: 2, min: 0),
            .integer("quantity", min: 1),
        ]), prefix: "items", extra: extra, minNum: minNum, maxNum: maxNum, validateMin: validateMin, validateMax: validateMax,
        canDelete: true, rowIDs: .init(ids: ids))
    }

    static let initial: [[String: FormValue]] = [
        ["id": .int(11), "product": .int(1), "price": .decimal(Decimal(string: "3.5")!), "quantity": .int(2)],
        ["id": .int(12), "product": .int(2), "price": .decimal(10), "quantity": .int(1)],
    ]

    func post(total: String? = "3", initial: String? = "2", rows: [[String: String]], extra: [(String, String)] = []) -> FormData {
        var pairs: [(name: String, value: String)] = []
        if let total { pairs.append(("items-TOTAL_FORMS", total)) }
        if let initial { pairs.append(("items-INITIAL_FORMS", initial)) }
        pairs.append(("items-MIN_NUM_FORMS", "0"))
        pairs.append(("items-MAX_NUM_FORMS", "1000"))
        for (index, row) in rows.enumerated() {
            for (name, value) in row.sorted(by: { $0.key < $1.key }) { pairs.append(("items-\(index)-\(name)", value)) }
        }
        return FormData(pairs: pairs + extra.map { (name: $0.0, value: $0.1) })
    }

    static let row0 = ["id": "11", "product": "1", "price": "3.50", "quantity": "2"]
    static let row1 = ["id": "12", "product": "2", "price": "10.00", "quantity": "1"]
    static let blank = ["id": "", "product": "", "price": "", "quantity": ""]

    func bind(_ data: FormData, _ formSet: FormSet = items()) -> BoundFormSet {
        formSet.bind(data, initial: Self.initial)
    }

    func testUnchangedSubmissionIsValidAndTheExtraRowIsSkipped() {
        let formSet = bind(post(rows: [Self.row0, Self.row1, Self.blank]))
        XCTAssertTrue(formSet.isValid, "\(formSet.nonFormErrors) \(formSet.rows.map(\.form.errors))")
        XCTAssertEqual(formSet.rows.count, 3)
        XCTAssertEqual(formSet.rows.map(\.isInitial), [true, true, false])
        XCTAssertEqual(formSet.rows.map(\.isSkipped), [false, false, true])
        XCTAssertEqual(formSet.rows.map { $0.form.hasChanged }, [false, false, false])
        XCTAssertEqual(formSet.rowsToSave.map(\.id), [11, 12])
    }

    func testChangesAddsAndDeletes() {
        var changed = Self.row0
        changed["quantity"] = "5"
        var deleted = Self.row1
        deleted["DELETE"] = "on"
        let added = ["product": "2", "price": "4.25", "quantity": "3"]
        let formSet = bind(post(rows: [changed, deleted, added]))
        XCTAssertTrue(formSet.isValid)
        XCTAssertEqual(formSet.rows[0].form.changedFields, ["quantity"])
        XCTAssertEqual(formSet.deletedRows.map(\.id), [12])
        XCTAssertEqual(formSet.rowsToSave.map(\.index), [0, 2])
        XCTAssertEqual(formSet.rows[2].form["price"], .decimal(Decimal(string: "4.25")!))
        XCTAssertNil(formSet.rows[2].id)
    }

    func testADeletedRowIsNotValidated() {
        let formSet = bind(post(rows: [["id": "11", "quantity": "abc", "DELETE": "on"], Self.row1]))
        XCTAssertTrue(formSet.isValid)
        XCTAssertEqual(formSet.deletedRows.map(\.index), [0])
    }

    func testEveryKindOfInvalidRow() {
        let cases: [(row: [String: String], field: String, message: String)] = [
            (["product": "", "price": "1", "quantity": "1"], "product", "This field is required."),
            (["product": "99", "price": "1", "quantity": "1"], "product", "Select a valid choice. That choice is not one of the available choices."),
            (["product": "1", "price": "", "quantity": "1"], "price", "This field is required."),
            (["product": "1", "price": "abc", "quantity": "1"], "price", "Enter a number."),
            (["product": "1", "price": "1.999", "quantity": "1"], "price", "Ensure that there are no more than 2 decimal places."),
            (["product": "1", "price": "-1", "quantity": "1"], "price", "Ensure this value is greater than or equal to 0."),
            (["product": "1", "price": "1", "quantity": "0"], "quantity", "Ensure this value is greater than or equal to 1."),
            (["product": "1", "price": "1", "quantity": "1.5"], "quantity", "Enter a whole number."),
            (["product": "1", "price": "1", "quantity": ""], "quantity", "This field is required."),
            (["id": "999", "product": "1", "price": "1", "quantity": "1"], "id", "Select a valid choice. That choice is not one of the available choices."),
            (["id": "x", "product": "1", "price": "1", "quantity": "1"], "id", "Select a valid choice. That choice is not one of the available choices."),
        ]
        for (row, field, message) in cases {
            // As an extra row and as a change to an initial row.
            let asExtra = bind(post(rows: [Self.row0, Self.row1, row]))
            XCTAssertFalse(asExtra.isValid, "\(row)")
            XCTAssertEqual(asExtra.rows[2].form.errors, [field: [message]], "\(row)")
            XCTAssertTrue(asExtra.rows[0].form.errors.isEmpty && asExtra.rows[1].form.errors.isEmpty)
            var initialRow = row
            if initialRow["id"] == nil { initialRow["id"] = "11" }
            let asInitial = bind(post(rows: [initialRow, Self.row1, Self.blank]))
            XCTAssertEqual(asInitial.rows[0].form.errors, [field: [message]], "\(row)")
            XCTAssertFalse(asInitial.isValid)
            let html = asInitial.viewModel
            let rows = html["rows"] as! [[String: Any]]
            XCTAssertEqual(rows[0]["has_errors"] as? Bool, true)
            XCTAssertEqual(rows[1]["has_errors"] as? Bool, false)
        }
        // An initial row emptied is invalid (not skipped: only extra rows may stay empty).
        let emptied = bind(post(rows: [["id": "11"], Self.row1, Self.blank]))
        XCTAssertEqual(Set(emptied.rows[0].form.errors.keys), ["product", "price", "quantity"])
    }

    func testAMissingOrTamperedManagementFormIsANonFormError() {
        let message = { (fields: String) in
            "ManagementForm data is missing or has been tampered with. Missing fields: \(fields). You may need to file a bug report if the issue persists."
        }
        let cases: [(total: String?, initial: String?, missing: String)] = [
            (nil, nil, "items-TOTAL_FORMS, items-INITIAL_FORMS"),
            (nil, "2", "items-TOTAL_FORMS"),
            ("3", nil, "items-INITIAL_FORMS"),
            ("abc", "2", "items-TOTAL_FORMS"),
            ("-1", "2", "items-TOTAL_FORMS"),
            ("3", "-5", "items-INITIAL_FORMS"),
            ("", "", "items-TOTAL_FORMS, items-INITIAL_FORMS"),
            ("99999999999999999999999999", "0", "items-TOTAL_FORMS"),
            ("1e9", "0", "items-TOTAL_FORMS"),
        ]
        for (total, initial, missing) in cases {
            let formSet = bind(post(total: total, initial: initial, rows: [Self.row0, Self.row1]))
            XCTAssertFalse(formSet.isValid)
            XCTAssertEqual(formSet.nonFormErrors, [message(missing)], "\(total.debugDescription) \(initial.debugDescription)")
            XCTAssertEqual(formSet.managementError, message(missing))
            XCTAssertTrue(formSet.rows.isEmpty, "no row is built from a bad management form")
            XCTAssertEqual(formSet.viewModel["non_form_errors_html"] as? String,
                           "<ul class=\"errorlist nonform\"><li>\(message(missing))</li></ul>")
        }
        // MIN/MAX_NUM_FORMS are ignored on POST, even when nonsense.
        let ignored = bind(FormData(pairs: [("items-TOTAL_FORMS", "0"), ("items-INITIAL_FORMS", "0"), ("items-MAX_NUM_FORMS", "x")]))
        XCTAssertTrue(ignored.isValid)
    }

    func testAHugeTotalBuildsAtMostAbsoluteMaxRows() {
        let formSet = bind(post(total: "9223372036854775807", initial: "0", rows: []), Self.items(maxNum: 3))
        XCTAssertEqual(formSet.rows.count, 1003, "absolute_max = max_num + 1000")
        XCTAssertEqual(formSet.nonFormErrors, ["Please submit at most 3 forms."])
        XCTAssertFalse(formSet.isValid)
        XCTAssertNil(formSet.managementError)
    }

    func testMaxAndMinNum() {
        let tooMany = bind(post(total: "3", initial: "2", rows: [Self.row0, Self.row1, ["product": "1", "price": "1", "quantity": "1"]]),
                           Self.items(maxNum: 2, validateMax: true))
        XCTAssertEqual(tooMany.nonFormErrors, ["Please submit at most 2 forms."])
        var deleted = Self.row1
        deleted["DELETE"] = "on"
        let deletedOne = bind(post(total: "3", initial: "2", rows: [Self.row0, deleted, ["product": "1", "price": "1", "quantity": "1"]]),
                              Self.items(maxNum: 2, validateMax: true))
        XCTAssertTrue(deletedOne.isValid, "deleted rows do not count")
        let tooFew = bind(post(total: "3", initial: "2", rows: [Self.row0, deleted, Self.blank]), Self.items(minNum: 2, validateMin: true))
        XCTAssertEqual(tooFew.nonFormErrors, ["Please submit at least 2 forms."])
        let nothing = Self.items(minNum: 1, validateMin: true).bind(post(total: "1", initial: "0", rows: [Self.blank]))
        XCTAssertEqual(nothing.nonFormErrors, ["Please submit at least 1 form."])
        XCTAssertEqual(nothing.rows[0].form.errors["product"], ["This field is required."], "rows below min_num are not empty-permitted")
    }

    func testCleanHookAndRowErrorsFromTheView() {
        var formSet = Self.items()
        formSet.clean = { formSet in
            let products = formSet.rowsToSave.compactMap { $0.form["product"]?.int }
            if Set(products).count != products.count { formSet.addNonFormError("Please correct the duplicate data for product.") }
        }
        var bound = bind(post(rows: [Self.row0, ["id": "12", "product": "1", "price": "1", "quantity": "1"], Self.blank]), formSet)
        XCTAssertEqual(bound.nonFormErrors, ["Please correct the duplicate data for product."])
        XCTAssertFalse(bound.isValid)
        bound = bind(post(rows: [Self.row0, Self.row1, Self.blank]), formSet)
        XCTAssertTrue(bound.isValid)
        bound.addError(row: 1, field: "quantity", "Only 3 left.")
        XCTAssertFalse(bound.isValid)
    }

    func testInitialByIDComparesAReorderedRowWithItsObject() {
        let initialByID = Dictionary(uniqueKeysWithValues: Self.initial.map { ($0["id"]!.int!, $0) })
        let swapped = Self.items().bind(post(rows: [Self.row1, Self.row0, Self.blank]), initial: Self.initial, initialByID: initialByID)
        XCTAssertTrue(swapped.isValid)
        XCTAssertEqual(swapped.rows.map { $0.form.hasChanged }, [false, false, false])
    }

    func testUnboundFormSetAndItsTemplateValues() {
        let formSet = Self.items(extra: 2).unbound(initial: Self.initial)
        XCTAssertEqual(formSet.rows.count, 4)
        XCTAssertFalse(formSet.isValid)
        let model = formSet.viewModel
        XCTAssertEqual(model["management_html"] as? String,
                       "<input type=\"hidden\" name=\"items-TOTAL_FORMS\" value=\"4\" id=\"id_items-TOTAL_FORMS\">"
                       + "<input type=\"hidden\" name=\"items-INITIAL_FORMS\" value=\"2\" id=\"id_items-INITIAL_FORMS\">"
                       + "<input type=\"hidden\" name=\"items-MIN_NUM_FORMS\" value=\"0\" id=\"id_items-MIN_NUM_FORMS\">"
                       + "<input type=\"hidden\" name=\"items-MAX_NUM_FORMS\" value=\"1000\" id=\"id_items-MAX_NUM_FORMS\">")
        let rows = model["rows"] as! [[String: Any]]
        XCTAssertEqual(rows[0]["id"] as? String, "11")
        let product = (rows[3]["fields"] as! [[String: Any]])[0]
        XCTAssertEqual(product["required"] as? Bool, true)
        XCTAssertEqual(product["required_attribute"] as? Bool, false, "a blank extra row must stay submittable")
        XCTAssertEqual((rows[1]["id_field"] as! [String: Any])["name"] as? String, "items-1-id")
        XCTAssertEqual((rows[1]["delete_field"] as! [String: Any])["name"] as? String, "items-1-DELETE")
        XCTAssertEqual((rows[0]["data_fields"] as! [[String: Any]]).map { $0["name"] as? String },
                       ["items-0-product", "items-0-price", "items-0-quantity"])
        XCTAssertEqual(((model["empty_form"] as! [String: Any])["fields"] as! [[String: Any]])[0]["name"] as? String,
                       "items-__prefix__-product")
        // max_num caps the extra rows, never the initial ones.
        XCTAssertEqual(Self.items(extra: 3, maxNum: 3).unbound(initial: Self.initial).rows.count, 3)
        XCTAssertEqual(Self.items(extra: 3, maxNum: 1).unbound(initial: Self.initial).rows.count, 2)
    }
}
