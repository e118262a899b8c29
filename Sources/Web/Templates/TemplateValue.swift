/// A value as templates see it. Views hand `[String: Any]` view-models; they
/// are converted once per render into this tree, so rendering does no dynamic
/// casts (swift-mustache's `as?` chains on `Any` were most of a page's cost).
public enum TemplateValue {
    case null
    case bool(Bool)
    case string(String)
    case list([TemplateValue])
    case object(TemplateObject)
    /// Computed only if a template shows it (the CSRF token: asking for one sets the cookie).
    case lazy(() -> String)
    /// Any value computed on first use only (the cart's lines, which most layouts never show).
    case deferred(DeferredValue)
    /// Kept HTML with this request's CSRF token spliced in as it is written (a cart line).
    case html(SplicedHTML)

    /// Converts a view-model value. Numbers become their text; an Optional's nil is null.
    public init(_ any: Any) {
        // Plain types first, collections after: a cast to a collection type walks the runtime's
        // slower paths, and converts a `[String: String]` element by element.
        switch any {
        case let value as String: self = .string(value)
        case let value as TemplateValue: self = value
        case let value as Bool: self = .bool(value)
        case let value as Int: self = .string(String(value))
        case let value as TemplateLazy: self = .lazy(value.compute)
        case let value as TemplateDeferred: self = .deferred(DeferredValue(value.compute))
        case let value as Substring: self = .string(String(value))
        case let value as [String: Any]: self = .object(TemplateObject(converting: value))
        case let value as [[String: Any]]: self = .list(value.map { .object(TemplateObject(converting: $0)) })
        case let value as [Any]: self = .list(value.map(TemplateValue.init))
        case let optional as AnyOptional: self = optional.wrapped.map(TemplateValue.init) ?? .null
        default: self = .string(String(describing: any))
        }
    }

    /// Mustache truthiness: false, null, empty lists and empty strings are false.
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let value): value
        case .string(let value): !value.isEmpty
        case .list(let items): !items.isEmpty
        case .object, .lazy: true
        case .deferred(let value): value.resolved.isTruthy
        case .html(let html): !html.isEmpty
        }
    }

    /// A deferred value computed; anything else as it is.
    var resolved: TemplateValue {
        if case .deferred(let value) = self { return value.resolved }
        return self
    }

    func member(_ name: String) -> TemplateValue? { member(TemplateKey(name)) }

    func member(_ key: TemplateKey) -> TemplateValue? {
        switch self {
        case .object(let members): members[key]?.resolved
        case .list(let items) where key.name == "count": .string(String(items.count))
        case .deferred(let value): value.resolved.member(key)
        default: nil
        }
    }
}

/// A value computed when (and only if) the template renders it.
public struct TemplateLazy {
    let compute: () -> String
    public init(_ compute: @escaping () -> String) { self.compute = compute }
}

/// A view-model value computed on first use, e.g. `TemplateDeferred { lines.map(...) }`.
public struct TemplateDeferred {
    let compute: () -> Any
    public init(_ compute: @escaping () -> Any) { self.compute = compute }
}

/// Computes its value once, when a template first looks at it: what `.deferred` holds, for a
/// value built as a `TemplateValue` (a `[String: Any]` view-model says `TemplateDeferred`).
public final class DeferredValue {
    private var compute: (() -> TemplateValue)?
    private var value: TemplateValue = .null

    /// A view-model value, converted when it is computed.
    public init(_ compute: @escaping () -> Any) { self.compute = { TemplateValue(compute()) } }

    /// A value computed as a template value already: no `Any` to cast (the layout's `user`, on every page).
    public init(template compute: @escaping () -> TemplateValue) { self.compute = compute }

    var resolved: TemplateValue {
        if let compute {
            value = compute()
            self.compute = nil
        }
        return value
    }
}

/// Lets `TemplateValue.init` see through an `Optional` stored in `Any`.
protocol AnyOptional { var wrapped: Any? { get } }
extension Optional: AnyOptional {
    var wrapped: Any? { self.map { $0 as Any } }
}
