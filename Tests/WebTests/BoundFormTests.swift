@testable import Web
import Foundation
import XCTest

/// A bound form keeps the input, types the valid values, and hands templates its errors.
final class BoundFormTests: XCTestCase {
    static let signup = Form([
        .char("name", maxLength: 10),
        .email("email"),
        .integer("age", min: 18, required: false),
        .char("password", maxLength: 50),
        .char("password2", maxLength: 50, label: "Password (again)"),
    ], clean: { form in
        if let first = form["password"], let second = form["password2"], first != second {
            form.addError("password2", "The two password fields didn’t match.")
        }
        if form["name"]?.string == "root", form["email"] != nil {
            form.addError(nil, "Root may not sign up.")
        }
    })

    func data(_ pairs: [(String, String)]) -> FormData { FormData(pairs: pairs.map { (name: $0.0, value: $0.1) }) }

    func testValidFormHasTypedCleanedValues() {
        let form = Self.signup.bind(data([("name", " Ann "), ("email", "ann@example.com"), ("age", "30"),
                                          ("password", "secret"), ("password2", "secret")]))
        XCTAssertTrue(form.isValid)
        XCTAssertEqual(form["name"], .string("Ann"))
        XCTAssertEqual(form["age"], .int(30))
        XCTAssertEqual(form.changedFields, ["name", "email", "age", "password", "password2"])
    }

    func testErrorsAreKeptPerFieldWithTheInput() {
        let form = Self.signup.bind(data([("name", "<b>Ann</b> the Great"), ("email", "nope"), ("age", "x"),
                                          ("password", "a"), ("password2", "b")]))
        XCTAssertFalse(form.isValid)
        XCTAssertEqual(form.errors["name"], ["Ensure this value has at most 10 characters (it has 20)."])
        XCTAssertEqual(form.errors["email"], ["Enter a valid email address."])
        XCTAssertEqual(form.errors["age"], ["Enter a whole number."])
        XCTAssertEqual(form.errors["password2"], ["The two password fields didn’t match."], "clean() ran although fields had failed")
        XCTAssertNil(form["password2"], "add_error removes the value from cleaned")
        XCTAssertEqual(form["password"], .string("a"))

        let model = form.viewModel
        let name = (model["field"] as! [String: Any])["name"] as! [String: Any]
        XCTAssertEqual(name["value"] as? String, "<b>Ann</b> the Great", "the raw input, for the template to escape")
        XCTAssertEqual(name["has_errors"] as? Bool, true)
        XCTAssertEqual(name["errors_html"] as? String,
                       "<ul class=\"errorlist\" id=\"id_name_error\"><li>Ensure this value has at most 10 characters (it has 20).</li></ul>")
        let second = (model["fields"] as! [[String: Any]])[4]
        XCTAssertEqual(second["label"] as? String, "Password (again)")
        XCTAssertEqual(second["id"] as? String, "id_password2")
        XCTAssertEqual(second["required_attribute"] as? Bool, true)
        XCTAssertEqual((model["fields"] as! [[String: Any]])[2]["has_errors"] as? Bool, true)
        XCTAssertEqual(model["has_non_field_errors"] as? Bool, false)
    }

    func testNonFieldErrorsAndTheirMarkup() {
        let form = Self.signup.bind(data([("name", "root"), ("email", "r@example.com"), ("password", "a"), ("password2", "a")]))
        XCTAssertFalse(form.isValid)
        XCTAssertTrue(form.errors.isEmpty)
        XCTAssertEqual(form.nonFieldErrors, ["Root may not sign up."])
        XCTAssertEqual(form.viewModel["non_field_errors_html"] as? String,
                       "<ul class=\"errorlist nonfield\"><li>Root may not sign up.</li></ul>")
    }

    func testTheTemplateEscapesTheInputAndTheErrors() throws {
        let source = """
            {{#form.fields}}<p>{{label}} <input name="{{name}}" value="{{value}}">{{#has_errors}}<ul class="errorlist">{{#errors}}<li>{{text}}</li>{{/errors}}</ul>{{/has_errors}}</p>{{/form.fields}}
            """
        let form = Form([.choice("size", [.init("s")])]).bind(data([("size", "<script>")]))
        let engine = TemplateEngine(templates: ["page": try TemplateParser.parse(source)])
        let html = String(decoding: try engine.renderBytes("page", TemplateValue(["form": form.viewModel])), as: UTF8.self)
        XCTAssertEqual(html, "<p>Size <input name=\"size\" value=\"&lt;script&gt;\"><ul class=\"errorlist\"><li>Select a valid choice. &lt;script&gt; is not one of the available choices.</li></ul></p>")
    }

    func testUnboundFormShowsInitialValuesAndIsNotValid() {
        let form = Form([.char("name"), .decimal("price", maxDigits: 10, decimalPlaces: 2), .boolean("available"),
                         .modelChoice("category", .init([(1, "Tea"), (2, "Cups")]))])
            .unbound(initial: ["name": .string("Green"), "price": .decimal(Decimal(string: "12.5")!), "available": .bool(true),
                               "category": .int(2)])
        XCTAssertFalse(form.isValid)
        XCTAssertFalse(form.hasErrors)
        let fields = form.viewModel["fields"] as! [[String: Any]]
        XCTAssertEqual(fields[0]["value"] as? String, "Green")
        XCTAssertEqual(fields[1]["value"] as? String, "12.50", "numeric(10,2) shows its two places")
        XCTAssertEqual(fields[2]["checked"] as? Bool, true)
        XCTAssertEqual(fields[2]["is_checkbox"] as? Bool, true)
        let options = fields[3]["options"] as! [[String: Any]]
        XCTAssertEqual(options.map { $0["value"] as? String }, ["1", "2"], "required with an initial value: no empty option")
        XCTAssertEqual(options.map { $0["selected"] as? Bool }, [false, true])
    }

    func testHasChangedComparesWithTheInitialValues() {
        let form = Form([.char("name"), .decimal("price", maxDigits: 10, decimalPlaces: 2), .boolean("available"), .integer("stock", required: false)])
        let initial: [String: FormValue] = ["name": .string("Tea"), "price": .decimal(Decimal(string: "1.5")!), "available": .bool(true)]
        let same = form.bind(data([("name", " Tea "), ("price", "1.50"), ("available", "on"), ("stock", "")]), initial: initial)
        XCTAssertFalse(same.hasChanged)
        let changed = form.bind(data([("name", "Tea"), ("price", "1.50")]), initial: initial)
        XCTAssertEqual(changed.changedFields, ["available"], "an unticked box is a change from True")
    }

    func testEmptyPermittedFormIsNotValidatedWhenUnchanged() {
        let form = Form([.char("name"), .integer("quantity")])
        let untouched = form.bind(data([]), emptyPermitted: true)
        XCTAssertTrue(untouched.isValid)
        XCTAssertTrue(untouched.isSkipped)
        XCTAssertTrue(untouched.cleaned.isEmpty)
        let touched = form.bind(data([("quantity", "2")]), emptyPermitted: true)
        XCTAssertFalse(touched.isValid)
        XCTAssertEqual(touched.errors["name"], ["This field is required."])
    }

    func testPrefixedNames() {
        let form = Form([.integer("quantity")], prefix: "items-3").bind(data([("quantity", "1"), ("items-3-quantity", "7")]))
        XCTAssertEqual(form["quantity"], .int(7))
        XCTAssertEqual((form.viewModel["fields"] as! [[String: Any]])[0]["id"] as? String, "id_items-3-quantity")
    }
}
