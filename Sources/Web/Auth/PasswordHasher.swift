/// Django's default password hasher: `pbkdf2_sha256$iterations$salt$hash`
/// (base64 of PBKDF2-HMAC-SHA256), so users created here log in to a Django
/// shop on the same data and the other way round.
public enum PasswordHasher {
    /// Django 5.2's default work factor.
    public static let defaultIterations = 1_000_000
    static let algorithm = "pbkdf2_sha256"
    static let saltAlphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)

    public static func encode(_ password: String, salt: String? = nil, iterations: Int = defaultIterations) -> String {
        let salt = salt ?? randomSalt()
        let hash = Crypto.pbkdf2SHA256(password: password, salt: salt, iterations: iterations)
        return "\(algorithm)$\(iterations)$\(salt)$\(Crypto.base64Encode(hash))"
    }

    /// Whether `password` matches `encoded`; the iterations are read from the stored hash.
    /// Comparison in constant time; anything malformed is simply false.
    public static func verify(_ password: String, against encoded: String) -> Bool {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == algorithm, let iterations = Int(parts[1]),
              (1...10_000_000).contains(iterations), !parts[2].isEmpty
        else { return false }
        let expected = encode(password, salt: String(parts[2]), iterations: iterations)
        return ConstantTime.equals(expected, encoded)
    }

    /// 22 characters of [a-zA-Z0-9], as Django's `get_random_string(22)`.
    static func randomSalt() -> String {
        RandomString.make(length: 22, alphabet: saltAlphabet)
    }
}
