/// A form: an ordered list of named fields (Django's `Form` class), an optional
/// prefix (`items-0` makes `items-0-quantity`), and Django's `clean()` hook for
/// checks across fields. Build it once (or per request when its choices come
/// from the database), then `bind` each submission.
public struct Form: Sendable {
    public var fields: [FormField]
    public var prefix: String?
    /// Runs after the fields, even when some failed (as Django's `clean()`): read
    /// `cleaned`, report with `addError(_:_:)` (nil field: a non-field error).
    public var clean: (@Sendable (inout BoundForm) -> Void)?

    public init(_ fields: [FormField], prefix: String? = nil, clean: (@Sendable (inout BoundForm) -> Void)? = nil) {
        self.fields = fields
        self.prefix = prefix
        self.clean = clean
    }

    public subscript(name: String) -> FormField? { fields.first { $0.name == name } }

    /// The input's `name` for a field: the prefix joined with `-`.
    public func htmlName(_ field: String) -> String {
        guard let prefix, !prefix.isEmpty else { return field }
        return prefix + "-" + field
    }

    /// The form filled with a submission. `initial` (the row being edited) decides
    /// `hasChanged` and is what an image field keeps when no file comes. With
    /// `emptyPermitted`, an unchanged form is valid without validating (a formset's extra row).
    public func bind(_ data: FormData, files: UploadedFiles = UploadedFiles(), initial: [String: FormValue] = [:],
                     emptyPermitted: Bool = false) -> BoundForm {
        BoundForm(form: self, data: data, files: files, initial: initial, emptyPermitted: emptyPermitted)
    }

    /// The form to show before any submission (GET), with these initial values.
    public func unbound(initial: [String: FormValue] = [:]) -> BoundForm {
        BoundForm(form: self, initial: initial)
    }
}
