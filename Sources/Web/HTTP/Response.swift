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
        .html(bytes: Array(text.utf8), status: status)
    }

    /// An HTML page already in bytes (a rendered template's, `HTMLOutput`).
    public static func html(bytes: [UInt8], status: Int = 200) -> Response {
        Response(status: status, headers: [("Content-Type", "text/html; charset=utf-8")], body: bytes)
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
    /// Lengths first, then the bytes in place: `elementsEqual` over the two UTF-8 views walked
    /// both through their iterators, and every response compares some 20 names (2.6% of an
    /// add-to-cart's instructions under callgrind).
    static func sameName(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                for index in 0..<x.count where x[index] != y[index] {
                    // Equal but for the case bit, and a letter: a byte that differs otherwise is another name.
                    let lower = x[index] | 0x20
                    guard lower == y[index] | 0x20, lower >= 0x61, lower <= 0x7A else { return false }
                }
                return true
            }
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
