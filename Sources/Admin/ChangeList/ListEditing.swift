import Web

/// list_editable: the change list's one Save for the page (filled in with the forms layer).
enum ListEditing {
    static func save(_ context: RequestContext, model: ModelAdmin, spec: ChangeListSpec, query: ChangeListQuery) throws -> Response {
        throw HTTPError(405, "Not yet.")
    }
}
