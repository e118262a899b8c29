/// Host names and media types compared as HTTP compares them, ignoring ASCII case, without
/// the copy `lowercased()` makes: every request lowered its Host and each allowed host, and
/// every POST its Content-Type twice. Over the bytes in place: iterating a `String`'s UTF-8
/// view cost more than the copy did (callgrind).
enum ASCIICase {
    /// `text` lowercased: itself when it has no capital letter to lower (no copy), else
    /// `lowercased()`, whose Unicode rules Django's `str.lower()` also applies.
    static func lowercased(_ text: String) -> String {
        var text = text
        let isLower = text.withUTF8 { bytes in
            // A capital letter, or a byte beyond ASCII (for Unicode's rules), needs lowering.
            for byte in bytes where byte &- UInt8(ascii: "A") < 26 || byte >= 0x80 { return false }
            return true
        }
        return isLower ? text : text.lowercased()
    }

    /// Whether `text` starts with `prefix`, a lowercase ASCII text, in any case.
    static func hasPrefix(_ text: String, _ prefix: StaticString) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.count >= prefix.utf8CodeUnitCount else { return false }
            let expected = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
            for (byte, wanted) in zip(bytes, expected) where byte != wanted {
                // Equal but for the case bit, and a letter.
                guard byte | 0x20 == wanted, wanted &- UInt8(ascii: "a") < 26 else { return false }
            }
            return true
        }
    }
}
