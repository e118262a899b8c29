/// The statements a connection ran, with their durations: feeds DEBUG's
/// `sql_queries`. Reset it at the start of each request.
public final class StatementLog {
    public struct Entry: Sendable {
        public var sql: String
        public var milliseconds: Double

        public init(sql: String, milliseconds: Double) {
            self.sql = sql
            self.milliseconds = milliseconds
        }
    }

    public private(set) var entries: [Entry] = []
    /// When false, statements are not recorded (entries stay as they are).
    public var isEnabled = true

    public init() {}

    public var count: Int { entries.count }

    /// Sum of all recorded durations.
    public var totalMilliseconds: Double { entries.reduce(0) { $0 + $1.milliseconds } }

    public func reset() {
        entries.removeAll(keepingCapacity: true)
    }

    func record(_ sql: String, milliseconds: Double) {
        if isEnabled { entries.append(Entry(sql: sql, milliseconds: milliseconds)) }
    }
}
