/// Django's formset: many rows of one form under a prefix (`items-0-quantity`,
/// `items-1-quantity`, …), counted by a management form. Rows below
/// `INITIAL_FORMS` edit existing objects; the rest are extra rows, and an extra
/// row left unchanged is skipped, not validated. With `canDelete` each row has a
/// `DELETE` checkbox; with `rowIDs` a hidden `id` that must be one of those ids
/// (the admin passes the ids of the parent's own rows). The `id` is optional
/// in every row: a view decides what an initial row without one means (Django
/// requires it below INITIAL_FORMS; the admin answers 400).
public struct FormSet: Sendable {
    public static let defaultMaxNum = 1000
    public static let deleteField = "DELETE"
    public static let idField = "id"

    public var form: Form
    public var prefix: String
    public var extra: Int
    public var minNum: Int
    public var maxNum: Int
    /// The most rows ever built from a submission (Django: `max_num + 1000`).
    public var absoluteMax: Int
    public var validateMin: Bool
    public var validateMax: Bool
    public var canDelete: Bool
    /// The ids a row's hidden `id` may hold; nil: rows have no `id` field.
    public var rowIDs: FormField.ModelChoices?
    /// Django's `BaseFormSet.clean()`: checks across rows; report with `addNonFormError`.
    public var clean: (@Sendable (inout BoundFormSet) -> Void)?

    public init(_ form: Form, prefix: String = "form", extra: Int = 1, minNum: Int = 0, maxNum: Int? = nil,
                absoluteMax: Int? = nil, validateMin: Bool = false, validateMax: Bool = false, canDelete: Bool = false,
                rowIDs: FormField.ModelChoices? = nil, clean: (@Sendable (inout BoundFormSet) -> Void)? = nil) {
        self.form = form
        self.prefix = prefix
        self.extra = max(0, extra)
        self.minNum = max(0, minNum)
        self.maxNum = max(0, maxNum ?? FormSet.defaultMaxNum)
        self.absoluteMax = max(self.maxNum, absoluteMax ?? self.maxNum + FormSet.defaultMaxNum)
        self.validateMin = validateMin
        self.validateMax = validateMax
        self.canDelete = canDelete
        self.rowIDs = rowIDs
        self.clean = clean
    }

    /// The form of row `index` (`"__prefix__"` for the empty template row): the
    /// row's prefix, plus the `id` and `DELETE` fields when the formset has them.
    public func rowForm(_ index: String) -> Form {
        var fields = form.fields
        if let rowIDs {
            fields.append(FormField(FormSet.idField, .modelChoice(rowIDs), label: "ID", required: false, widget: .hidden))
        }
        if canDelete { fields.append(.boolean(FormSet.deleteField, label: "Delete")) }
        return Form(fields, prefix: prefix + "-" + index, clean: form.clean)
    }

    /// The submission's rows. `initial` gives the initial values of rows by
    /// position; `initialByID` by the row's submitted `id` (wins over position),
    /// so a reordered or tampered row is compared with the object it names.
    public func bind(_ data: FormData, files: UploadedFiles = UploadedFiles(), initial: [[String: FormValue]] = [],
                     initialByID: [Int: [String: FormValue]] = [:]) -> BoundFormSet {
        BoundFormSet(formSet: self, data: data, files: files, initial: initial, initialByID: initialByID)
    }

    /// The rows to show before any submission: one per initial row (at least
    /// `minNum`), plus `extra`, never more than `maxNum` extra rows allow.
    public func unbound(initial: [[String: FormValue]] = []) -> BoundFormSet {
        BoundFormSet(formSet: self, initial: initial)
    }

    /// Django's unbound `total_form_count`.
    func unboundRowCount(initialCount: Int) -> Int {
        let total = max(initialCount, minNum) + extra
        if initialCount > maxNum { return initialCount }
        return min(total, maxNum)
    }
}
