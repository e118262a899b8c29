/// A page as it is rendered: the response body's bytes, appended to in place.
///
/// Rendering into a `String` cost some 300 instructions an append (`String.append` goes through
/// `_StringGuts`' capacity checks and `DefaultStringInterpolation`): a cart page appends about
/// 35 times, a tenth of its worker's instructions, and the finished text was then copied into
/// the body's bytes. A native string's UTF-8 is contiguous, so appending it here is a `memcpy`.
struct HTMLOutput {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// `text` escaped as `HTML.escape` does it, written straight here: the runs between the
    /// five characters whole, each of those as its entity.
    mutating func appendEscaped(_ text: String) {
        var text = text
        text.withUTF8 { source in
            var start = 0
            for index in 0..<source.count {
                guard let entity = HTML.entity(for: source[index]) else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[start..<index]))
                bytes.append(contentsOf: entity)
                start = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[start...]))
        }
    }
}
