/// A select's `<option>` elements as HTML, the way Django's Select widget renders them
/// from code rather than from a template: `<option value="2" selected>2</option>`, value
/// and label escaped. A page with a select per cart line rendered 20 options a line
/// through the template engine, which was most of the cart page's rendering.
public enum SelectOptions {
    /// `choices` as (value, label); the one whose value is `selected` is marked. Pass the
    /// result to a template as `TemplateValue.string` inside `{{{triple braces}}}`.
    public static func html(_ choices: [(value: String, label: String)], selected: String?) -> String {
        var html = ""
        html.reserveCapacity(choices.count * 32)
        for choice in choices {
            html += "<option value=\""
            html += HTML.escape(choice.value)
            html += choice.value == selected ? "\" selected>" : "\">"
            html += HTML.escape(choice.label)
            html += "</option>"
        }
        return html
    }
}
