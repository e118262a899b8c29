/// The image formats an upload may be, recognised by their first bytes (the
/// client's file name and Content-Type are never trusted). The storage name's
/// extension comes from here.
public enum ImageKind: String, Sendable {
    case png, jpeg, gif, webp

    public var fileExtension: String { self == .jpeg ? "jpg" : rawValue }
    public var mimeType: String { "image/\(rawValue)" }

    /// The format of `bytes`, or nil when they do not start like a well-formed image.
    public init?(sniffing bytes: [UInt8]) {
        func matches(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && bytes[offset..<(offset + prefix.count)].elementsEqual(prefix)
        }
        func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }
        if matches([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            // The first chunk is IHDR (13 bytes) with a width and height above zero.
            guard matches(ascii("IHDR"), at: 12), bytes.count >= 33,
                  bytes[16..<20].contains(where: { $0 != 0 }), bytes[20..<24].contains(where: { $0 != 0 })
            else { return nil }
            self = .png
        } else if matches([0xFF, 0xD8, 0xFF]) {
            guard bytes.count >= 4, bytes[3] >= 0xC0 else { return nil }  // a marker follows SOI
            self = .jpeg
        } else if matches(ascii("GIF87a")) || matches(ascii("GIF89a")) {
            guard bytes.count >= 13 else { return nil }  // header + logical screen descriptor
            self = .gif
        } else if matches(ascii("RIFF")), matches(ascii("WEBP"), at: 8) {
            guard matches(ascii("VP8 "), at: 12) || matches(ascii("VP8L"), at: 12) || matches(ascii("VP8X"), at: 12) else { return nil }
            self = .webp
        } else {
            return nil
        }
    }
}
