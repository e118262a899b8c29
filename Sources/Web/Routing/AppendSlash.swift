import Foundation

/// Django's APPEND_SLASH redirect (`/tea` → `/tea/`, the query string kept), with
/// what it copies from the request bounded and escaped: the Location header must
/// fit nginx's FastCGI header buffer whatever a visitor sends, must not split the
/// response, and must not turn into a link to another site (`//evil.example/`).
enum AppendSlash {
    /// The longest Location this redirect writes; a longer one is refused (414).
    static let maximumLocationLength = 4096

    /// Where `/path` redirects: `/path/` and the query string; nil when that is too long (414).
    static func location(for request: Request) -> String? {
        var location = escapeLeadingSlashes(request.path.addingPercentEncoding(withAllowedCharacters: pathAllowed) ?? "/") + "/"
        if !request.queryString.isEmpty {
            location += "?" + (request.queryString.addingPercentEncoding(withAllowedCharacters: queryAllowed) ?? "")
        }
        return location.utf8.count <= maximumLocationLength ? location : nil
    }

    /// Django's `escape_uri_path` safe characters.
    static let pathAllowed: CharacterSet = {
        var set = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        set.insert(charactersIn: "/:@&+$,-_.!~*'()")
        return set
    }()

    /// The raw query string stays as sent, except bytes a URL cannot hold (Django's `iri_to_uri`).
    static let queryAllowed: CharacterSet = {
        var set = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        set.insert(charactersIn: "-._~/#%[]=:;$&()+,!?*@'")
        return set
    }()

    /// `//host/x` would be read as another site; Django's `escape_leading_slashes`.
    static func escapeLeadingSlashes(_ path: String) -> String {
        path.hasPrefix("//") ? "/%2F" + path.dropFirst(2) : path
    }
}
