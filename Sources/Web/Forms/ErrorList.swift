/// Django's error list markup (`django/forms/errors/list/ul.html`):
/// `<ul class="errorlist" id="id_email_error"><li>…</li></ul>`, every message escaped.
public enum ErrorList {
    /// `fieldID` (`id_email`) gives the list the `id` a field's `aria-describedby` points at;
    /// `extraClass` is `nonfield` for a form's own errors and `nonform` for a formset's.
    public static func html(_ messages: [String], fieldID: String? = nil, extraClass: String? = nil) -> String {
        guard !messages.isEmpty else { return "" }
        var html = "<ul class=\"errorlist" + (extraClass.map { " " + $0 } ?? "") + "\""
        if let fieldID { html += " id=\"" + HTML.escape(fieldID) + "_error\"" }
        html += ">"
        for message in messages { html += "<li>" + HTML.escape(message) + "</li>" }
        return html + "</ul>"
    }

    /// `[{text}]` for a template that draws the list itself.
    public static func items(_ messages: [String]) -> [[String: Any]] { messages.map { ["text": $0] } }
}
