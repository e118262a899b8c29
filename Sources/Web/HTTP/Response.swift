/// What a view returns. The FastCGI glue writes `Status:`, the headers and the body.
public struct Response: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Set by a view that has committed something the client must learn of (a placed order):
    /// if saving the session afterwards fails, this response still goes out (the failure is
    /// logged) rather than a 500 that would hide what was done.
    public var survivesSessionFailure = false

    public init(status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func html(_ text: String, status: Int = 200) -> Response {
        Response(status: status, headers: [("Content-Type", "text/html; charset=utf-8")], body: Array(text.utf8))
    }

    public static func text(_ text: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: [("Content-Type", contentType)], body: Array(text.utf8))
    }

    /// 302 to `location` (Django's `redirect()`).
    public static func redirect(to location: String, status: Int = 302) -> Response {
        Response(status: status, headers: [("Location", location), ("Content-Type", "text/html; charset=utf-8")])
    }

    public func header(_ name: String) -> String? {
        headers.first { Self.sameName($0.name, name) }?.value
    }

    /// Every value of a header that may repeat (Set-Cookie).
    public func headers(named name: String) -> [String] {
        headers.filter { Self.sameName($0.name, name) }.map(\.value)
    }

    /// Header names compared as HTTP does, ignoring ASCII case, without the two
    /// `lowercased()` copies per header (every response is asked for its security
    /// headers: 0.9% of a product page's worker CPU went to those copies).
    static func sameName(_ a: String, _ b: String) -> Bool {
        a.utf8.elementsEqual(b.utf8) { x, y in
            x == y || (x ^ 0x20 == y && (x | 0x20) >= 0x61 && (x | 0x20) <= 0x7A)
        }
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The reason phrase for the `Status:` line (nginx copies it into the status line):
    /// every status of RFC 9110 and the common extensions, so none reads "415 Status".
    public static func reasonPhrase(_ status: Int) -> String {
        reasonPhrases[status] ?? (status >= 100 && status < 600 ? defaultPhrases[status / 100] : "Unknown")
    }

    static let reasonPhrases: [Int: String] = [
        100: "Continue", 101: "Switching Protocols", 102: "Processing", 103: "Early Hints",
        200: "OK", 201: "Created", 202: "Accepted", 203: "Non-Authoritative Information", 204: "No Content",
        205: "Reset Content", 206: "Partial Content", 207: "Multi-Status", 208: "Already Reported", 226: "IM Used",
        300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other", 304: "Not Modified",
        305: "Use Proxy", 307: "Temporary Redirect", 308: "Permanent Redirect",
        400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 404: "Not Found",
        405: "Method Not Allowed", 406: "Not Acceptable", 407: "Proxy Authentication Required",
        408: "Request Timeout", 409: "Conflict", 410: "Gone", 411: "Length Required", 412: "Precondition Failed",
        413: "Content Too Large", 414: "URI Too Long", 415: "Unsupported Media Type", 416: "Range Not Satisfiable",
        417: "Expectation Failed", 418: "I'm a teapot", 421: "Misdirected Request", 422: "Unprocessable Content",
        423: "Locked", 424: "Failed Dependency", 425: "Too Early", 426: "Upgrade Required",
        428: "Precondition Required", 429: "Too Many Requests", 431: "Request Header Fields Too Large",
        451: "Unavailable For Legal Reasons",
        500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
        504: "Gateway Timeout", 505: "HTTP Version Not Supported", 506: "Variant Also Negotiates",
        507: "Insufficient Storage", 508: "Loop Detected", 510: "Not Extended", 511: "Network Authentication Required",
    ]

    /// For a status no table names: its class's phrase.
    static let defaultPhrases = ["", "Informational", "Success", "Redirection", "Client Error", "Server Error"]
}
