import Foundation

/// A JSON-compatible session value, as Django's JSONSerializer allows.
/// Money goes in as a string ("19.99") so it stays exact.
public enum SessionValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([SessionValue])
    case object([String: SessionValue])

    public var stringValue: String? { if case .string(let value) = self { value } else { nil } }
    public var intValue: Int? {
        switch self {
        case .int(let value): value
        case .double(let value) where value == value.rounded() && abs(value) < 1e15: Int(value)
        default: nil
        }
    }
    public var boolValue: Bool? { if case .bool(let value) = self { value } else { nil } }
    public var arrayValue: [SessionValue]? { if case .array(let value) = self { value } else { nil } }
    public var objectValue: [String: SessionValue]? { if case .object(let value) = self { value } else { nil } }
}

extension SessionValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: SessionValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, SessionValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}

/// The session's data and its text form (JSON), shared by every engine.
public typealias SessionData = [String: SessionValue]

public enum SessionCoding {
    public static func encode(_ data: SessionData) -> String {
        SessionJSON.encode(.object(data))
    }

    /// The JSON as Django's `JSONSerializer` writes it for signing: ASCII only
    /// (Python's `json.dumps` escapes the rest as `\uXXXX`, and Django reads
    /// the bytes back as Latin-1).
    public static func encodeBytes(_ data: SessionData) -> [UInt8] {
        SessionJSON.encodeBytes(.object(data))
    }

    /// Decodes stored session text; anything that is not a JSON object (a Django
    /// pickle, a corrupt file) is nil, which the engines treat as no session.
    public static func decode(_ text: String) -> SessionData? {
        SessionJSON.decode(text)?.objectValue
    }

    public static func decode(_ bytes: [UInt8]) -> SessionData? {
        SessionJSON.decode(bytes)?.objectValue
    }
}
