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
    /// The request's cookies, for a view that wants them all (Django's `request.COOKIES`); a
    /// request context reads its own three with `cookies(named:_:)`. A malformed pair is
    /// skipped, never fatal; the first of duplicate names wins. Read in the header's contiguous UTF-8 bytes: it runs on every
    /// request with a cookie, and splitting the string's UTF-8 view generically cost 4 µs of
    /// a cart page under `perf` for its three cookies.
    public var cookies: [String: String] {
        var result: [String: String] = [:]
        forEachCookie { name, value in
            let key = String(decoding: name, as: UTF8.self)
            if result[key] == nil { result[key] = String(decoding: value, as: UTF8.self) }
        }
        return result
    }

    /// The cookies called `names` (at most 64), read as `cookies` reads them: `found` gets the
    /// index of each name sent and its value, the first pair of that name only. What a request
    /// asks for (the session's and CSRF's cookies), without a dictionary of every cookie built
    /// and hashed for it: 7,000 instructions of every request with a session under callgrind.
    public func cookies(named names: [String], _ found: (_ index: Int, _ value: String) -> Void) {
        precondition(names.count <= 64, "at most 64 names")
        var seen: UInt64 = 0
        forEachCookie { name, value in
            for index in names.indices where seen & (1 << index) == 0 && Request.bytes(name, equal: names[index]) {
                seen |= 1 << index
                found(index, String(decoding: value, as: UTF8.self))
            }
        }
    }

    /// Each well-formed `name=value` pair of the Cookie header, trimmed and unquoted, in order.
    private func forEachCookie(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Void) {
        guard var header = headers["cookie"] else { return }
        header.withUTF8 { bytes in
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: ";") { end += 1 }
                if let (name, value) = Request.pair(bytes, start..<end) {
                    body(UnsafeBufferPointer(rebasing: bytes[name]), UnsafeBufferPointer(rebasing: bytes[value]))
                }
                start = end + 1
            }
        }
    }

    /// The name and value of the pair in `range` of `bytes` (`name=value`), nil when malformed.
    private static func pair(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> (name: Range<Int>, value: Range<Int>)? {
        guard let equals = bytes[range].firstIndex(of: UInt8(ascii: "=")) else { return nil }
        let name = trimmed(bytes, range.lowerBound..<equals)
        var value = trimmed(bytes, (equals + 1)..<range.upperBound)
        if value.count >= 2, bytes[value.lowerBound] == UInt8(ascii: "\""), bytes[value.upperBound - 1] == UInt8(ascii: "\"") {
            value = (value.lowerBound + 1)..<(value.upperBound - 1)
        }
        guard !name.isEmpty else { return nil }
        return (name, value)
    }

    /// Whether `bytes` are `text`'s UTF-8, byte for byte: names compared as Django compares them,
    /// code point by code point, with none of `String`'s canonical equivalence.
    private static func bytes(_ bytes: UnsafeBufferPointer<UInt8>, equal text: String) -> Bool {
        guard bytes.count == text.utf8.count else { return false }
        var text = text
        return text.withUTF8 { $0.elementsEqual(bytes) }
    }

    /// `range` without the spaces and tabs at either end.
    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound, upper = range.upperBound
        while lower < upper, bytes[lower] == 32 || bytes[lower] == 9 { lower += 1 }
        while upper > lower, bytes[upper - 1] == 32 || bytes[upper - 1] == 9 { upper -= 1 }
        return lower..<upper
    }

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
        // Written as bytes, then made a string once: an add-to-cart sets two cookies, and a
        // dozen `String` appends each (about 350 instructions an append) were 5% of its
        // instructions; the one validation of the finished bytes costs about one a byte.
        var header: [UInt8] = []
        header.reserveCapacity(name.utf8.count + value.utf8.count + 128)
        func put(_ text: String) {
            var text = text
            text.withUTF8 { header.append(contentsOf: $0) }
        }
        put(name)
        header.append(UInt8(ascii: "="))
        put(value)
        if let domain { put("; Domain="); put(domain) }
        if let maxAge {
            put("; expires=")
            put(HTTPDate.format(Date().addingTimeInterval(TimeInterval(maxAge))))
            put("; Max-Age=")
            DecimalDigits.append(maxAge, to: &header)
        }
        put("; Path=")
        put(path)
        if secure { put("; Secure") }
        if httpOnly { put("; HttpOnly") }
        if let sameSite { put("; SameSite="); put(sameSite) }
        return String(decoding: header, as: UTF8.self)
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
