/// Random strings over an alphabet (session keys, CSRF secrets and masks, salts,
/// cart tokens) from OpenSSL's CSPRNG, through `RandomBytePool`. The standard
/// library's generator made a getrandom(2) system call per character, which was
/// 12% of a cart page (six masked CSRF tokens). Workers never share a stream: OpenSSL
/// reseeds after fork, and the pool empties itself in a fork's child.
public enum RandomString {
    public static func make(length: Int, alphabet: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: length) { buffer in
            fill(buffer, alphabet: alphabet)
            return length
        }
    }

    /// Fills `buffer` with characters of `alphabet`, each equally likely.
    static func fill(_ buffer: UnsafeMutableBufferPointer<UInt8>, alphabet: [UInt8]) {
        precondition(!alphabet.isEmpty && alphabet.count <= 256)
        // Rejection sampling: bytes past the last whole multiple of the alphabet are
        // dropped, so every character is equally likely (no modulo bias).
        let limit = 256 - 256 % alphabet.count
        var filled = 0
        while filled < buffer.count {
            for byte in Crypto.randomBytes(buffer.count - filled + 16) where Int(byte) < limit {
                buffer[filled] = alphabet[Int(byte) % alphabet.count]
                filled += 1
                if filled == buffer.count { break }
            }
        }
    }
}

/// The alphabets tokens are drawn from (`RandomString.make`), and whether text is made only of
/// one's bytes: session keys, cart tokens and CSRF secrets are checked on every request, where a
/// search of the alphabet for each byte was 1% of an add-to-cart's CPU.
public enum TokenAlphabet {
    /// `[a-z0-9]`: session keys (as Django draws them) and cart tokens.
    public static let lowercaseAlphanumeric = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
    /// `[a-zA-Z0-9]`: CSRF secrets and masks (as Django draws them).
    public static let alphanumeric = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)

    /// Text made only of `lowercaseAlphanumeric`'s bytes.
    public static func isLowercaseAlphanumeric(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { $0.allSatisfy { (97...122).contains($0) || (48...57).contains($0) } }
    }

    /// Text made only of `alphanumeric`'s bytes. Over the bytes in place, as the one above: through
    /// the UTF-8 view's iterator a CSRF token's checks were 1.6% of an add-to-cart's instructions.
    public static func isAlphanumeric(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { $0.allSatisfy { (97...122).contains($0) || (65...90).contains($0) || (48...57).contains($0) } }
    }
}
