import Foundation

/// A formset with its submission: each row's bound form, and the errors of the
/// formset as a whole (a bad management form, too many or too few rows, `clean`).
public struct BoundFormSet: Sendable {
    /// One row: its form, and what the formset decided about it.
    public struct Row: Sendable {
        public var index: Int
        public var form: BoundForm
        /// Below INITIAL_FORMS: it edits an existing object.
        public var isInitial: Bool
        /// Its DELETE box was ticked (only with `canDelete`).
        public var isDeleted: Bool
        /// The row's valid `id`, when the formset has `rowIDs` and one was sent.
        public var id: Int? { form.cleaned[FormSet.idField]?.int }
        /// An extra row the user left alone: nothing to validate or save.
        public var isSkipped: Bool { form.isSkipped }
        /// A row to add (extra) or update (initial): not deleted, not skipped.
        public var isToSave: Bool { !isDeleted && !isSkipped }
    }

    public let formSet: FormSet
    public let isBound: Bool
    public private(set) var rows: [Row] = []
    /// INITIAL_FORMS when bound, the initial rows when not.
    public let initialFormCount: Int
    public private(set) var nonFormErrors: [String] = []
    /// Django's "ManagementForm data is missing or has been tampered with…" when it was
    /// (then no row was built): not the user's doing, so a view may answer 400.
    public private(set) var managementError: String?

    /// Valid when bound, the management form was right, and every row not deleted is valid.
    public var isValid: Bool {
        isBound && nonFormErrors.isEmpty && rows.allSatisfy { $0.isDeleted || $0.form.isValid }
    }

    public var hasErrors: Bool { !nonFormErrors.isEmpty || rows.contains { !$0.isDeleted && $0.form.hasErrors } }
    public var deletedRows: [Row] { rows.filter(\.isDeleted) }
    public var rowsToSave: [Row] { rows.filter(\.isToSave) }

    public mutating func addNonFormError(_ message: String) { nonFormErrors.append(message) }

    /// A row's own error after the fact (a view's check against the database).
    public mutating func addError(row index: Int, field: String?, _ message: String) {
        rows[index].form.addError(field, message)
    }

    init(formSet: FormSet, initial: [[String: FormValue]]) {
        self.formSet = formSet
        self.isBound = false
        self.initialFormCount = initial.count
        let count = formSet.unboundRowCount(initialCount: initial.count)
        rows = (0..<count).map { index in
            let values = index < initial.count ? initial[index] : [:]
            var form = formSet.rowForm(String(index)).unbound(initial: values)
            form.useRequiredAttribute = false
            return Row(index: index, form: form, isInitial: index < initial.count, isDeleted: false)
        }
    }

    init(formSet: FormSet, data: FormData, files: UploadedFiles, initial: [[String: FormValue]],
         initialByID: [Int: [String: FormValue]]) {
        self.formSet = formSet
        self.isBound = true
        let management = ManagementForm(data: data, prefix: formSet.prefix)
        initialFormCount = management.initialFormCount
        if let error = management.error {
            managementError = error
            nonFormErrors = [error]
            return
        }
        // Never more than absoluteMax rows, whatever TOTAL_FORMS claims.
        let count = min(management.totalFormCount, formSet.absoluteMax)
        var emptyRows = 0
        for index in 0..<count {
            let form = formSet.rowForm(String(index))
            var values = index < initial.count ? initial[index] : [:]
            if formSet.rowIDs != nil, let text = data[form.htmlName(FormSet.idField)],
               let id = FormField.wholeNumber(text.trimmingCharacters(in: .whitespaces)), let byID = initialByID[id] {
                values = byID
            }
            let isInitial = index < initialFormCount
            var bound = form.bind(data, files: files, initial: values,
                                  emptyPermitted: !isInitial && index >= formSet.minNum)
            bound.useRequiredAttribute = false
            if !isInitial && !bound.hasChanged { emptyRows += 1 }
            let deleted = formSet.canDelete && bound.cleaned[FormSet.deleteField]?.bool == true
            rows.append(Row(index: index, form: bound, isInitial: isInitial, isDeleted: deleted))
        }
        let kept = count - deletedRows.count
        if (formSet.validateMax && kept > formSet.maxNum) || management.totalFormCount > formSet.absoluteMax {
            nonFormErrors = ["Please submit at most \(formSet.maxNum) \(Validators.plural(formSet.maxNum, "form"))."]
        } else if formSet.validateMin && kept - emptyRows < formSet.minNum {
            nonFormErrors = ["Please submit at least \(formSet.minNum) \(Validators.plural(formSet.minNum, "form"))."]
        } else {
            formSet.clean?(&self)
        }
    }
}

