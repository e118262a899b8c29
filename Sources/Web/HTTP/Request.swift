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

    /// Builds a request from FastCGI/CGI parameters, as nginx's fastcgi_params send them
    /// (the worker uses `CGIRequest` on libfcgi's bytes directly; tests use this).
    public init(cgiParameters params: [String: String], body: [UInt8], bodyTooLarge: Bool = false) {
        var builder = CGIRequest()
        for (name, value) in params {
            var name = name, value = value
            name.withUTF8 { name in
                value.withUTF8 { value in builder.add(name: UnsafeRawBufferPointer(name), value: UnsafeRawBufferPointer(value)) }
            }
        }
        self = builder.request(body: body, bodyTooLarge: bodyTooLarge)
    }

    /// What `CGIRequest` has already normalized: the method upper-cased, the header names
    /// lower-cased, a host present.
    init(normalizedMethod method: String, path: String, queryString: String, lowercasedHeaders headers: [String: String],
         body: [UInt8], bodyTooLarge: Bool, remoteAddress: String, isSecure: Bool) {
        self.method = method
        self.path = path.isEmpty ? "/" : path
        self.queryString = queryString
        self.headers = headers
        self.body = body
        self.bodyTooLarge = bodyTooLarge
        self.remoteAddress = remoteAddress
        self.isSecure = isSecure
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
