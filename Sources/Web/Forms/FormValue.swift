import Foundation
import Postgres

/// A field's cleaned value (Django's `cleaned_data[name]`), typed so a view
/// never parses text again and a model form can bind it as a SQL parameter.
public enum FormValue: Sendable, Equatable {
    /// No value: an empty optional field (Django's `None`).
    case null
    case string(String)
    case int(Int)
    case decimal(Decimal)
    case bool(Bool)
    /// A new upload (the image field); storing it is the caller's job.
    case file(UploadedFile)

    public var string: String? { if case .string(let value) = self { value } else { nil } }
    public var int: Int? { if case .int(let value) = self { value } else { nil } }
    public var decimal: Decimal? { if case .decimal(let value) = self { value } else { nil } }
    public var bool: Bool? { if case .bool(let value) = self { value } else { nil } }
    public var file: UploadedFile? { if case .file(let value) = self { value } else { nil } }

    /// Django's EMPTY_VALUES: None and "" (False is a value).
    public var isEmpty: Bool {
        switch self {
        case .null: true
        case .string(let value): value.isEmpty
        default: false
        }
    }

    /// The value as a form input shows it (an initial value on an unbound form).
    public var displayText: String {
        switch self {
        case .null: ""
        case .string(let value): value
        case .int(let value): String(value)
        case .decimal(let value): value.description
        case .bool(let value): value ? "True" : "False"
        case .file(let file): file.clientFilename
        }
    }
}

extension FormValue: PostgresBindable {
    /// A file has no SQL form: a model form asks its caller to store it first.
    public var postgresText: String? {
        switch self {
        case .null, .file: nil
        case .string(let value): value
        case .int(let value): String(value)
        case .decimal(let value): value.postgresText
        case .bool(let value): value ? "true" : "false"
        }
    }
}
