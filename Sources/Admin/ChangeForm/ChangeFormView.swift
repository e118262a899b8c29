import Foundation
import Postgres
import Web

/// Django's `changeform_view` for add and change: GET shows the form (empty,
/// or filled from the row); POST validates the form and its inline together,
/// and saves both in one transaction, or changes nothing and shows every error
/// beside its field with the input kept. Then Django's three buttons: Save
/// (back to the list), Save and continue editing, Save and add another.
enum ChangeFormView {
    static func add(_ context: RequestContext, model: ModelAdmin, spec: ChangeFormSpec) throws -> Response {
        try handle(context, model: model, spec: spec, id: nil)
    }

    static func change(_ context: RequestContext, model: ModelAdmin, spec: ChangeFormSpec) throws -> Response {
        try handle(context, model: model, spec: spec, id: try context.intParameter("id"))
    }

    static func handle(_ context: RequestContext, model: ModelAdmin, spec: ChangeFormSpec, id: Int?) throws -> Response {
        var initial: [String: FormValue] = [:]
        if let id {
            guard let row = try context.database.queryOne("SELECT * FROM \(spec.table.table) WHERE id = $1", [id]) else {
                throw HTTPError.notFound("The \(model.verboseName) with ID “\(id)” doesn’t exist. Perhaps it was deleted?")
            }
            initial = try spec.table.initial(from: row, columns: spec.fields)
        }
        let form = try spec.form(context)
        let inline = try spec.inline.map { inline in (inline, try inline.formSet(context, id)) }

        guard context.request.method == "POST" else {
            return try page(context, model: model, spec: spec, id: id, initial: initial,
                            form: form.unbound(initial: initial),
                            inline: inline.map { ($0.0, $0.1.formSet.unbound(initial: $0.1.initial)) })
        }

        let data = try context.form()
        var bound = form.bind(data, files: try context.files(), initial: initial)
        var boundInline = inline.map { ($0.0, $0.1.formSet.bind(data, initial: $0.1.initial, initialByID: $0.1.initialByID)) }
        if let (_, formSet) = boundInline {
            // A tampered management form (Django shows it as a non-form error) is the client's fault.
            if let tampered = formSet.managementError { throw HTTPError.badRequest(tampered) }
            if formSet.rows.count > formSet.formSet.maxNum {
                throw HTTPError.badRequest("Please submit at most \(formSet.formSet.maxNum) forms.")
            }
        }
        if bound.isValid { try spec.validate(context, &bound, id) }
        if let (inlineSpec, submitted) = boundInline, submitted.isValid {
            var formSet = submitted
            try inlineSpec.validate(context, &formSet)
            boundInline = (inlineSpec, formSet)
        }
        guard bound.isValid, boundInline?.1.isValid ?? true else {
            return try page(context, model: model, spec: spec, id: id, initial: initial, form: bound, inline: boundInline)
        }

        let storage = UploadStorage(root: context.settings.mediaRoot)
        let directory = UploadStorage.datedDirectory(spec.uploadDirectory)
        let store: (ModelTable.Column, UploadedFile) throws -> String = { _, file in
            try storage.saveImage(file, in: directory)
        }
        let savedID: Int = try context.database.transaction {
            let objectID: Int
            if let id {
                let statement = try spec.table.update(id: id, bound.cleaned, columns: spec.fields, store: store)
                guard try context.database.execute(statement.sql, statement.parameters) == 1 else {
                    throw HTTPError.notFound("The \(model.verboseName) with ID “\(id)” doesn’t exist. Perhaps it was deleted?")
                }
                if spec.touchesUpdated {
                    try context.database.execute("UPDATE \(spec.table.table) SET updated = now() WHERE id = $1", [id])
                }
                objectID = id
            } else {
                let statement = try spec.table.insert(bound.cleaned, columns: spec.fields, store: store)
                objectID = try context.database.scalar(statement.sql, statement.parameters, as: Int.self) ?? 0
            }
            if let (inlineSpec, formSet) = boundInline { try inlineSpec.save(context, objectID, formSet) }
            return objectID
        }

        let name = spec.describe(savedID, bound.cleaned)
        let link = "The \(model.verboseName) “\(name)” was \(id == nil ? "added" : "changed") successfully."
        if data["_continue"] != nil {
            context.messages.success(link + " You may edit it again below.")
            return .redirect(to: try context.url(model.routeName("change"), ["id": savedID]))
        }
        if data["_addanother"] != nil {
            context.messages.success(link + " You may add another \(model.verboseName) below.")
            return .redirect(to: try context.url(model.routeName("add")))
        }
        context.messages.success(link)
        return .redirect(to: try context.url(model.routeName("changelist")))
    }

    static func page(_ context: RequestContext, model: ModelAdmin, spec: ChangeFormSpec, id: Int?,
                     initial: [String: FormValue], form: BoundForm, inline: (InlineSpec, BoundFormSet)?) throws -> Response {
        let isAdd = id == nil
        let name = id.map { spec.describe($0, initial) }
        var breadcrumbs = try model.breadcrumbs(context)
        breadcrumbs.append((isAdd ? "Add \(model.verboseName)" : name ?? "", nil))
        var fields = (form.viewModel["fields"] as? [[String: Any]]) ?? []
        for index in fields.indices {
            let fieldName = fields[index]["field_name"] as? String ?? ""
            if let source = spec.prepopulated[fieldName] { fields[index]["prepopulated_from"] = "id_" + source }
            fields[index]["has_prepopulated_from"] = spec.prepopulated[fieldName] != nil
            if let path = fields[index]["current_file"] as? String, !path.isEmpty {
                fields[index]["current_file_url"] = "/media/" + path
            }
        }
        var values: [String: Any] = [
            "is_add": isAdd,
            "model_name": model.verboseName,
            "fields": fields,
            "form": form.viewModel,
            "has_errors": form.hasErrors || (inline?.1.hasErrors ?? false),
            "action": context.request.fullPath,
            "is_multipart": spec.table.columns.contains { if case .image = $0.kind { true } else { false } },
            "has_prepopulated": !spec.prepopulated.isEmpty,
            "has_inline": inline != nil,
        ]
        if let id { values["delete_url"] = try context.url(model.routeName("delete"), ["id": id]) }
        if let (inlineSpec, formSet) = inline {
            var inlineValues = formSet.viewModel
            inlineValues["title"] = inlineSpec.title
            values["inline"] = inlineValues
            for (key, value) in try inlineSpec.summary(context, id) { values[key] = value }
        }
        let title = isAdd ? "Add \(model.verboseName)" : "Change \(model.verboseName)"
        values["object_name"] = name ?? ""
        return try AdminSite.render(context, "admin/change_form", title: title, breadcrumbs: breadcrumbs, values: values)
    }
}
