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
    }

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
        let segments = RoutePattern.segments(of: path)
        let trailingSlash = path.hasSuffix("/")
        var allowed: Set<String> = []
        // By index: `for route in routes` copied every route (its set, pattern and closure
        // retained and released) on every request, for the few that match.
        for index in routes.indices {
            guard let parameters = routes[index].pattern.match(segments, trailingSlash: trailingSlash) else { continue }
            let route = routes[index]
            if route.methods.contains(method) { return .found(route.view, parameters: parameters, effects: route.effects) }
            allowed.formUnion(route.methods)
        }
        if !allowed.isEmpty { return .methodNotAllowed(allowed: allowed) }
        if !path.hasSuffix("/"), routes.contains(where: { $0.pattern.match(segments, trailingSlash: true) != nil }) {
            return .appendSlash
        }
        return .notFound
    }
}
