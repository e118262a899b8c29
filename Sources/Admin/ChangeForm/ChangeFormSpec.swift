import Postgres
import Web

/// What a model's add and change pages edit (Django's ModelAdmin form options):
/// the table's columns in form order, the choices of its foreign keys, checks
/// against the database (a unique slug), how an object is named in messages,
/// Django's `prepopulated_fields`, and an optional inline (the order's items).
struct ChangeFormSpec {
    let table: ModelTable
    let fields: [String]
    /// Each foreign key's choices, by field name (loaded per request).
    var choices: (RequestContext) throws -> [String: FormField.ModelChoices] = { _ in [:] }
    /// Checks the database must answer (uniqueness), after the fields are clean.
    var validate: (RequestContext, inout BoundForm, _ id: Int?) throws -> Void = { _, _, _ in }
    /// The object's name in messages and titles (Django's `__str__`).
    let describe: (_ id: Int, _ values: [String: FormValue]) -> String
    /// Target field ← source field, filled in by a script as staff type (slug ← name).
    var prepopulated: [String: String] = [:]
    /// Where uploads of an image column go under MEDIA_ROOT (Django's `upload_to`).
    var uploadDirectory = "uploads"
    /// The table has Django's `updated = DateTimeField(auto_now=True)`: a change sets it.
    var touchesUpdated = false
    var inline: InlineSpec?

    func form(_ context: RequestContext) throws -> Form {
        table.form(fields, rows: try choices(context))
    }
}

/// An inline of child rows edited on the parent's page (Django's TabularInline).
struct InlineSpec {
    let title: String
    let prefix: String
    let extra: Int
    /// The formset for one parent (nil for a new parent): its rows' choices and allowed ids.
    let formSet: (RequestContext, _ parentID: Int?) throws -> (formSet: FormSet, initial: [[String: FormValue]], initialByID: [Int: [String: FormValue]])
    /// Checks a row against the database after the formset is clean.
    var validate: (RequestContext, inout BoundFormSet) throws -> Void = { _, _ in }
    /// Saves the valid formset for the parent, inside the parent's transaction.
    let save: (RequestContext, _ parentID: Int, BoundFormSet) throws -> Void
    /// Extra values for the page (the order's total), from the parent's id.
    var summary: (RequestContext, _ parentID: Int?) throws -> [String: Any] = { _, _ in [:] }
}
