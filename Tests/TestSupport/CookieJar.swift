/// A browser's cookies, shared by the in-process and the TCP test browsers:
/// RFC 6265's rule for each Set-Cookie (it stores its value; a Max-Age of 0 or
/// less deletes; one without `name=` is ignored) and the Cookie header sent back.
public struct CookieJar {
    public var cookies: [String: String] = [:]

    public init() {}

    public mutating func store(setCookie header: String) {
        guard header.prefix(while: { $0 != ";" }).contains("=") else { return }
        let cookie = ParsedCookie(header)
        if let maxAge = cookie.attributes["max-age"].flatMap({ Int($0) }), maxAge <= 0 {
            cookies[cookie.name] = nil
        } else {
            cookies[cookie.name] = cookie.value
        }
    }

    /// The Cookie header for the next request, nil without cookies.
    public var header: String? {
        cookies.isEmpty ? nil : cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
    }
}
