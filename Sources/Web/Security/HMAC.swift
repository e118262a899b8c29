import COpenSSL

/// The cryptographic primitives the framework needs, from OpenSSL's libcrypto:
/// SHA-256, HMAC-SHA256, PBKDF2-HMAC-SHA256 (Django's password hasher), a
/// CSPRNG, and the base64 forms Django's `signing` module uses.
public enum Crypto {
    public static let sha256Length = 32

    // MARK: Digests

    public static func sha256(_ message: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(message), input = nonEmpty(bytes)
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = EVP_Digest(input, bytes.count, &digest, &length, EVP_sha256(), nil)
        precondition(ok == 1 && length == UInt32(sha256Length), "EVP_Digest(SHA-256) failed")
        return Array(digest[0..<Int(length)])
    }

    public static func sha256(_ message: String) -> [UInt8] { sha256(Array(message.utf8)) }

    /// One MAC under a key used once; a key used for many (a signer's) is kept as an
    /// `HMACSHA256Key`, which this is built on.
    public static func hmacSHA256(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        HMACSHA256Key(key).mac(message)
    }

    public static func hmacSHA256(key: String, message: String) -> [UInt8] {
        hmacSHA256(key: Array(key.utf8), message: Array(message.utf8))
    }

    /// PBKDF2 with HMAC-SHA256, as Django's `PBKDF2PasswordHasher`.
    public static func pbkdf2SHA256(password: some Collection<UInt8>, salt: some Collection<UInt8>, iterations: Int, keyLength: Int = 32) -> [UInt8] {
        precondition(iterations > 0 && iterations <= Int(Int32.max) && keyLength > 0 && keyLength <= 1024, "bad PBKDF2 parameters")
        let password = Array(password), salt = Array(salt)
        let passwordInput = nonEmpty(password).map { CChar(bitPattern: $0) }, saltInput = nonEmpty(salt)
        var output = [UInt8](repeating: 0, count: keyLength)
        let ok = PKCS5_PBKDF2_HMAC(passwordInput, Int32(password.count), saltInput, Int32(salt.count),
                                   Int32(iterations), EVP_sha256(), Int32(keyLength), &output)
        precondition(ok == 1, "PKCS5_PBKDF2_HMAC failed")
        return output
    }

    public static func pbkdf2SHA256(password: String, salt: String, iterations: Int, keyLength: Int = 32) -> [UInt8] {
        pbkdf2SHA256(password: Array(password.utf8), salt: Array(salt.utf8), iterations: iterations, keyLength: keyLength)
    }

    /// `count` bytes from OpenSSL's CSPRNG (seeded from getrandom; fork-safe in OpenSSL 3),
    /// through `RandomBytePool`.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { RandomBytePool.fill($0) }
        return bytes
    }

    /// Compares two MACs or digests in constant time.
    public static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        ConstantTime.equals(lhs, rhs)
    }

    /// The bytes to hand OpenSSL: a zero-length input still needs a valid pointer,
    /// so an empty array is passed as one zero byte with a length of 0.
    private static func nonEmpty(_ bytes: [UInt8]) -> [UInt8] { bytes.isEmpty ? [0] : bytes }

    // MARK: Base64

    private static let standardAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let urlAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Standard base64 with `=` padding (Django's password hashes).
    public static func base64Encode(_ bytes: some Collection<UInt8>) -> String {
        encode(Array(bytes), alphabet: standardAlphabet, padding: true)
    }

    /// Standard base64; padding optional; nil for anything else.
    public static func base64Decode(_ text: String) -> [UInt8]? {
        decode(text, urlSafe: false)
    }

    /// URL-safe base64 without padding, as Django's `signing.b64_encode`.
    public static func base64URLEncode(_ bytes: some Collection<UInt8>) -> String {
        encode(Array(bytes), alphabet: urlAlphabet, padding: false)
    }

    /// URL-safe base64, padding optional; nil for anything else.
    public static func base64URLDecode(_ text: String) -> [UInt8]? {
        decode(text, urlSafe: true)
    }

    /// Written straight into the string's storage: appending to an array, bounds-checked byte by
    /// byte, then copying it into a string cost a session save some 5,000 instructions (callgrind).
    private static func encode(_ bytes: [UInt8], alphabet: [UInt8], padding: Bool) -> String {
        let whole = bytes.count / 3, rest = bytes.count % 3
        let length = whole * 4 + (rest == 0 ? 0 : padding ? 4 : rest + 1)
        guard length > 0 else { return "" }
        return bytes.withUnsafeBufferPointer { input in
            alphabet.withUnsafeBufferPointer { table in
                String(unsafeUninitializedCapacity: length) { output in
                    var read = 0, written = 0
                    for _ in 0..<whole {
                        let chunk = UInt32(input[read]) << 16 | UInt32(input[read + 1]) << 8 | UInt32(input[read + 2])
                        output[written] = table[Int(chunk >> 18 & 63)]
                        output[written + 1] = table[Int(chunk >> 12 & 63)]
                        output[written + 2] = table[Int(chunk >> 6 & 63)]
                        output[written + 3] = table[Int(chunk & 63)]
                        read += 3
                        written += 4
                    }
                    if rest > 0 {
                        let chunk = UInt32(input[read]) << 16 | (rest == 2 ? UInt32(input[read + 1]) << 8 : 0)
                        output[written] = table[Int(chunk >> 18 & 63)]
                        output[written + 1] = table[Int(chunk >> 12 & 63)]
                        written += 2
                        if rest == 2 {
                            output[written] = table[Int(chunk >> 6 & 63)]
                            written += 1
                        }
                        if padding {
                            for _ in rest..<3 {
                                output[written] = UInt8(ascii: "=")
                                written += 1
                            }
                        }
                    }
                    return written
                }
            }
        }
    }

    private static func sextet(_ byte: UInt8, urlSafe: Bool) -> UInt32? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt32(byte - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt32(byte - UInt8(ascii: "a") + 26)
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0") + 52)
        case UInt8(ascii: "+") where !urlSafe, UInt8(ascii: "-") where urlSafe: 62
        case UInt8(ascii: "/") where !urlSafe, UInt8(ascii: "_") where urlSafe: 63
        default: nil
        }
    }

    private static func decode(_ text: String, urlSafe: Bool) -> [UInt8]? {
        var input = Array(text.utf8)
        // Strip at most two trailing `=`, and only when they complete a 4-character group.
        if input.last == UInt8(ascii: "=") {
            guard input.count % 4 == 0 else { return nil }
            input.removeLast()
            if input.last == UInt8(ascii: "=") { input.removeLast() }
        }
        guard input.count % 4 != 1 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in input {
            guard let value = sextet(byte, urlSafe: urlSafe) else { return nil }
            accumulator = accumulator << 6 | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        // Leftover bits must be zero (a canonical encoding), so one value has one text form.
        guard accumulator == 0 else { return nil }
        return output
    }
}
