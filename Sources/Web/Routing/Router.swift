/// A view: a plain function from the request's context to a response. No globals,
/// so a test can call one with a context it built by hand.
public typealias View = (RequestContext) throws -> Response

/// The URL table, like Django's urlpatterns: patterns with literal segments,
/// `{name}` for a slug segment (`[-a-zA-Z0-9_]+`) and `{name:int}` for a
/// positive integer. Among patterns that match a path, the most specific wins
/// (a literal segment beats a parameter, segment by segment, as Hummingbird's
/// trie does), so `/cart/` is never taken for the category `/{category_slug}/`
/// whatever order the apps are listed in; equally specific ones keep their order.
/// Routes may carry a name for `URLs.reverse`, and groups add a prefix and
/// middleware (`group(_:middleware:_:)`).
public struct Router: RouteRegistering, Sendable {
    struct Route: @unchecked Sendable {
        var methods: Set<String>
        var pattern: RoutePattern
        var name: String?
        var effects: ViewEffects
        var view: View
    }

    /// In matching order: most specific first, then in the order added.
    private var routes: [Route] = []

    public init() {}

    public mutating func add(_ methods: Set<String>, _ pattern: String, name: String?, effects: ViewEffects, _ view: @escaping View) {
        var methods = methods
        if methods.contains("GET") { methods.insert("HEAD") }
        let route = Route(methods: methods, pattern: RoutePattern(pattern), name: name, effects: effects, view: view)
        let position = routes.firstIndex { route.pattern.isMoreSpecific(than: $0.pattern) } ?? routes.endIndex
        routes.insert(route, at: position)
        routesBySegmentCount = Array(repeating: [], count: (routes.map(\.pattern.segments.count).max() ?? 0) + 1)
        for route in routes { routesBySegmentCount[route.pattern.segments.count].append(route) }
    }

    /// The same routes, in the same order, by how many segments they have: a path is
    /// only tried against those it could match (trying every route of the shop was half of
    /// a request's routing).
    private var routesBySegmentCount: [[Route]] = []

    /// The named routes, for reversing.
    public var urls: URLs {
        URLs(patterns: Dictionary(routes.compactMap { route in route.name.map { ($0, route.pattern) } },
                                  uniquingKeysWith: { first, _ in first }))
    }

    public enum Match {
        case found(View, parameters: [String: String], effects: ViewEffects)
        case methodNotAllowed(allowed: Set<String>)
        /// The path without its trailing slash would match: redirect like Django's APPEND_SLASH.
        case appendSlash
        case notFound
    }

    public func match(method: String, path: String) -> Match {
        var path = path
        return path.withUTF8 { path in
            let segments = RoutePattern.segments(of: path)
            let trailingSlash = path.last == UInt8(ascii: "/")
            guard segments.count < routesBySegmentCount.count else { return .notFound }
            let candidates = routesBySegmentCount[segments.count]
            var allowed: Set<String> = []
            // By index: `for route in candidates` copied every route (its set, pattern and
            // closure retained and released) on every request, for the few that match.
            for index in candidates.indices {
                guard let parameters = candidates[index].pattern.match(path, segments, trailingSlash: trailingSlash) else { continue }
                let route = candidates[index]
                if route.methods.contains(method) { return .found(route.view, parameters: parameters, effects: route.effects) }
                allowed.formUnion(route.methods)
            }
            if !allowed.isEmpty { return .methodNotAllowed(allowed: allowed) }
            if !trailingSlash, candidates.contains(where: { $0.pattern.match(path, segments, trailingSlash: true) != nil }) {
                return .appendSlash
            }
            return .notFound
        }
    }
}
