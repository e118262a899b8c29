/// HTML escaping for template output: the five characters Django escapes.
/// Byte-level, and the string is returned untouched when nothing needs escaping.
public enum HTML {
    public static func escape(_ text: String) -> String {
        var text = text
        guard text.withUTF8({ $0.contains { entity(for: $0) != nil } }) else { return text }
        var output = HTMLOutput(capacity: text.utf8.count + 16)
        output.appendEscaped(text)
        return String(decoding: output.bytes, as: UTF8.self)
    }

    private static let ampersand = Array("&amp;".utf8), lessThan = Array("&lt;".utf8), greaterThan = Array("&gt;".utf8)
    private static let quote = Array("&quot;".utf8), apostrophe = Array("&#39;".utf8)

    /// The entity that stands for `byte`, or nil when it is written as it is.
    @inline(__always)
    static func entity(for byte: UInt8) -> [UInt8]? {
        // All five are at or below ">" (0x3E): one compare passes letters and most punctuation by.
        guard byte <= UInt8(ascii: ">") else { return nil }
        switch byte {
        case UInt8(ascii: "&"): return ampersand
        case UInt8(ascii: "<"): return lessThan
        case UInt8(ascii: ">"): return greaterThan
        case UInt8(ascii: "\""): return quote
        case UInt8(ascii: "'"): return apostrophe
        default: return nil
        }
    }
}
