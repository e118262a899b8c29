/// Text from bytes that must be UTF-8 (a form's names and values, a session's JSON strings):
/// nil when they are not. ASCII, nearly every byte the shop receives, is recognized by one
/// pass over the bytes and taken as it is; anything else goes through the standard library's
/// validation, whose generic path cost more than the rest of a form's parsing under `perf`.
enum UTF8Text {
    static func validated(_ bytes: ArraySlice<UInt8>) -> String? {
        bytes.withUnsafeBufferPointer { validated($0) }
    }

    static func validated(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBufferPointer { validated($0) }
    }

    static func validated(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var high: UInt8 = 0
        for byte in bytes { high |= byte }
        if high < 0x80 { return String(decoding: bytes, as: UTF8.self) }
        return String(validating: bytes, as: UTF8.self)
    }
}
