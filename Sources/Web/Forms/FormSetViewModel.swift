/// What a template gets for a formset.
extension BoundFormSet {
    /// - `prefix`, `can_delete`
    /// - `management` `[{name, value}]` and `management_html` (the four hidden inputs, escaped)
    /// - `rows`: each row's form view-model (see `BoundForm.viewModel`) plus `index`,
    ///   `is_initial`, `is_extra`, `is_deleted`, `id` (the row's id text), `id_field` and
    ///   `delete_field` (those fields' view-models, when present) and `data_fields`
    ///   (the form's own fields, without `id` and `DELETE`)
    /// - `non_form_errors` `[{text}]`, `has_non_form_errors`, `non_form_errors_html`
    ///   (`<ul class="errorlist nonform">`), `has_errors`
    /// - `empty_form`: the row with prefix `<prefix>-__prefix__`, for an "add another" script.
    public var viewModel: [String: Any] {
        let management = managementValues
        let own = Set(formSet.form.fields.map(\.name))
        let rowModels: [[String: Any]] = rows.map { row in
            var model = row.form.viewModel
            let fields = model["fields"] as? [[String: Any]] ?? []
            model["data_fields"] = fields.filter { own.contains($0["field_name"] as? String ?? "") }
            if let field = row.form.form[FormSet.idField] { model["id_field"] = row.form.fieldViewModel(field) }
            if let field = row.form.form[FormSet.deleteField] { model["delete_field"] = row.form.fieldViewModel(field) }
            model["index"] = row.index
            model["is_initial"] = row.isInitial
            model["is_extra"] = !row.isInitial
            model["is_deleted"] = row.isDeleted
            model["id"] = row.form.form[FormSet.idField].map(row.form.displayValue) ?? ""
            return model
        }
        return [
            "prefix": formSet.prefix,
            "can_delete": formSet.canDelete,
            "management": management.map { ["name": $0.name, "value": $0.value] },
            "management_html": management.map {
                "<input type=\"hidden\" name=\"\(HTML.escape($0.name))\" value=\"\($0.value)\" id=\"id_\(HTML.escape($0.name))\">"
            }.joined(),
            "rows": rowModels,
            "non_form_errors": ErrorList.items(nonFormErrors),
            "has_non_form_errors": !nonFormErrors.isEmpty,
            "non_form_errors_html": ErrorList.html(nonFormErrors, extraClass: "nonform"),
            "has_errors": hasErrors,
            "empty_form": {
                var empty = formSet.rowForm("__prefix__").unbound()
                empty.useRequiredAttribute = false
                return empty.viewModel
            }(),
        ]
    }

    /// The management form as it should be sent back: the rows drawn now.
    public var managementValues: [(name: String, value: String)] {
        let prefix = formSet.prefix + "-"
        return [
            (prefix + ManagementForm.totalForms, String(rows.count)),
            (prefix + ManagementForm.initialForms, String(min(initialFormCount, rows.count))),
            (prefix + ManagementForm.minNumForms, String(formSet.minNum)),
            (prefix + ManagementForm.maxNumForms, String(formSet.maxNum)),
        ]
    }
}
