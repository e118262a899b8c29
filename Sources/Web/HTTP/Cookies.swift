import Foundation

/// Cookie names allowed by RFC 6265 (a token).
enum CookieName {
    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            byte > 0x20 && byte < 0x7F && !"()<>@,;:\\\"/[]?={}".utf8.contains(byte)
        }
    }
}

extension Request {
    /// The request's cookies. A malformed pair is skipped, never fatal; the first of
    /// duplicate names wins. Parsed byte by byte: it runs on every request with a cookie.
    public var cookies: [String: String] {
        guard let header = headers["cookie"] else { return [:] }
        var result: [String: String] = [:]
        for pair in header.utf8.split(separator: UInt8(ascii: ";")) {
            guard let equals = pair.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = Request.trimmed(pair[pair.startIndex..<equals])
            var value = Request.trimmed(pair[pair.index(after: equals)...])
            if value.count >= 2, value.first == UInt8(ascii: "\""), value.last == UInt8(ascii: "\"") {
                value = value.dropFirst().dropLast()
            }
            guard !name.isEmpty else { continue }
            let key = String(decoding: name, as: UTF8.self)
            if result[key] == nil { result[key] = String(decoding: value, as: UTF8.self) }
        }
        return result
    }

    private static func trimmed(_ bytes: Substring.UTF8View.SubSequence) -> Substring.UTF8View.SubSequence {
        var bytes = bytes
        while let first = bytes.first, first == 32 || first == 9 { bytes = bytes.dropFirst() }
        while let last = bytes.last, last == 32 || last == 9 { bytes = bytes.dropLast() }
        return bytes
    }

    public func cookie(_ name: String) -> String? { cookies[name] }
}

/// One `Set-Cookie` header value.
public struct SetCookie: Sendable {
    public var name: String
    public var value: String
    /// nil: a browser-session cookie (no Max-Age/Expires).
    public var maxAge: Int?
    public var domain: String?
    public var path: String = "/"
    public var secure: Bool = false
    public var httpOnly: Bool = false
    public var sameSite: String? = "Lax"

    public init(name: String, value: String, maxAge: Int? = nil, domain: String? = nil, secure: Bool = false, httpOnly: Bool = false, sameSite: String? = "Lax") {
        self.name = name
        self.value = value
        self.maxAge = maxAge
        self.domain = domain
        self.secure = secure
        self.httpOnly = httpOnly
        self.sameSite = sameSite
    }

    public var headerValue: String {
        var parts = ["\(name)=\(value)"]
        if let domain { parts.append("Domain=\(domain)") }
        if let maxAge {
            parts.append("expires=\(HTTPDate.format(Date().addingTimeInterval(TimeInterval(maxAge))))")
            parts.append("Max-Age=\(maxAge)")
        }
        parts.append("Path=\(path)")
        if secure { parts.append("Secure") }
        if httpOnly { parts.append("HttpOnly") }
        if let sameSite { parts.append("SameSite=\(sameSite)") }
        return parts.joined(separator: "; ")
    }
}

extension Response {
    public mutating func setCookie(_ cookie: SetCookie) {
        headers.append(("Set-Cookie", cookie.headerValue))
    }
}

/// RFC 7231 IMF-fixdate, as browsers expect in `expires=`.
enum HTTPDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func format(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
