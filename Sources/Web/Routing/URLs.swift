/// Reverses named routes into paths, as Django's `reverse()`:
/// `urls.path("cart:add", ["product_id": 12])` is `/cart/add/12/`. So no view
/// or template writes a URL by hand, and a route moved in one place moves everywhere.
public struct URLs: @unchecked Sendable {
    let patterns: [String: RoutePattern]

    public init() { self.init(patterns: [:]) }

    init(patterns: [String: RoutePattern]) {
        self.patterns = patterns
        var apps: [String: [String: TemplateValue]] = [:]
        for (name, pattern) in patterns where pattern.segments.allSatisfy({ if case .literal = $0 { true } else { false } }) {
            let parts = name.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            let path = "/" + pattern.segments.map { if case .literal(let text) = $0 { text } else { "" } }.joined(separator: "/")
            apps[parts[0], default: [:]][parts[1]] = .string(pattern.trailingSlash && path != "/" ? path + "/" : path)
        }
        staticPaths = .object(TemplateObject(apps.mapValues { .object(TemplateObject($0)) }))
    }

    /// The routes without parameters by app and name (`url.cart.cart_detail`), for every template.
    public var templateValue: TemplateValue { staticPaths }

    private let staticPaths: TemplateValue

    public struct NoReverseMatch: Error, CustomStringConvertible {
        public let name: String
        public let reason: String
        public var description: String { "Reverse for '\(name)' failed: \(reason)" }
    }

    /// The path of route `name` with its parameters filled in. Each value must
    /// fit its segment (digits for `{x:int}`, a slug for `{x}`), so a path made
    /// here always routes back to the same view.
    public func path(_ name: String, _ parameters: [String: any CustomStringConvertible] = [:]) throws -> String {
        guard let pattern = patterns[name] else { throw NoReverseMatch(name: name, reason: "no route has that name") }
        var path = ""
        for segment in pattern.segments {
            switch segment {
            case .literal(let text):
                path += "/" + text
            case .int(let key):
                guard let value = parameters[key]?.description, RoutePattern.isInt(value) else {
                    throw NoReverseMatch(name: name, reason: "'\(key)' must be a positive integer")
                }
                path += "/" + value
            case .slug(let key):
                guard let value = parameters[key]?.description, RoutePattern.isSlug(value) else {
                    throw NoReverseMatch(name: name, reason: "'\(key)' must be a slug")
                }
                path += "/" + value
            }
        }
        return pattern.trailingSlash || path.isEmpty ? path + "/" : path
    }

    /// Whether a route of that name exists.
    public func has(_ name: String) -> Bool { patterns[name] != nil }
}
