import Foundation

/// `SESSION_ENGINE=signed_cookies`: the whole session lives in the cookie, as
/// Django's `signing.dumps(data, salt=..., compress=False)` makes it:
///
///     base64url(JSON) ":" base62(unix time) ":" base64url(HMAC-SHA256)
///
/// The MAC key is Django's `salted_hmac`: SHA-256(salt + "signer" + SECRET_KEY),
/// so a cookie signed by a Django shop with the same key loads here. A
/// tampered, truncated, malformed or expired (older than `SESSION_COOKIE_AGE`)
/// cookie is no session at all.
///
/// The record's `key` is the cookie value itself: `load` hands back the
/// cookie it verified, `save` a newly signed one, which the session
/// middleware puts in the cookie. Nothing is stored on the server, so
/// `delete` cannot revoke a cookie (as in Django): `flush` and `cycleKey`
/// only replace what the browser holds.
public final class SignedCookieSessionStore: SessionStore {
    /// Django's salt for this engine.
    static let salt = "django.contrib.sessions.backends.signed_cookies"
    /// Browsers keep cookies up to about 4 KB (name and value together).
    static let maxCookieLength = 4096

    private let macKey: [UInt8]
    private let maxAge: Int
    private let cookieName: String

    public init(secretKey: String, maxAge: Int, cookieName: String = "sessionid") {
        self.macKey = Crypto.sha256(SignedCookieSessionStore.salt + "signer" + secretKey)
        self.maxAge = maxAge
        self.cookieName = cookieName
    }

    /// Only the signed format's characters (base64url, base62 and the two `:`), at most 4 KB.
    public func acceptsCookieValue(_ value: String) -> Bool {
        let bytes = value.utf8
        guard !bytes.isEmpty, bytes.count <= SignedCookieSessionStore.maxCookieLength else { return false }
        var separators = 0
        for byte in bytes {
            if byte == UInt8(ascii: ":") {
                separators += 1
            } else if !SignedCookieSessionStore.isBase64URLByte(byte) {
                return false
            }
        }
        return separators == 2
    }

    public func load(key: String, version: Int64?) throws -> SessionRecord? {
        guard acceptsCookieValue(key) else { return nil }
        let parts = key.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
        let signed = key[..<parts[2].startIndex].dropLast() // "payload:timestamp"
        let expected = signature(of: String(signed))
        guard ConstantTime.equals(Array(parts[2].utf8), Array(expected.utf8)) else { return nil }

        guard let timestamp = SignedCookieSessionStore.base62Decode(parts[1]) else { return nil }
        let age = Date().timeIntervalSince1970 - TimeInterval(timestamp)
        guard age <= TimeInterval(maxAge) else { return nil }

        guard let json = Crypto.base64URLDecode(String(parts[0])),
              let text = String(validating: json, as: UTF8.self),
              let data = SessionCoding.decode(text) else { return nil }
        return SessionRecord(key: key, data: data, expireDate: Date(timeIntervalSince1970: TimeInterval(timestamp + maxAge)))
    }

    /// Signs `data` now. `key` (the previous cookie) and `expireDate` play no part:
    /// the age is checked against `SESSION_COOKIE_AGE` from the signing time.
    public func save(key: String?, data: SessionData, expireDate: Date) throws -> SessionRecord {
        let now = Int(Date().timeIntervalSince1970)
        let value = sign(data, timestamp: now)
        // A browser drops a larger cookie (name and value), losing the whole session; refuse
        // the change instead, so the browser keeps the cookie it has and the session as it was.
        let size = cookieName.utf8.count + value.utf8.count
        if size > SignedCookieSessionStore.maxCookieLength {
            throw HTTPError(400, "This change would make your session too large to keep in a browser cookie (\(size) of \(SignedCookieSessionStore.maxCookieLength) bytes), so it was not made.")
        }
        return SessionRecord(key: value, data: data, expireDate: Date(timeIntervalSince1970: TimeInterval(now + maxAge)))
    }

    /// Nothing is stored on the server.
    public func delete(key: String) throws {}

    /// Expired cookies are refused on load; there is nothing to clear.
    public func clearExpired() throws -> Int { 0 }

    // MARK: The format

    /// The signed cookie value for `data` signed at `timestamp` (unix seconds).
    func sign(_ data: SessionData, timestamp: Int) -> String {
        let payload = Crypto.base64URLEncode(Array(SessionCoding.encode(data).utf8))
        let value = payload + ":" + SignedCookieSessionStore.base62Encode(timestamp)
        return value + ":" + signature(of: value)
    }

    /// Django's `base64_hmac(salt + "signer", value, key)`.
    private func signature(of value: String) -> String {
        Crypto.base64URLEncode(Crypto.hmacSHA256(key: macKey, message: Array(value.utf8)))
    }

    static func isBase64URLByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }

    static let base62Digits = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// Django's `signing.b62_encode`.
    static func base62Encode(_ number: Int) -> String {
        if number == 0 { return "0" }
        var value = number.magnitude
        var digits: [UInt8] = []
        while value > 0 {
            digits.append(base62Digits[Int(value % 62)])
            value /= 62
        }
        if number < 0 { digits.append(UInt8(ascii: "-")) }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }

    /// Django's `signing.b62_decode`, for non-negative values that fit (nil otherwise).
    static func base62Decode(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 10 else { return nil }
        var value = 0
        for byte in text.utf8 {
            guard let digit = base62Digits.firstIndex(of: byte) else { return nil }
            value = value * 62 + digit
        }
        return value
    }
}
