/// What a change list shows (Django's list_display, list_filter,
/// search_fields, ordering and list_editable), as SQL column names.
struct ChangeListSpec {
    enum Kind { case text, boolean, money, datetime, image }

    struct Column {
        /// The column of `table` (also the sort key).
        let field: String
        let label: String
        let kind: Kind
        /// The first column links to the change page, as Django's list_display_links.
        var linksToChange = false
    }

    enum Filter {
        /// `field__exact=1|0`: All / Yes / No.
        case boolean(field: String, label: String)
        /// Django's DateFieldListFilter: Any date / Today / Past 7 days / This month / This year.
        case date(field: String, label: String)
    }

    let table: String
    let columns: [Column]
    let filters: [Filter]
    let searchFields: [String]
    /// e.g. `["name"]` or `["-created"]`; the primary key always breaks ties (descending, as Django's `-pk`).
    let defaultOrdering: [String]
    /// list_editable: fields editable in the list, saved with one Save.
    var editable: [EditableField] = []
    let pageSize = 100

    struct EditableField {
        let field: String
        let kind: Kind
    }
}
