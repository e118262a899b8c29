import Foundation

/// `SESSION_ENGINE=signed_cookies`: the whole session lives in the cookie, as
/// Django's `signing.dumps(data, salt=..., compress=True)` makes it (see `Signing`):
///
///     ["."] base64url(JSON, compressed when shorter) ":" base62(unix time) ":" base64url(HMAC-SHA256)
///
/// so a cookie signed by a Django shop with the same key loads here, and the
/// other way round. A tampered, truncated, malformed or expired (older than
/// `SESSION_COOKIE_AGE`) cookie is no session at all.
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

    private let signing: Signing
    private let maxAge: Int
    private let cookieName: String

    public init(secretKey: String, maxAge: Int, cookieName: String = "sessionid") {
        self.signing = Signing(secretKey: secretKey, salt: SignedCookieSessionStore.salt)
        self.maxAge = maxAge
        self.cookieName = cookieName
    }

    /// Only the signed format's characters (base64url, base62, the two `:` and
    /// the leading `.` of a compressed payload), at most 4 KB.
    public func acceptsCookieValue(_ value: String) -> Bool {
        let bytes = value.utf8
        guard !bytes.isEmpty, bytes.count <= SignedCookieSessionStore.maxCookieLength else { return false }
        var separators = 0
        for (index, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: ":") {
                separators += 1
            } else if !SignedCookieSessionStore.isBase64URLByte(byte) && !(index == 0 && byte == UInt8(ascii: ".")) {
                return false
            }
        }
        return separators == 2
    }

    public func load(key: String, version: Int64?) throws -> SessionRecord? {
        guard acceptsCookieValue(key),
              let (json, timestamp) = signing.unsignObject(key, maxAge: maxAge),
              let data = SessionCoding.decode(json) else { return nil }
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
        signing.signObject(json: SessionCoding.encodeBytes(data), compress: true, timestamp: timestamp)
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

    static func base62Encode(_ number: Int) -> String { Signing.base62Encode(number) }
    static func base62Decode(_ text: Substring) -> Int? { Signing.base62Decode(text) }
}
