/// A form with its submission: the input as sent (shown again on errors), the
/// typed cleaned values, and the errors per field and for the form as a whole.
/// `viewModel` (FormViewModel.swift) is what a template draws.
public struct BoundForm: Sendable {
    public let form: Form
    public let isBound: Bool
    public let initial: [String: FormValue]
    public let emptyPermitted: Bool
    /// What came for each field (by field name, without the prefix).
    public private(set) var inputs: [String: FormField.Input] = [:]
    /// The valid fields' values (Django's `cleaned_data`).
    public private(set) var cleaned: [String: FormValue] = [:]
    /// Each invalid field's messages, by field name.
    public private(set) var errors: [String: [String]] = [:]
    /// Errors of the whole form (from `clean`), Django's `non_field_errors()`.
    public private(set) var nonFieldErrors: [String] = []
    /// The fields whose input differs from the initial value, in form order.
    public private(set) var changedFields: [String] = []
    /// Whether the template should put `required` on the inputs (`required_attribute`):
    /// not in a formset's rows, as in Django, or a blank extra row could not be sent.
    public var useRequiredAttribute = true

    public var hasChanged: Bool { !changedFields.isEmpty }
    public var isValid: Bool { isBound && errors.isEmpty && nonFieldErrors.isEmpty }
    public var hasErrors: Bool { !errors.isEmpty || !nonFieldErrors.isEmpty }
    /// An extra formset row left as it was: valid, and not to be saved.
    public var isSkipped: Bool { emptyPermitted && !hasChanged }

    init(form: Form, initial: [String: FormValue]) {
        self.form = form
        self.isBound = false
        self.initial = initial
        self.emptyPermitted = false
    }

    init(form: Form, data: FormData, files: UploadedFiles, initial: [String: FormValue], emptyPermitted: Bool) {
        self.form = form
        self.isBound = true
        self.initial = initial
        self.emptyPermitted = emptyPermitted
        for field in form.fields {
            let name = form.htmlName(field.name)
            var input = FormField.Input(text: data[name])
            if field.isFile {
                input.file = files[name]
                input.clear = FormField.boolean(name).toPython(data[name + "-clear"]).success?.bool ?? false
            }
            inputs[field.name] = input
            if field.hasChanged(input, initial: initialValue(field)) { changedFields.append(field.name) }
        }
        // Django's full_clean: an unchanged empty-permitted form is not validated.
        if isSkipped { return }
        for field in form.fields {
            switch field.clean(inputs[field.name]!, initial: initialValue(field)) {
            case .success(let value): cleaned[field.name] = value
            case .failure(let failure): errors[field.name] = failure.messages
            }
        }
        form.clean?(&self)
    }

    /// The field's initial value: the form's `initial` over the field's own.
    public func initialValue(_ field: FormField) -> FormValue { initial[field.name] ?? field.initial }

    public subscript(name: String) -> FormValue? { cleaned[name] }

    /// Django's `add_error`: the field's value is no longer clean. A nil field, or
    /// one the form does not have, is a non-field error.
    public mutating func addError(_ field: String?, _ message: String) {
        guard let field, form[field] != nil else { nonFieldErrors.append(message); return }
        errors[field, default: []].append(message)
        cleaned[field] = nil
    }

    /// The text an input shows: what was sent when bound, else the initial value.
    public func displayValue(_ field: FormField) -> String {
        if isBound {
            return field.isFile ? "" : inputs[field.name]?.text ?? ""
        }
        return field.displayText(initialValue(field))
    }
}

extension Result {
    var success: Success? { if case .success(let value) = self { value } else { nil } }
}
