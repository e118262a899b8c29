import Foundation
import Synchronization

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
    /// duplicate names wins. Read in the header's contiguous UTF-8 bytes: it runs on every
    /// request with a cookie, and splitting the string's UTF-8 view generically cost 4 µs of
    /// a cart page under `perf` for its three cookies.
    public var cookies: [String: String] {
        guard var header = headers["cookie"] else { return [:] }
        return header.withUTF8 { bytes in
            var result: [String: String] = [:]
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: ";") { end += 1 }
                Request.addCookie(bytes, start..<end, to: &result)
                start = end + 1
            }
            return result
        }
    }

    /// The pair in `range` of `bytes` (`name=value`), added unless malformed or already there.
    private static func addCookie(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, to result: inout [String: String]) {
        guard let equals = bytes[range].firstIndex(of: UInt8(ascii: "=")) else { return }
        let name = trimmed(bytes, range.lowerBound..<equals)
        var value = trimmed(bytes, (equals + 1)..<range.upperBound)
        if value.count >= 2, bytes[value.lowerBound] == UInt8(ascii: "\""), bytes[value.upperBound - 1] == UInt8(ascii: "\"") {
            value = (value.lowerBound + 1)..<(value.upperBound - 1)
        }
        guard !name.isEmpty else { return }
        let key = String(decoding: UnsafeBufferPointer(rebasing: bytes[name]), as: UTF8.self)
        if result[key] == nil { result[key] = String(decoding: UnsafeBufferPointer(rebasing: bytes[value]), as: UTF8.self) }
    }

    /// `range` without the spaces and tabs at either end.
    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound, upper = range.upperBound
        while lower < upper, bytes[lower] == 32 || bytes[lower] == 9 { lower += 1 }
        while upper > lower, bytes[upper - 1] == 32 || bytes[upper - 1] == 9 { upper -= 1 }
        return lower..<upper
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
        // One string, appended in place: every response that saves a session sets a cookie, and
        // the array of parts joined was 2% of an add-to-cart's CPU.
        var header = ""
        header.reserveCapacity(name.utf8.count + value.utf8.count + 128)
        header += name
        header += "="
        header += value
        if let domain { header += "; Domain="; header += domain }
        if let maxAge {
            header += "; expires="
            header += HTTPDate.format(Date().addingTimeInterval(TimeInterval(maxAge)))
            header += "; Max-Age="
            header += String(maxAge)
        }
        header += "; Path="
        header += path
        if secure { header += "; Secure" }
        if httpOnly { header += "; HttpOnly" }
        if let sameSite { header += "; SameSite="; header += sameSite }
        return header
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

    /// The last date formatted: cookies set within the same second share their `expires`.
    private static let last = Mutex<(seconds: time_t, text: String)?>(nil)

    static func format(_ date: Date) -> String {
        let seconds = time_t(date.timeIntervalSince1970)
        if let cached = last.withLock({ $0 }), cached.seconds == seconds { return cached.text }
        let text = formatted(seconds)
        last.withLock { $0 = (seconds, text) }
        return text
    }

    private static func formatted(_ seconds: time_t) -> String {
        var seconds = seconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        // "Sun, 06 Nov 1994 08:49:37 GMT": 29 bytes, written in place.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(29)
        func two(_ value: Int32) {
            bytes.append(UInt8(48 + value / 10 % 10))
            bytes.append(UInt8(48 + value % 10))
        }
        bytes += days[Int(parts.tm_wday)].utf8
        bytes += ", ".utf8
        two(parts.tm_mday)
        bytes.append(32)
        bytes += months[Int(parts.tm_mon)].utf8
        bytes.append(32)
        bytes += String(parts.tm_year + 1900).utf8
        bytes.append(32)
        two(parts.tm_hour)
        bytes.append(58)
        two(parts.tm_min)
        bytes.append(58)
        two(parts.tm_sec)
        bytes += " GMT".utf8
        return String(decoding: bytes, as: UTF8.self)
    }
}
