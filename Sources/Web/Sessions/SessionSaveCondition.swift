import Postgres

/// Something a speculative request took on trust instead of asking the database (the
/// catalog's version its worker's cache was loaded at), checked by the session's save in
/// the writing statement itself. When it no longer holds, the save is refused as a
/// `SessionConflict` and the view runs again, asking this time.
///
/// Only a view whose sole effect is its session's save (`ViewEffects.sessionOnly`) runs
/// speculatively (`Session.isSpeculative`), so a refused save leaves nothing behind: the
/// cart's add makes one round trip, its save, instead of a catalog check and then a save.
public struct SessionSaveCondition {
    /// A boolean SQL expression whose parameters are `$1`, `$2`... of `parameters`.
    public let sql: String
    public let parameters: [any PostgresBindable]

    public init(sql: String, parameters: [any PostgresBindable]) {
        self.sql = sql
        self.parameters = parameters
    }

    /// `AND (...)` for each condition, their parameters numbered after the statement's first
    /// `offset`; and those parameters, to append to the statement's.
    static func clause(_ conditions: [SessionSaveCondition], after offset: Int) -> (sql: String, parameters: [any PostgresBindable]) {
        var sql = ""
        var parameters: [any PostgresBindable] = []
        for condition in conditions {
            sql += " AND (" + renumbered(condition.sql, by: offset + parameters.count) + ")"
            parameters += condition.parameters
        }
        return (sql, parameters)
    }

    /// `$n` becomes `$(n + offset)`; the conditions are the shop's own SQL, with no `$` in
    /// their literals. Byte by byte: it runs on every speculative save.
    static func renumbered(_ sql: String, by offset: Int) -> String {
        var result: [UInt8] = []
        result.reserveCapacity(sql.utf8.count + 8)
        var number: Int?
        func flush() {
            if let value = number { result += Array(String(value + offset).utf8) }
            number = nil
        }
        var afterDollar = false
        for byte in sql.utf8 {
            if afterDollar, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                number = (number ?? 0) * 10 + Int(byte - UInt8(ascii: "0"))
                continue
            }
            flush()
            result.append(byte)
            afterDollar = byte == UInt8(ascii: "$")
        }
        flush()
        return String(decoding: result, as: UTF8.self)
    }
}
