import Postgres

/// How a migration takes over tables that Django's migrations made already (a
/// Django shop's database): instead of creating them, `shop migrate` checks
/// that each has the columns the shop relies on, with compatible types, and
/// runs `sql`, which only adds what this project needs beyond Django's schema
/// (nullable or defaulted columns, defaults for the columns the shop's inserts
/// leave out, indexes, triggers). It never drops, renames or rewrites a
/// Django table or row, so Django keeps working on the same database.
public struct Adoption: Sendable {
    public var tables: [TableShape]
    public var sql: String

    public init(tables: [TableShape], sql: String) {
        self.tables = tables
        self.sql = sql
    }
}

/// The columns of one table the shop reads and writes, as the contract names them.
public struct TableShape: Sendable {
    public var name: String
    public var columns: [(name: String, type: ColumnType)]

    public init(_ name: String, _ columns: [(String, ColumnType)]) {
        self.name = name
        self.columns = columns.map { (name: $0.0, type: $0.1) }
    }
}

/// A column type and what an existing column may have instead.
public enum ColumnType: Sendable {
    /// `integer` or `bigint` (Django's AutoField or BigAutoField ids, and foreign keys to them).
    case id
    /// `varchar(n)` with n at least this, or `text`: a longer column holds what the shop writes.
    case varchar(Int)
    /// Exactly this, as `format_type` spells it (`numeric(10,2)`, `boolean`, `text`, ...).
    case exact(String)

    public static let timestamptz = ColumnType.exact("timestamp with time zone")
    public static let boolean = ColumnType.exact("boolean")
    public static let text = ColumnType.exact("text")
    public static let integer = ColumnType.exact("integer")
    public static let money = ColumnType.exact("numeric(10,2)")

    var description: String {
        switch self {
        case .id: "integer or bigint"
        case .varchar(let length): "varchar(\(length)) or longer"
        case .exact(let name): name
        }
    }

    func accepts(_ existing: String) -> Bool {
        switch self {
        case .id: return existing == "integer" || existing == "bigint"
        case .exact(let name): return existing == name
        case .varchar(let length):
            if existing == "text" { return true }
            let prefix = "character varying("
            guard existing.hasPrefix(prefix), existing.hasSuffix(")"),
                  let actual = Int(existing.dropFirst(prefix.count).dropLast()) else { return false }
            return actual >= length
        }
    }
}

/// An existing table that the shop cannot work with; nothing was changed.
public struct IncompatibleSchema: Error, CustomStringConvertible {
    public var table: String
    public var column: String?
    public var problem: String

    public var description: String {
        "cannot adopt the existing table \(table)" + (column.map { ", column \($0)" } ?? "") + ": \(problem); nothing was changed"
    }
}

extension TableShape {
    static func exists(_ table: String, in database: PostgresConnection) throws -> Bool {
        try database.scalar("SELECT to_regclass($1) IS NOT NULL", [table], as: Bool.self) ?? false
    }

    /// Throws `IncompatibleSchema` for the first column that is missing or of another type.
    func check(in database: PostgresConnection) throws {
        let existing = try Dictionary(uniqueKeysWithValues: attributes(in: database).map { ($0.name, $0.type) })
        for column in columns {
            guard let type = existing[column.name] else {
                throw IncompatibleSchema(table: name, column: column.name, problem: "missing")
            }
            guard column.type.accepts(type) else {
                throw IncompatibleSchema(table: name, column: column.name, problem: "is \(type), the shop needs \(column.type.description)")
            }
        }
    }

    /// Once adopted: a column beyond the shop's (a `stripe_id` of a later chapter, say) that
    /// refuses NULL and has no default would make every insert of the shop fail.
    func checkInsertable(in database: PostgresConnection) throws {
        let known = Set(columns.map(\.name))
        for column in try attributes(in: database) where !known.contains(column.name) && column.notNull && !column.hasDefault {
            throw IncompatibleSchema(table: name, column: column.name,
                                     problem: "NOT NULL without a default, and the shop does not write it")
        }
    }

    private func attributes(in database: PostgresConnection) throws -> [(name: String, type: String, notNull: Bool, hasDefault: Bool)] {
        try database.query("""
            SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
                   a.attnotnull AS not_null, (a.atthasdef OR a.attidentity <> '') AS has_default
            FROM pg_attribute a
            WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
            """, [name]).map {
            (try $0.get("name", as: String.self), try $0.get("type", as: String.self),
             try $0.get("not_null", as: Bool.self), try $0.get("has_default", as: Bool.self))
        }
    }
}
