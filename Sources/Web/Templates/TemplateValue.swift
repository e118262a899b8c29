/// A value as templates see it. Views hand `[String: Any]` view-models; they
/// are converted once per render into this tree, so rendering does no dynamic
/// casts (swift-mustache's `as?` chains on `Any` were most of a page's cost).
public enum TemplateValue {
    case null
    case bool(Bool)
    case string(String)
    case list([TemplateValue])
    case object([String: TemplateValue])
    /// Computed only if a template shows it (the CSRF token: asking for one sets the cookie).
    case lazy(() -> String)

    /// Converts a view-model value. Numbers become their text; an Optional's nil is null.
    public init(_ any: Any) {
        switch any {
        case let value as String: self = .string(value)
        case let value as Bool: self = .bool(value)
        case let value as Int: self = .string(String(value))
        case let value as [String: Any]: self = .object(value.mapValues(TemplateValue.init))
        case let value as [[String: Any]]: self = .list(value.map { .object($0.mapValues(TemplateValue.init)) })
        case let value as [Any]: self = .list(value.map(TemplateValue.init))
        case let value as TemplateValue: self = value
        case let value as TemplateLazy: self = .lazy(value.compute)
        case let value as Substring: self = .string(String(value))
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
        }
    }

    func member(_ name: String) -> TemplateValue? {
        switch self {
        case .object(let members): members[name]
        case .list(let items) where name == "count": .string(String(items.count))
        default: nil
        }
    }
}

/// A value computed when (and only if) the template renders it.
public struct TemplateLazy {
    let compute: () -> String
    public init(_ compute: @escaping () -> String) { self.compute = compute }
}

/// Lets `TemplateValue.init` see through an `Optional` stored in `Any`.
protocol AnyOptional { var wrapped: Any? { get } }
extension Optional: AnyOptional {
    var wrapped: Any? { self.map { $0 as Any } }
}
