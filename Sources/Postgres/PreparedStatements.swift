/// A connection's prepared statements, by their text, with the last few kept in front of the
/// dictionary. The hot paths run a handful of statements again and again, and comparing a text
/// with those (a length check, then a `memcmp`) costs a fraction of hashing all of its bytes for
/// the dictionary: a session save's 600-byte statement cost some 3,000 instructions of SipHash
/// per run under callgrind.
struct PreparedStatements {
    private var names: [String: String] = [:]
    private var recent = RecentValues<String>()

    var count: Int { names.count }

    /// The server-side name of `sql`'s statement, if it was prepared on this connection.
    subscript(sql: String) -> String? {
        mutating get {
            if let name = recent[sql] { return name }
            guard let name = names[sql] else { return nil }
            recent[sql] = name
            return name
        }
        set {
            names[sql] = newValue
            recent[sql] = newValue
        }
    }

    mutating func removeAll() {
        names.removeAll()
        recent.removeAll()
    }
}

/// A few values by statement text, the most recently set ones; what did not fit is forgotten.
struct RecentValues<Value> {
    private var entries: [(sql: String, value: Value)] = []
    private static var capacity: Int { 8 }

    subscript(sql: String) -> Value? {
        get {
            let length = sql.utf8.count
            for entry in entries where entry.sql.utf8.count == length && entry.sql == sql { return entry.value }
            return nil
        }
        set {
            let length = sql.utf8.count
            entries.removeAll { $0.sql.utf8.count == length && $0.sql == sql }
            guard let newValue else { return }
            if entries.count == Self.capacity { entries.removeFirst() }
            entries.append((sql, newValue))
        }
    }

    mutating func removeAll() { entries.removeAll() }
}
