/// One URL pattern: `/cart/add/{product_id:int}/`.
struct RoutePattern: Sendable {
    enum Segment: Sendable {
        case literal(String)
        case slug(String)
        case int(String)

        /// literal > int > slug: what a segment accepts, from the narrowest.
        var specificity: Int {
            switch self {
            case .literal: 2
            case .int: 1
            case .slug: 0
            }
        }
    }

    let segments: [Segment]
    let trailingSlash: Bool
    /// Each segment's text as bytes (empty for a parameter), compared with a path's in place.
    private let literals: [[UInt8]]

    init(_ pattern: String) {
        trailingSlash = pattern.hasSuffix("/")
        segments = pattern.split(separator: "/").map { part in
            guard part.hasPrefix("{"), part.hasSuffix("}") else { return .literal(String(part)) }
            let inner = part.dropFirst().dropLast().split(separator: ":")
            let name = String(inner[0])
            return inner.count > 1 && inner[1] == "int" ? .int(name) : .slug(name)
        }
        literals = segments.map { if case .literal(let text) = $0 { Array(text.utf8) } else { [] } }
    }

    /// Where a request path's segments lie in its bytes: split at the byte `/`, with no
    /// `String` made per segment (splitting by `Character`, each segment copied, was most
    /// of a request's routing). Only the parameters a route takes become strings.
    static func segments(of path: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var segments: [Range<Int>] = []
        var start = 0
        for index in 0...path.count where index == path.count || path[index] == UInt8(ascii: "/") {
            if index > start { segments.append(start..<index) }
            start = index + 1
        }
        return segments
    }

    /// Whether this pattern should be tried before `other`: at the first segment
    /// where they differ in kind, this one is narrower.
    func isMoreSpecific(than other: RoutePattern) -> Bool {
        for (mine, theirs) in zip(segments, other.segments) where mine.specificity != theirs.specificity {
            return mine.specificity > theirs.specificity
        }
        return false
    }

    /// `parts` are where `path`'s segments lie (`segments(of:)`). Literal segments are compared
    /// byte for byte, as Django compares them (`String`'s `==` would take a Kelvin sign for a K).
    func match(_ path: UnsafeBufferPointer<UInt8>, _ parts: [Range<Int>], trailingSlash: Bool) -> [String: String]? {
        guard parts.count == segments.count, trailingSlash == self.trailingSlash else { return nil }
        // The literals first: most routes are refused there, before a parameter is made.
        for (literal, part) in zip(literals, parts) where !literal.isEmpty {
            guard UnsafeBufferPointer(rebasing: path[part]).elementsEqual(literal) else { return nil }
        }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            let bytes = UnsafeBufferPointer(rebasing: path[part])
            switch segment {
            case .literal:
                continue
            case .slug(let name):
                guard RoutePattern.isSlug(bytes) else { return nil }
                parameters[name] = String(decoding: bytes, as: UTF8.self)
            case .int(let name):
                guard RoutePattern.isInt(bytes) else { return nil }
                parameters[name] = String(decoding: bytes, as: UTF8.self)
            }
        }
        return parameters
    }

    static func isInt(_ text: String) -> Bool { isInt(text.utf8) }

    static func isInt<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        !bytes.isEmpty && bytes.count <= 18 && bytes.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    static func isSlug(_ text: String) -> Bool { isSlug(text.utf8) }

    static func isSlug<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool { !bytes.isEmpty && bytes.allSatisfy(isSlugByte) }

    static func isSlugByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }
}
