import Foundation

/// Django's `django.core.signing` with its JSON serializer: a `TimestampSigner`
/// under a salt, and `sign_object`/`unsign_object` (`signing.dumps`/`loads`):
///
///     ["."] base64url(JSON, zlib-compressed when that is shorter) ":" base62(unix time) ":" base64url(HMAC-SHA256)
///
/// The MAC key is Django's `salted_hmac(salt + "signer", ..., SECRET_KEY)`:
/// SHA-256(salt + "signer" + SECRET_KEY). The `.` says the payload is
/// compressed; it is under the signature, so nobody can make the server
/// inflate bytes it did not sign. Used by the `signed_cookies` engine and for
/// `session_data` in `django_session` (`SessionDataSigning`), so either side
/// of a Django shop sharing the `SECRET_KEY` reads what the other wrote.
public struct Signing: Sendable {
    private let macKey: HMACSHA256Key
    /// A signed payload never inflates beyond this (a session is far smaller).
    static let decompressedLimit = 16 << 20

    public init(secretKey: String, salt: String) {
        self.macKey = HMACSHA256Key(Crypto.sha256(salt + "signer" + secretKey))
    }

    /// `sign_object(obj, compress=...)` for `json`, the serializer's output
    /// (ASCII, as Python's `json.dumps` writes it), signed at `timestamp`.
    public func signObject(json: [UInt8], compress: Bool, timestamp: Int) -> String {
        var payload = json
        var compressed = false
        if compress {
            let deflated = Zlib.compress(json)
            if deflated.count < json.count - 1 {
                payload = deflated
                compressed = true
            }
        }
        // Built as bytes and signed in place: joining five strings, then copying the value
        // back to bytes for its MAC, cost an add-to-cart's save some 3,000 instructions.
        var signed: [UInt8] = []
        signed.reserveCapacity(payload.count / 3 * 4 + 64)
        if compressed { signed.append(UInt8(ascii: ".")) }
        signed.append(contentsOf: Crypto.base64URLEncode(payload).utf8)
        signed.append(UInt8(ascii: ":"))
        signed.append(contentsOf: Signing.base62Encode(timestamp).utf8)
        let mac = signature(of: signed)
        signed.append(UInt8(ascii: ":"))
        signed.append(contentsOf: mac.utf8)
        return String(decoding: signed, as: UTF8.self)
    }

    /// `unsign_object`: the JSON bytes and the signing time, or nil when the
    /// signature does not match (tampered, another key or salt), the format is
    /// broken, or the value is older than `maxAge` seconds (when given).
    public func unsignObject(_ signed: String, maxAge: Int? = nil, now: Date = Date()) -> (json: [UInt8], timestamp: Int)? {
        let bytes = Array(signed.utf8)
        guard let signatureStart = bytes.lastIndex(of: UInt8(ascii: ":")) else { return nil }
        let value = bytes[..<signatureStart]
        let expected = Array(signature(of: value).utf8)
        guard ConstantTime.equals(Array(bytes[(signatureStart + 1)...]), expected) else { return nil }
        guard let timeStart = value.lastIndex(of: UInt8(ascii: ":")),
              let timestamp = Signing.base62Decode(value[(timeStart + 1)...]) else { return nil }
        if let maxAge, now.timeIntervalSince1970 - TimeInterval(timestamp) > TimeInterval(maxAge) { return nil }
        var payload = value[..<timeStart]
        let compressed = payload.first == UInt8(ascii: ".")
        if compressed { payload = payload.dropFirst() }
        guard let decoded = Crypto.base64URLDecode(String(decoding: payload, as: UTF8.self)) else { return nil }
        if !compressed { return (decoded, timestamp) }
        guard let inflated = Zlib.decompress(decoded, limit: Signing.decompressedLimit) else { return nil }
        return (inflated, timestamp)
    }

    /// Django's `base64_hmac(salt + "signer", value, key)`.
    func signature(of value: some Collection<UInt8>) -> String {
        Crypto.base64URLEncode(macKey.mac(value))
    }

    func signature(of value: String) -> String { signature(of: Array(value.utf8)) }

    // MARK: base62, for the timestamp

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
        digits.reverse()  // in place: a reversed view made String(decoding:) cast its way to the bytes
        return String(decoding: digits, as: UTF8.self)
    }

    /// Django's `signing.b62_decode`, for non-negative values that fit (nil otherwise).
    static func base62Decode(_ text: some Collection<UInt8>) -> Int? {
        guard !text.isEmpty, text.count <= 10 else { return nil }
        var value = 0
        for byte in text {
            guard let digit = base62Digits.firstIndex(of: byte) else { return nil }
            value = value * 62 + digit
        }
        return value
    }

    static func base62Decode(_ text: Substring) -> Int? { base62Decode(Array(text.utf8)) }
}
