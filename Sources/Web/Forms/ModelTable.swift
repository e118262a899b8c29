import Foundation
import Postgres

/// A table's editable columns, declared once as the migration has them (Django's
/// model fields), from which forms are derived (Django's ModelForm) and the
/// parameterized INSERT/UPDATE built. Identifiers come only from this declaration;
/// user input only ever travels as `$n` parameters.
public struct ModelTable: Sendable {
    public struct Column: Sendable {
        public enum Kind: Sendable {
            case varchar(Int)
            /// A `text` column, edited in a textarea.
            case text
            case slug(Int)
            case email(Int)
            case integer(min: Int?, max: Int?)
            /// `numeric(precision, scale)`, with the CHECK constraint's bounds.
            case numeric(precision: Int, scale: Int, min: Decimal?, max: Decimal?)
            case boolean
            /// `<name>_id`, offering the rows the form is given (ModelChoiceField).
            case foreignKey
            /// A varchar(maxLength) holding the stored file's name under MEDIA_ROOT.
            case image(maxLength: Int, maxBytes: Int)
        }

        /// The form field's name (`category`); the column is `column` (`category_id`).
        public var name: String
        public var column: String
        public var kind: Kind
        /// NULL allowed (an empty field stores NULL rather than '').
        public var nullable: Bool
        /// May be left empty in a form (Django's `blank=True`).
        public var blank: Bool
        public var label: String?
        public var choices: [FormField.Choice]?
        public var defaultValue: FormValue
        public var helpText: String

        public init(_ name: String, _ kind: Kind, nullable: Bool = false, blank: Bool = false, label: String? = nil,
                    choices: [FormField.Choice]? = nil, default defaultValue: FormValue = .null, helpText: String = "") {
            if case .foreignKey = kind { column = name + "_id" } else { column = name }
            precondition(ModelTable.isIdentifier(name), "bad column name \(name)")
            self.name = name
            self.kind = kind
            self.nullable = nullable
            self.blank = blank
            self.label = label
            self.choices = choices
            self.defaultValue = defaultValue
            self.helpText = helpText
        }
    }

    /// One parameterized statement: SQL with `$1…$n` and the values in order.
    public struct Statement {
        public var sql: String
        public var parameters: [any PostgresBindable]
    }

    public let table: String
    public let columns: [Column]

    public init(_ table: String, _ columns: [Column]) {
        precondition(ModelTable.isIdentifier(table), "bad table name \(table)")
        self.table = table
        self.columns = columns
    }

    public subscript(name: String) -> Column? { columns.first { $0.name == name } }

    /// The form field Django's ModelForm makes for the column. A foreign key offers
    /// `rows`; an image field accepts files of at most `maxBytes`.
    public func formField(_ column: Column, rows: FormField.ModelChoices? = nil) -> FormField {
        let required = !column.blank
        var field: FormField
        if let choices = column.choices {
            field = .choice(column.name, choices, required: required)
        } else {
            switch column.kind {
            case .varchar(let max): field = .char(column.name, maxLength: max, required: required)
            case .text: field = .char(column.name, required: required, widget: .textarea)
            case .slug(let max): field = .slug(column.name, maxLength: max, required: required)
            case .email(let max): field = .email(column.name, maxLength: max, required: required)
            case .integer(let min, let max): field = .integer(column.name, min: min, max: max, required: required)
            case .numeric(let precision, let scale, let min, let max):
                field = .decimal(column.name, maxDigits: precision, decimalPlaces: scale, min: min, max: max, required: required)
            case .boolean: field = .boolean(column.name)
            case .foreignKey: field = .modelChoice(column.name, rows ?? FormField.ModelChoices([]), required: required)
            case .image(_, let maxBytes): field = .image(column.name, maxBytes: maxBytes, required: required)
            }
        }
        if let label = column.label { field.label = label }
        if column.defaultValue != .null { field.initial = column.defaultValue }
        field.helpText = column.helpText
        return field
    }

    /// A form for these columns (all, in declaration order, when nil). `rows`:
    /// each foreign key's choices, by field name.
    public func form(_ names: [String]? = nil, rows: [String: FormField.ModelChoices] = [:], prefix: String? = nil,
                     clean: (@Sendable (inout BoundForm) -> Void)? = nil) -> Form {
        let chosen = names.map { names in names.compactMap { self[$0] } } ?? columns
        return Form(chosen.map { formField($0, rows: rows[$0.name]) }, prefix: prefix, clean: clean)
    }

    /// `INSERT INTO table (…) VALUES ($1, …) RETURNING id` for the cleaned values
    /// of these columns (default: every declared column the values hold).
    /// `store` saves a new upload and returns the name to keep in the column.
    public func insert(_ cleaned: [String: FormValue], columns names: [String]? = nil,
                       store: (Column, UploadedFile) throws -> String = ModelTable.refuseFiles) throws -> Statement {
        let (chosen, values) = try assignments(cleaned, names, store)
        guard !chosen.isEmpty else { return Statement(sql: "INSERT INTO \(quoted(table)) DEFAULT VALUES RETURNING id", parameters: []) }
        let placeholders = (1...values.count).map { "$\($0)" }
        let sql = "INSERT INTO \(quoted(table)) (\(chosen.map { quoted($0.column) }.joined(separator: ", "))) "
            + "VALUES (\(placeholders.joined(separator: ", "))) RETURNING id"
        return Statement(sql: sql, parameters: values)
    }

    /// `UPDATE table SET a = $1, … WHERE id = $n`. With nothing to write (no
    /// column chosen is in `cleaned`) it still names the row: `SET id = id`.
    public func update(id: Int, _ cleaned: [String: FormValue], columns names: [String]? = nil,
                       store: (Column, UploadedFile) throws -> String = ModelTable.refuseFiles) throws -> Statement {
        let (chosen, values) = try assignments(cleaned, names, store)
        guard !chosen.isEmpty else { return Statement(sql: "UPDATE \(quoted(table)) SET id = id WHERE id = $1", parameters: [id]) }
        let sets = chosen.enumerated().map { "\(quoted($0.element.column)) = $\($0.offset + 1)" }
        let sql = "UPDATE \(quoted(table)) SET \(sets.joined(separator: ", ")) WHERE id = $\(values.count + 1)"
        return Statement(sql: sql, parameters: values + [id])
    }

    /// A row's values as a form's `initial` (for a change page), by field name.
    public func initial(from row: PostgresRow, columns names: [String]? = nil) throws -> [String: FormValue] {
        var values: [String: FormValue] = [:]
        for column in names.map({ $0.compactMap { self[$0] } }) ?? columns {
            guard let text = row[column.column] else { values[column.name] = .null; continue }
            switch column.kind {
            case .integer, .foreignKey: values[column.name] = Int(text).map(FormValue.int) ?? .null
            case .numeric: values[column.name] = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")).map(FormValue.decimal) ?? .null
            case .boolean: values[column.name] = .bool(text == "t" || text == "true")
            default: values[column.name] = .string(text)
            }
        }
        return values
    }

    public static func refuseFiles(_ column: Column, _ file: UploadedFile) throws -> String {
        throw HTTPError(500, "No storage was given for the upload in \(column.name)")
    }

    func assignments(_ cleaned: [String: FormValue], _ names: [String]?,
                     _ store: (Column, UploadedFile) throws -> String) throws -> ([Column], [any PostgresBindable]) {
        let chosen = (names.map { $0.compactMap { self[$0] } } ?? columns).filter { cleaned[$0.name] != nil }
        var values: [any PostgresBindable] = []
        for column in chosen {
            let value = cleaned[column.name]!
            switch value {
            case .file(let file): values.append(try store(column, file))
            // Django stores '' for an empty text field, NULL when the column is nullable.
            case .null where !column.nullable && column.isText: values.append("")
            case .string("") where column.nullable: values.append(PostgresNull())
            default: values.append(value)
            }
        }
        return (chosen, values)
    }

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_")
        }
    }

    func quoted(_ identifier: String) -> String { "\"" + identifier + "\"" }
}

extension ModelTable.Column {
    var isText: Bool {
        switch kind {
        case .varchar, .text, .slug, .email, .image: true
        default: false
        }
    }
}
