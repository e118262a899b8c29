/// Django's `salted_hmac(key_salt, value, secret, algorithm="sha256")`:
/// HMAC-SHA256 keyed with SHA-256(key_salt + secret).
public enum SaltedHMAC {
    public static func digest(keySalt: String, value: String, secret: String) -> [UInt8] {
        Crypto.hmacSHA256(key: Crypto.sha256(keySalt + secret), message: Array(value.utf8))
    }

    /// The digest as lower-case hex (`.hexdigest()`).
    public static func hex(keySalt: String, value: String, secret: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in digest(keySalt: keySalt, value: value, secret: secret) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
