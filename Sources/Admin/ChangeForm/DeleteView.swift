import Postgres
import Web

/// What deleting an object would do: the rows that go with it (an order's
/// items), or why it may not go at all (a product that orders refer to).
struct DeletionSpec {
    let table: String
    /// The object's name, from its row (nil: no such object).
    let describe: (RequestContext, _ id: Int) throws -> String?
    /// Rows deleted with it, as lines for the confirmation page.
    var cascades: (RequestContext, _ id: Int) throws -> [String] = { _, _ in [] }
    /// Deletes those rows first (`$1` is the object's id): as Django cascades in
    /// Python, so it works on a Django-made schema whose constraints do not cascade.
    var cascadeSQL: [String] = []
    /// Why the object may not be deleted now (checked again, under a row lock, on POST).
    var refusal: (RequestContext, _ id: Int, _ name: String) throws -> String? = { _, _, _ in nil }
}

/// Django's `delete_view`: GET asks for confirmation (listing what goes with
/// the object, or why it cannot go); POST deletes it in a transaction that
/// first locks the row and checks again, so no order can start to refer to a
/// product between the check and the delete.
enum DeleteView {
    static func handle(_ context: RequestContext, model: ModelAdmin, spec: DeletionSpec) throws -> Response {
        let id = try context.intParameter("id")
        guard let name = try spec.describe(context, id) else {
            throw HTTPError.notFound("The \(model.verboseName) with ID “\(id)” doesn’t exist. Perhaps it was deleted?")
        }
        if context.request.method == "POST" {
            var refused: String?
            do {
                refused = try context.database.transaction {
                    guard try context.database.queryOne("SELECT id FROM \(spec.table) WHERE id = $1 FOR UPDATE", [id]) != nil else {
                        throw HTTPError.notFound("The \(model.verboseName) with ID “\(id)” doesn’t exist. Perhaps it was deleted?")
                    }
                    if let reason = try spec.refusal(context, id, name) { return reason }
                    for statement in spec.cascadeSQL { try context.database.execute(statement, [id]) }
                    try context.database.execute("DELETE FROM \(spec.table) WHERE id = $1", [id])
                    return nil
                }
            } catch let error as PostgresError where error.isForeignKeyViolation {
                // Something came to refer to it at the last moment: the database refused, nothing changed.
                refused = try spec.refusal(context, id, name) ?? "The \(model.verboseName) “\(name)” is still referred to and was not deleted."
            }
            if let refused {
                return try page(context, model: model, spec: spec, id: id, name: name, refusal: refused, status: 409)
            }
            context.messages.success("The \(model.verboseName) “\(name)” was deleted successfully.")
            return .redirect(to: try context.url(model.routeName("changelist")))
        }
        return try page(context, model: model, spec: spec, id: id, name: name,
                        refusal: try spec.refusal(context, id, name), status: 200)
    }

    static func page(_ context: RequestContext, model: ModelAdmin, spec: DeletionSpec, id: Int, name: String,
                     refusal: String?, status: Int) throws -> Response {
        var breadcrumbs = try model.breadcrumbs(context)
        breadcrumbs.append((name, try context.url(model.routeName("change"), ["id": id])))
        breadcrumbs.append(("Delete", nil))
        let cascades = refusal == nil ? try spec.cascades(context, id) : []
        return try AdminSite.render(context, "admin/delete_confirmation",
                                    title: refusal == nil ? "Are you sure?" : "Cannot delete \(model.verboseName)",
                                    breadcrumbs: breadcrumbs, values: [
            "model_name": model.verboseName,
            "object_name": name,
            "refusal": refusal ?? "",
            "refused": refusal != nil,
            "cascades": cascades.map { ["text": $0] },
            "has_cascades": !cascades.isEmpty,
            "action": context.request.path,
            "change_url": try context.url(model.routeName("change"), ["id": id]),
        ], status: status)
    }
}
