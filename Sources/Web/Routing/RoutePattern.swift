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

    init(_ pattern: String) {
        trailingSlash = pattern.hasSuffix("/")
        segments = RoutePattern.segments(of: pattern).map { part in
            guard part.hasPrefix("{"), part.hasSuffix("}") else { return .literal(part) }
            let inner = part.dropFirst().dropLast().split(separator: ":")
            let name = String(inner[0])
            return inner.count > 1 && inner[1] == "int" ? .int(name) : .slug(name)
        }
    }

    static func segments(of path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    /// Whether this pattern should be tried before `other`: at the first segment
    /// where they differ in kind, this one is narrower.
    func isMoreSpecific(than other: RoutePattern) -> Bool {
        for (mine, theirs) in zip(segments, other.segments) where mine.specificity != theirs.specificity {
            return mine.specificity > theirs.specificity
        }
        return false
    }

    func match(_ parts: [String], trailingSlash: Bool) -> [String: String]? {
        guard parts.count == segments.count, trailingSlash == self.trailingSlash else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let text):
                guard text == part else { return nil }
            case .slug(let name):
                guard RoutePattern.isSlug(part) else { return nil }
                parameters[name] = part
            case .int(let name):
                guard RoutePattern.isInt(part) else { return nil }
                parameters[name] = part
            }
        }
        return parameters
    }

    static func isInt(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 18 && text.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    static func isSlug(_ text: String) -> Bool { !text.isEmpty && text.utf8.allSatisfy(isSlugByte) }

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
