/// Django's default password hasher: `pbkdf2_sha256$iterations$salt$hash`
/// (base64 of PBKDF2-HMAC-SHA256), so users created here log in to a Django
/// shop on the same data and the other way round. A hash is verified at the
/// iteration count it names (a Django 3.x database has 260,000); new ones use
/// `defaultIterations`, and a login with an older count re-hashes (`mustUpdate`).
public enum PasswordHasher {
    /// Django 5.2's default work factor.
    public static let defaultIterations = 1_000_000
    static let algorithm = "pbkdf2_sha256"
    static let saltAlphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
    /// Above this a stored hash is refused rather than computed for minutes.
    static let maximumIterations = 10_000_000

    public static func encode(_ password: String, salt: String? = nil, iterations: Int = defaultIterations) -> String {
        let salt = salt ?? randomSalt()
        let hash = Crypto.pbkdf2SHA256(password: password, salt: salt, iterations: iterations)
        return "\(algorithm)$\(iterations)$\(salt)$\(Crypto.base64Encode(hash))"
    }

    /// The parts of a well-formed hash, or nil.
    static func decode(_ encoded: String) -> (iterations: Int, salt: String)? {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == algorithm, let iterations = Int(parts[1]),
              (1...maximumIterations).contains(iterations), !parts[2].isEmpty
        else { return nil }
        return (iterations, String(parts[2]))
    }

    /// Whether `password` matches `encoded`; the iterations are read from the stored hash.
    /// Comparison in constant time; anything malformed (or Django's unusable `!...`) is false.
    public static func verify(_ password: String, against encoded: String) -> Bool {
        guard let (iterations, salt) = decode(encoded) else { return false }
        let expected = encode(password, salt: salt, iterations: iterations)
        return ConstantTime.equals(expected, encoded)
    }

    /// Django's `must_update`: the stored hash uses fewer iterations than new ones would.
    public static func mustUpdate(_ encoded: String, iterations: Int = defaultIterations) -> Bool {
        guard let decoded = decode(encoded) else { return false }
        return decoded.iterations < iterations
    }

    /// Django's `harden_runtime` for unknown users: spend a hash's time anyway, so
    /// the answer's timing does not tell which usernames exist.
    public static func spendVerificationTime(iterations: Int = defaultIterations) {
        _ = encode("", salt: "timing", iterations: iterations)
    }

    /// 22 characters of [a-zA-Z0-9], as Django's `get_random_string(22)`.
    static func randomSalt() -> String {
        RandomString.make(length: 22, alphabet: saltAlphabet)
    }
}
