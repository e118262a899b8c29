/// Django's `CsrfViewMiddleware.process_view` for one unsafe request, in its order:
///
/// 1. an `Origin` header must be exactly this site's scheme, host and port (`null`,
///    another port or another scheme is refused);
/// 2. over HTTPS without `Origin`, the `Referer` must be an https URL of this host and
///    port (Django's strict Referer check: a man in the middle of plain http must not
///    be able to post to the https site);
/// 3. the `csrftoken` cookie must be there, checked before the body is parsed, so a
///    cookieless POST of megabytes is refused without decoding it;
/// 4. the token from the form field `csrfmiddlewaretoken` (POST forms), else from the
///    `X-CSRFToken` header, must unmask to the cookie's secret. An empty form field
///    falls back to the header, and an empty header never overrides a form token.
///
/// The host is the browser's `Host` header with its port (nginx passes it as
/// HTTP_HOST), already checked against ALLOWED_HOSTS.
enum CSRFCheck {
    /// Why the request is refused, or nil when it may go on. A body that cannot be
    /// parsed throws (a 4xx), as it would in the view.
    static func rejection(_ context: RequestContext) throws -> String? {
        let request = context.request
        if let origin = request.headers["origin"] {
            guard originMatches(origin, request) else {
                return "Origin checking failed - \(origin) does not match any trusted origins."
            }
        } else if request.isSecure, let reason = refererRejection(request) {
            return reason
        }
        guard context.csrf.cookieValue != nil else { return "CSRF cookie not set." }
        return context.csrf.rejectionReason(submittedToken: try submittedToken(context))
    }

    /// The form field for a POST form, else the header (nil when neither is there).
    static func submittedToken(_ context: RequestContext) throws -> String? {
        let request = context.request
        if request.method == "POST", isFormEncoded(request) {
            if let field = try context.form()[CSRF.formField], !field.isEmpty { return field }
        }
        return request.headers[CSRF.headerName]
    }

    /// Bodies Django parses into `request.POST`; any other (JSON, say) has no form field.
    static func isFormEncoded(_ request: Request) -> Bool {
        let type = request.headers["content-type"] ?? ""
        return type.isEmpty || ASCIICase.hasPrefix(type, "application/x-www-form-urlencoded")
            || ASCIICase.hasPrefix(type, "multipart/form-data")
    }

    /// `Origin` equals `scheme://host[:port]` of this request (default ports may be left out).
    static func originMatches(_ origin: String, _ request: Request) -> Bool {
        let scheme = request.isSecure ? "https" : "http"
        guard let parsed = URLParts(origin), parsed.scheme == scheme, parsed.rest.isEmpty else { return false }
        return authority(parsed.authority, scheme: scheme) == authority(request.headers["host"] ?? "", scheme: scheme)
    }

    /// Django's `_check_referer` for a secure request without `Origin`.
    static func refererRejection(_ request: Request) -> String? {
        guard let referer = request.headers["referer"] else { return "Referer checking failed - no Referer." }
        guard let parsed = URLParts(referer), !parsed.authority.isEmpty else {
            return "Referer checking failed - Referer is malformed."
        }
        guard parsed.scheme == "https" else {
            return "Referer checking failed - Referer is insecure while host is secure."
        }
        guard authority(parsed.authority, scheme: "https") == authority(request.headers["host"] ?? "", scheme: "https") else {
            return "Referer checking failed - \(referer) does not match any trusted origins."
        }
        return nil
    }

    /// `host[:port]` lower-cased, without the scheme's default port, so `Host: shop:443`
    /// and `https://shop` agree while `http://shop:8080` and `http://shop` do not.
    static func authority(_ text: String, scheme: String) -> String {
        let lowered = text.lowercased()
        let defaultPort = scheme == "https" ? ":443" : ":80"
        return lowered.hasSuffix(defaultPort) ? String(lowered.dropLast(defaultPort.count)) : lowered
    }

    /// `scheme://authority` and whatever follows (path, query), enough for Origin and Referer.
    struct URLParts {
        var scheme: String
        var authority: String
        var rest: Substring

        init?(_ text: String) {
            guard let separator = text.range(of: "://") else { return nil }
            scheme = text[..<separator.lowerBound].lowercased()
            guard !scheme.isEmpty else { return nil }
            let afterScheme = text[separator.upperBound...]
            let end = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
            authority = String(afterScheme[..<end])
            rest = afterScheme[end...]
            // A user part ("user@host") never names this site.
            if authority.contains("@") || authority.contains(where: { $0 == " " || $0 == "\\" }) { return nil }
        }
    }
}
