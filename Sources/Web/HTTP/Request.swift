import Foundation

/// One HTTP request as the worker received it from nginx over FastCGI.
/// Built from the CGI parameters (REQUEST_METHOD, DOCUMENT_URI, QUERY_STRING,
/// HTTP_*, CONTENT_TYPE, ...) and the body bytes; tests build it by hand.
public struct Request: Sendable {
    public var method: String
    /// The decoded path, always starting with `/` (no query string).
    public var path: String
    /// The raw query string, without `?`.
    public var queryString: String
    /// Header names lower-cased with `-` (`cookie`, `host`, `content-type`).
    public var headers: [String: String]
    public var body: [UInt8]
    /// True when the body was larger than the limit and was not read.
    public var bodyTooLarge: Bool
    public var remoteAddress: String
    public var isSecure: Bool
    /// When nginx received the request, in milliseconds since the epoch (its `$msec`, passed as
    /// `SHOP_REQUEST_TIME`); nil without it. Lets the request take a freshness check another worker
    /// asked after it arrived (`VersionCheckBoard`).
    public var receivedMilliseconds: Int64?

    public init(
        method: String = "GET", path: String = "/", queryString: String = "",
        headers: [String: String] = [:], body: [UInt8] = [], bodyTooLarge: Bool = false,
        remoteAddress: String = "127.0.0.1", isSecure: Bool = false
    ) {
        self.method = method.uppercased()
        self.path = path.isEmpty ? "/" : path
        self.queryString = queryString
        var lowered: [String: String] = [:]
        for (name, value) in headers { lowered[name.lowercased()] = value }
        if lowered["host"] == nil { lowered["host"] = "localhost" }
        self.headers = lowered
        self.body = body
        self.bodyTooLarge = bodyTooLarge
        self.remoteAddress = remoteAddress
        self.isSecure = isSecure
    }

    /// Builds a request from FastCGI/CGI parameters, as nginx's fastcgi_params send them.
    public init(cgiParameters params: [String: String], body: [UInt8], bodyTooLarge: Bool = false) {
        var headers: [String: String] = [:]
        for (name, value) in params where name.hasPrefix("HTTP_") {
            headers[Request.headerName(fromCGI: name)] = value
        }
        if let type = params["CONTENT_TYPE"], !type.isEmpty { headers["content-type"] = type }
        if let length = params["CONTENT_LENGTH"], !length.isEmpty { headers["content-length"] = length }
        // DOCUMENT_URI is already percent-decoded by nginx; REQUEST_URI is not.
        let path = params["DOCUMENT_URI"] ?? params["SCRIPT_NAME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? Request.pathOf(requestURI: params["REQUEST_URI"] ?? "/")
        self.init(
            method: params["REQUEST_METHOD"] ?? "GET",
            path: path,
            queryString: params["QUERY_STRING"] ?? "",
            headers: headers,
            body: body,
            bodyTooLarge: bodyTooLarge,
            remoteAddress: params["REMOTE_ADDR"] ?? "",
            isSecure: (params["HTTPS"] ?? "").lowercased() == "on" || params["REQUEST_SCHEME"] == "https"
        )
        receivedMilliseconds = params["SHOP_REQUEST_TIME"].flatMap(Request.milliseconds(fromMsec:))
    }

    /// nginx's `$msec`, `1764800000.123`, as milliseconds; nil unless exactly that shape.
    static func milliseconds(fromMsec text: String) -> Int64? {
        var milliseconds: Int64 = 0
        var fractionDigits = -1
        for byte in text.utf8 {
            if byte == UInt8(ascii: "."), fractionDigits < 0 {
                fractionDigits = 0
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), fractionDigits < 3,
                  milliseconds < Int64.max / 100 else { return nil }
            milliseconds = milliseconds * 10 + Int64(byte - UInt8(ascii: "0"))
            if fractionDigits >= 0 { fractionDigits += 1 }
        }
        return fractionDigits == 3 && milliseconds > 0 ? milliseconds : nil
    }

    /// `HTTP_X_CSRFTOKEN` → `x-csrftoken`, byte by byte (it runs for every header of every request).
    static func headerName(fromCGI name: String) -> String {
        String(decoding: name.utf8.dropFirst(5).map { byte -> UInt8 in
            switch byte {
            case UInt8(ascii: "_"): UInt8(ascii: "-")
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte + 32
            default: byte
            }
        }, as: UTF8.self)
    }

    static func pathOf(requestURI: String) -> String {
        let raw = requestURI.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? "/"
        return raw.removingPercentEncoding ?? raw
    }

    /// The Host header without the port.
    public var host: String {
        let value = headers["host"] ?? ""
        if value.hasPrefix("[") { // IPv6 literal
            return value.split(separator: "]").first.map { String($0) + "]" } ?? value
        }
        // Up to the first colon, without building an array (every request asks). A Host of
        // ":8000" is no host (split(":") made it "8000"), as Django's split_domain_port has it.
        guard let colon = value.utf8.firstIndex(of: UInt8(ascii: ":")) else { return value }
        return String(value[..<colon])
    }

    /// The path with the query string, as Django's `get_full_path()`.
    public var fullPath: String { queryString.isEmpty ? path : path + "?" + queryString }

    public var isUnsafeMethod: Bool { !["GET", "HEAD", "OPTIONS", "TRACE"].contains(method) }
}
