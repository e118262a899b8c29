/// Middleware around the views of a route group: it may answer by itself
/// (the admin's staff gate redirects to the login page) or call `next` and
/// change what it returns (the admin's no-cache headers).
public typealias Middleware = (RequestContext, _ next: View) throws -> Response

/// What routes can be added to: the router itself and its groups. `get`,
/// `post` and `group` are built on `add`, as Hummingbird's RouterMethods.
public protocol RouteRegistering {
    mutating func add(_ methods: Set<String>, _ pattern: String, name: String?, effects: ViewEffects, _ view: @escaping View)
}

extension RouteRegistering {
    public mutating func add(_ methods: Set<String>, _ pattern: String, _ view: @escaping View) {
        add(methods, pattern, name: nil, effects: .any, view)
    }

    public mutating func add(_ methods: Set<String>, _ pattern: String, name: String?, _ view: @escaping View) {
        add(methods, pattern, name: name, effects: .any, view)
    }

    public mutating func get(_ pattern: String, name: String? = nil, _ view: @escaping View) {
        add(["GET"], pattern, name: name, effects: .any, view)
    }

    /// `effects: .sessionOnly` for a view that changes nothing but the session (see `ViewEffects`).
    public mutating func post(_ pattern: String, name: String? = nil, effects: ViewEffects = .any, _ view: @escaping View) {
        add(["POST"], pattern, name: name, effects: effects, view)
    }

    /// Routes under `prefix`, each wrapped in `middleware` (the first is the
    /// outermost). The middleware covers only the routes added in `build`.
    public mutating func group(_ prefix: String, middleware: [Middleware] = [], _ build: (inout RouteGroup) -> Void) {
        var group = RouteGroup(prefix: prefix)
        build(&group)
        for route in group.routes {
            let view = middleware.reversed().reduce(route.view) { next, layer in { context in try layer(context, next) } }
            add(route.methods, route.pattern, name: route.name, effects: route.effects, view)
        }
    }
}

/// Routes collected under a prefix; `Router.group` adds them wrapped in the group's middleware.
public struct RouteGroup: RouteRegistering {
    struct Pending {
        var methods: Set<String>
        var pattern: String
        var name: String?
        var effects: ViewEffects
        var view: View
    }

    let prefix: String
    private(set) var routes: [Pending] = []

    init(prefix: String) { self.prefix = prefix }

    public mutating func add(_ methods: Set<String>, _ pattern: String, name: String?, effects: ViewEffects, _ view: @escaping View) {
        routes.append(Pending(methods: methods, pattern: RouteGroup.join(prefix, pattern), name: name, effects: effects, view: view))
    }

    /// `/admin/` + `shop/product/` → `/admin/shop/product/`; `/admin/` + `` → `/admin/`.
    static func join(_ prefix: String, _ pattern: String) -> String {
        let head = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        if pattern.isEmpty { return head + "/" }
        return head + (pattern.hasPrefix("/") ? pattern : "/" + pattern)
    }
}
