/// A view: a plain function from the request's context to a response. No globals,
/// so a test can call one with a context it built by hand.
public typealias View = (RequestContext) throws -> Response

/// URL patterns like Django's `path()`: literal segments, `{name}` for a slug
/// segment (`[-a-zA-Z0-9_]+`) and `{name:int}` for a positive integer.
/// Routes are tried in the order they were added, as in urls.py.
public struct Router: Sendable {
    struct Route: @unchecked Sendable {
        var methods: Set<String>
        var pattern: RoutePattern
        var view: View
    }

    private var routes: [Route] = []

    public init() {}

    public mutating func add(_ methods: Set<String>, _ pattern: String, _ view: @escaping View) {
        var methods = methods
        if methods.contains("GET") { methods.insert("HEAD") }
        routes.append(Route(methods: methods, pattern: RoutePattern(pattern), view: view))
    }

    public mutating func get(_ pattern: String, _ view: @escaping View) { add(["GET"], pattern, view) }
    public mutating func post(_ pattern: String, _ view: @escaping View) { add(["POST"], pattern, view) }

    public enum Match {
        case found(View, parameters: [String: String])
        case methodNotAllowed(allowed: Set<String>)
        /// The path without its trailing slash would match: redirect like Django's APPEND_SLASH.
        case appendSlash
        case notFound
    }

    public func match(method: String, path: String) -> Match {
        let segments = RoutePattern.segments(of: path)
        var allowed: Set<String> = []
        for route in routes {
            guard let parameters = route.pattern.match(segments, trailingSlash: path.hasSuffix("/")) else { continue }
            if route.methods.contains(method) { return .found(route.view, parameters: parameters) }
            allowed.formUnion(route.methods)
        }
        if !allowed.isEmpty { return .methodNotAllowed(allowed: allowed) }
        if !path.hasSuffix("/"), routes.contains(where: { $0.pattern.match(segments, trailingSlash: true) != nil }) {
            return .appendSlash
        }
        return .notFound
    }
}

struct RoutePattern: Sendable {
    enum Segment: Sendable {
        case literal(String)
        case slug(String)
        case int(String)
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

    func match(_ parts: [String], trailingSlash: Bool) -> [String: String]? {
        guard parts.count == segments.count, trailingSlash == self.trailingSlash else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let text):
                guard text == part else { return nil }
            case .slug(let name):
                guard part.utf8.allSatisfy(RoutePattern.isSlugByte) else { return nil }
                parameters[name] = part
            case .int(let name):
                guard part.utf8.count <= 18, part.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
                parameters[name] = part
            }
        }
        return parameters
    }

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
