/// The cells of one result, copied out of the PGresult once. Rows share it.
final class PostgresResultStorage: Sendable {
    let columns: [String]
    /// Row-major: cell (row, column) is at row * columns.count + column.
    let cells: [String?]
    /// Built only for wide results; narrow ones are searched linearly.
    let index: [String: Int]?

    init(columns: [String], cells: [String?]) {
        self.columns = columns
        self.cells = cells
        if columns.count > 12 {
            var index: [String: Int] = [:]
            index.reserveCapacity(columns.count)
            for (position, name) in columns.enumerated() where index[name] == nil {
                index[name] = position
            }
            self.index = index
        } else {
            self.index = nil
        }
    }

    @inline(__always)
    func position(of column: String) -> Int? {
        if let index { return index[column] }
        return columns.firstIndex(of: column)
    }
}

/// One row of a result. Cheap to copy (a reference and an offset).
public struct PostgresRow: Sendable {
    let storage: PostgresResultStorage
    let offset: Int

    init(storage: PostgresResultStorage, row: Int) {
        self.storage = storage
        self.offset = row * storage.columns.count
    }

    /// A standalone row, e.g. for tests of code that reads rows.
    /// `values` are the text cells (nil = NULL), one per column.
    public init(columns: [String], values: [String?]) {
        precondition(columns.count == values.count, "PostgresRow: columns and values differ in length")
        self.init(storage: PostgresResultStorage(columns: columns, cells: values), row: 0)
    }

    /// Column names, in result order.
    public var columns: [String] { storage.columns }

    /// The raw text of a cell (nil = NULL), or nil for an unknown column.
    public subscript(column: String) -> String? {
        guard let position = storage.position(of: column) else { return nil }
        return storage.cells[offset + position]
    }

    public func get<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let position = storage.position(of: column) else {
            throw PostgresError(kind: .decoding, message: "no column \"\(column)\" in result (columns: \(storage.columns.joined(separator: ", ")))")
        }
        return try decode(position, name: column)
    }

    public func get<T: PostgresDecodable>(_ index: Int, as type: T.Type = T.self) throws -> T {
        guard index >= 0 && index < storage.columns.count else {
            throw PostgresError(kind: .decoding, message: "column index \(index) out of range (result has \(storage.columns.count) columns)")
        }
        return try decode(index, name: storage.columns[index])
    }

    /// True for NULL, and for an unknown column.
    public func isNull(_ column: String) -> Bool {
        guard let position = storage.position(of: column) else { return true }
        return storage.cells[offset + position] == nil
    }

    public func isNull(_ index: Int) -> Bool {
        guard index >= 0 && index < storage.columns.count else { return true }
        return storage.cells[offset + index] == nil
    }

    @inline(__always)
    private func decode<T: PostgresDecodable>(_ position: Int, name: String) throws -> T {
        guard let text = storage.cells[offset + position] else {
            if let optional = T.self as? any PostgresNullDecodable.Type {
                return optional.postgresNullValue as! T
            }
            throw PostgresError(kind: .decoding, message: "column \"\(name)\" is NULL but \(T.self) is not optional")
        }
        do {
            return try T(postgresText: text)
        } catch var error as PostgresError {
            error.message = "column \"\(name)\": \(error.message)"
            throw error
        } catch {
            throw PostgresError(kind: .decoding, message: "column \"\(name)\": \(error)")
        }
    }
}

extension PostgresRow: CustomStringConvertible {
    public var description: String {
        let pairs = storage.columns.indices.map { position in
            "\(storage.columns[position]): \(storage.cells[offset + position].map { "\"\($0)\"" } ?? "NULL")"
        }
        return "PostgresRow(\(pairs.joined(separator: ", ")))"
    }
}
