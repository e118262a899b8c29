/// Kept HTML (`PageFragments`) with this request's CSRF token to go between its parts, written
/// straight into the page: a cart line's 1.7 KB were first joined into a `String` of their own
/// for each request, then copied again into the page.
public struct SplicedHTML {
    let parts: [String]
    let token: String

    /// `parts` as `String.parts(between:)` cut them; `token` goes where the cuts were.
    init(parts: [String], token: String) {
        self.parts = parts
        self.token = token
    }

    /// Nothing to write: no text in any part, and no token between two of them.
    var isEmpty: Bool { parts.allSatisfy(\.isEmpty) && (parts.count < 2 || token.isEmpty) }

    /// How many bytes `write` appends unescaped, for sizing what it is written into.
    var byteCount: Int {
        parts.reduce(0) { $0 + $1.utf8.count } + max(0, parts.count - 1) * token.utf8.count
    }

    /// The same as one string, sized once (`joined(separator:)` grew its result as it went):
    /// for a kept block, which goes on into a page's context as text.
    var text: String {
        guard parts.count > 1 else { return parts.first ?? "" }
        var text = ""
        text.reserveCapacity(byteCount)
        for (index, part) in parts.enumerated() {
            if index > 0 { text += token }
            text += part
        }
        return text
    }

    /// Writes the parts and the token between them, escaped when the template asked for `{{name}}`
    /// rather than `{{{name}}}`, as it would escape the same text held in a `String`.
    func write(into output: inout HTMLOutput, escaped: Bool = false) {
        for (index, part) in parts.enumerated() {
            if index > 0 { escaped ? output.appendEscaped(token) : output.append(token) }
            escaped ? output.appendEscaped(part) : output.append(part)
        }
    }
}
