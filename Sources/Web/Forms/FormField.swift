import Foundation

/// One field of a form, as Django's form fields: what it accepts (`kind`),
/// whether it is required, its label, initial value, widget and extra
/// validators. `clean` (FieldCleaning.swift) turns the submitted text into a
/// typed `FormValue` or Django's error messages.
public struct FormField: Sendable {
    public enum Kind: Sendable {
        /// CharField: stripped; at most/at least so many characters; no NUL.
        case text(maxLength: Int?, minLength: Int?)
        /// EmailField (Django's EmailValidator).
        case email(maxLength: Int?)
        /// SlugField: `[-a-zA-Z0-9_]+`.
        case slug(maxLength: Int?)
        /// IntegerField: a whole number within the bounds.
        case integer(min: Int?, max: Int?)
        /// DecimalField: exact, at most `maxDigits` digits, `decimalPlaces` of them after the point.
        case decimal(maxDigits: Int?, decimalPlaces: Int?, min: Decimal?, max: Decimal?)
        /// ChoiceField: one of the values, cleaned as text.
        case choice([Choice])
        /// TypedChoiceField(coerce=int): one of the values, cleaned as an Int.
        case intChoice([Choice])
        /// ModelChoiceField: the id of one of the rows offered, cleaned as an Int.
        case modelChoice(ModelChoices)
        /// BooleanField: absent, "", "false" or "0" (any case) is false, anything else true.
        /// `strict`: only absent, "", "true" or "false" (any case) are accepted.
        case boolean(strict: Bool)
        /// ImageField: a PNG, JPEG, GIF or WebP (by its bytes) of at most `maxBytes`.
        case image(maxBytes: Int)
    }

    /// How a template draws the field (`input_type` and the `is_*` Bools of its view-model).
    public enum Widget: String, Sendable {
        case text, email, number, password, hidden, textarea, select, checkbox, file
    }

    public struct Choice: Sendable, Equatable {
        public var value: String
        public var label: String
        public init(_ value: String, _ label: String? = nil) {
            self.value = value
            self.label = label ?? value
        }
    }

    /// The rows a ModelChoiceField offers: ids with their labels, and the ids as a set to look up.
    public struct ModelChoices: Sendable {
        public let options: [(id: Int, label: String)]
        public let ids: Set<Int>
        public init(_ options: [(id: Int, label: String)]) {
            self.options = options
            self.ids = Set(options.map(\.id))
        }
        /// Only ids (a formset row's hidden `id`).
        public init(ids: some Sequence<Int>) { self.init(ids.map { ($0, String($0)) }) }
    }

    /// An extra check on a non-empty cleaned value (Django's `validators=[...]`):
    /// returns the error message, or nil when the value passes.
    public struct Validator: Sendable {
        public let check: @Sendable (FormValue) -> String?
        public init(_ check: @escaping @Sendable (FormValue) -> String?) { self.check = check }
    }

    public var name: String
    public var label: String
    public var kind: Kind
    public var required: Bool
    public var initial: FormValue
    public var widget: Widget
    public var helpText: String
    public var validators: [Validator]
    /// Surrounding whitespace removed from text (CharField's `strip=True`).
    public var strip: Bool

    public init(_ name: String, _ kind: Kind, label: String? = nil, required: Bool = true, initial: FormValue = .null,
                widget: Widget? = nil, helpText: String = "", validators: [Validator] = [], strip: Bool = true) {
        self.name = name
        self.kind = kind
        self.label = label ?? FormField.label(for: name)
        self.required = required
        self.initial = initial
        self.widget = widget ?? FormField.defaultWidget(for: kind)
        self.helpText = helpText
        self.validators = validators
        self.strip = strip
    }

    /// Django's `pretty_name`: `first_name` → `First name`.
    public static func label(for name: String) -> String {
        let words = name.replacingOccurrences(of: "_", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    static func defaultWidget(for kind: Kind) -> Widget {
        switch kind {
        case .text: .text
        case .email: .email
        case .slug: .text
        case .integer, .decimal: .number
        case .choice, .intChoice, .modelChoice: .select
        case .boolean: .checkbox
        case .image: .file
        }
    }

    /// The `maxlength` a text input shows, if any.
    public var maxLength: Int? {
        switch kind {
        case .text(let max, _), .email(let max), .slug(let max): max
        default: nil
        }
    }

    /// The options a select shows: the value and label of each choice.
    public var choices: [Choice] {
        switch kind {
        case .choice(let choices), .intChoice(let choices): choices
        case .modelChoice(let rows): rows.options.map { Choice(String($0.id), $0.label) }
        default: []
        }
    }

    /// An initial value as the input shows it: a decimal with the field's places
    /// (`12.50` for numeric(10,2), as Django shows the model's value).
    public func displayText(_ value: FormValue) -> String {
        guard case .decimal(_, let places?, _, _) = kind, case .decimal(let number) = value, places > 0 else { return value.displayText }
        var text = number.description
        let present = text.firstIndex(of: ".").map { text.distance(from: $0, to: text.endIndex) - 1 }
        if present == nil { text += "." }
        for _ in (present ?? 0)..<places { text += "0" }
        return text
    }

    public var isFile: Bool { if case .image = kind { true } else { false } }
    public var isBoolean: Bool { if case .boolean = kind { true } else { false } }
}

// Django's field classes by name, for declaring forms briefly.
extension FormField {
    public static func char(_ name: String, maxLength: Int? = nil, minLength: Int? = nil, label: String? = nil,
                            required: Bool = true, initial: FormValue = .null, widget: Widget? = nil) -> FormField {
        FormField(name, .text(maxLength: maxLength, minLength: minLength), label: label, required: required, initial: initial, widget: widget)
    }

    public static func email(_ name: String, maxLength: Int? = 320, label: String? = nil, required: Bool = true) -> FormField {
        FormField(name, .email(maxLength: maxLength), label: label, required: required)
    }

    public static func slug(_ name: String, maxLength: Int? = 50, label: String? = nil, required: Bool = true) -> FormField {
        FormField(name, .slug(maxLength: maxLength), label: label, required: required)
    }

    public static func integer(_ name: String, min: Int? = nil, max: Int? = nil, label: String? = nil,
                               required: Bool = true, initial: FormValue = .null, widget: Widget? = nil) -> FormField {
        FormField(name, .integer(min: min, max: max), label: label, required: required, initial: initial, widget: widget)
    }

    public static func decimal(_ name: String, maxDigits: Int? = nil, decimalPlaces: Int? = nil, min: Decimal? = nil,
                               max: Decimal? = nil, label: String? = nil, required: Bool = true) -> FormField {
        FormField(name, .decimal(maxDigits: maxDigits, decimalPlaces: decimalPlaces, min: min, max: max), label: label, required: required)
    }

    public static func choice(_ name: String, _ choices: [Choice], label: String? = nil, required: Bool = true,
                              initial: FormValue = .null) -> FormField {
        FormField(name, .choice(choices), label: label, required: required, initial: initial)
    }

    public static func intChoice(_ name: String, _ values: some Sequence<Int>, label: String? = nil, required: Bool = true,
                                 initial: FormValue = .null) -> FormField {
        FormField(name, .intChoice(values.map { Choice(String($0)) }), label: label, required: required, initial: initial)
    }

    public static func modelChoice(_ name: String, _ rows: ModelChoices, label: String? = nil, required: Bool = true,
                                   widget: Widget? = nil) -> FormField {
        FormField(name, .modelChoice(rows), label: label, required: required, widget: widget)
    }

    /// Django's BooleanField, which is usually `required=False` (a required one must be checked).
    public static func boolean(_ name: String, label: String? = nil, required: Bool = false, initial: Bool = false,
                               strict: Bool = false, widget: Widget? = nil) -> FormField {
        FormField(name, .boolean(strict: strict), label: label, required: required, initial: .bool(initial), widget: widget)
    }

    public static func image(_ name: String, maxBytes: Int = 2_621_440, label: String? = nil, required: Bool = true) -> FormField {
        FormField(name, .image(maxBytes: maxBytes), label: label, required: required)
    }
}
