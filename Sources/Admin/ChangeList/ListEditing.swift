import Foundation
import Postgres
import Web

/// list_editable (Django's changelist formset): the page's rows as a formset
/// `form-N-id` + the editable fields, saved with one Save in one transaction.
/// A row's id must be one shown by this list (the rows of its query); a row
/// without an id (a new object) is a 400, as Django's. Any invalid row: nothing
/// is saved and the list comes back with the errors beside the inputs.
enum ListEditing {
    static func save(_ context: RequestContext, model: ModelAdmin, spec: ChangeListSpec, query: ChangeListQuery) throws -> Response {
        let data = try context.form()
        guard data["_save"] != nil else { throw HTTPError.badRequest("Nothing to do: the list is saved with its Save button.") }
        let page = try ChangeListView.load(context, query: query)
        let ids = try page.rows.map { try $0.get("id", as: Int.self) }
        let fields = spec.editable.map { field -> FormField in
            let column = model.form.table[field.field]!
            return model.form.table.formField(column)
        }
        let formSet = FormSet(Form(fields), prefix: "form", extra: 0, rowIDs: FormField.ModelChoices(ids: ids))
        var initialByID: [Int: [String: FormValue]] = [:]
        for row in page.rows {
            initialByID[try row.get("id")] = try model.form.table.initial(from: row, columns: spec.editable.map(\.field))
        }
        let bound = formSet.bind(data, initialByID: initialByID)
        if let tampered = bound.managementError { throw HTTPError.badRequest(tampered) }
        if bound.rows.contains(where: { $0.id == nil && $0.form.errors[FormSet.idField] == nil }) {
            throw HTTPError.badRequest("A row of the list has no id.")
        }
        guard bound.isValid else {
            var editing = ChangeListView.Editing(values: [:], errors: [:])
            for row in bound.rows {
                guard let id = Int(row.form.inputs[FormSet.idField]?.text ?? "") else { continue }
                var values: [String: String] = [:]
                for field in spec.editable { values[field.field] = row.form.inputs[field.field]?.text ?? "" }
                editing.values[id] = values
                editing.errors[id] = row.form.errors.merging(
                    row.form.nonFieldErrors.isEmpty ? [:] : [spec.editable[0].field: row.form.nonFieldErrors],
                    uniquingKeysWith: +)
            }
            if !bound.nonFormErrors.isEmpty { throw HTTPError.badRequest(bound.nonFormErrors.joined(separator: " ")) }
            return try ChangeListView.page(context, model: model, query: query, editing: editing)
        }
        var changed = 0
        try context.database.transaction {
            for row in bound.rows where row.form.hasChanged {
                guard let id = row.id else { continue }
                let statement = try model.form.table.update(id: id, row.form.cleaned, columns: spec.editable.map(\.field))
                try context.database.execute(statement.sql, statement.parameters)
                if model.form.touchesUpdated {
                    try context.database.execute("UPDATE \(spec.table) SET updated = now() WHERE id = $1", [id])
                }
                changed += 1
            }
        }
        let noun = changed == 1 ? model.verboseName : model.verboseNamePlural
        context.messages.success(changed == 0 ? "No \(model.verboseNamePlural) were changed."
                                              : "\(changed) \(noun) \(changed == 1 ? "was" : "were") changed successfully.")
        return .redirect(to: context.request.fullPath)
    }
}
