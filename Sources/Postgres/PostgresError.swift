/// An error from the database layer.
///
/// `kind` says where it came from: `.connection` (could not connect, or the
/// connection died: the caller should answer 503 and the next call
/// reconnects), `.query` (the server rejected a statement: look at
/// `sqlState`), `.decoding` (a row value could not become the requested Swift
/// type) or `.transaction` (a transaction could not be committed).
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        case connection, query, decoding, transaction
    }

    public var kind: Kind
    /// Five-character SQLSTATE (e.g. "23505"), when the server sent one.
    public var sqlState: String?
    /// The primary message (PG_DIAG_MESSAGE_PRIMARY) or libpq's message.
    public var message: String
    public var detail: String?
    /// The constraint named by the server (PG_DIAG_CONSTRAINT_NAME), if any.
    public var constraint: String?

    public init(kind: Kind, message: String, sqlState: String? = nil, detail: String? = nil, constraint: String? = nil) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.constraint = constraint
    }

    /// 23505 unique_violation.
    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// 23503 foreign_key_violation.
    public var isForeignKeyViolation: Bool { sqlState == "23503" }
    /// 23514 check_violation.
    public var isCheckViolation: Bool { sqlState == "23514" }

    /// The connection is gone (or never came up): class 08, or the server shut
    /// the session down (57P01 admin_shutdown, 57P02 crash_shutdown,
    /// 57P03 cannot_connect_now).
    public var isConnectionFailure: Bool {
        if kind == .connection { return true }
        guard let state = sqlState else { return false }
        // 08P01 (protocol_violation) also reports a wrong parameter count
        // on a healthy connection; it is a connection failure only when the
        // connection actually went away (kind == .connection).
        if state == "08P01" { return false }
        return state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03"
    }

    public var description: String {
        var text = "PostgresError.\(kind)"
        if let sqlState { text += " [\(sqlState)]" }
        text += ": \(message)"
        if let detail, !detail.isEmpty { text += " (DETAIL: \(detail))" }
        return text
    }
}
