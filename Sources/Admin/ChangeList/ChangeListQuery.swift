import Foundation
import Postgres
import Web

/// A change list's request, as Django's ChangeList reads it: `q` (every term
/// must match some search field), `o` (dot-separated indexes into the columns,
/// `-` for descending), `p` (the 1-based page), and the filters' parameters
/// (`available__exact=1`, `created__gte=2026-12-01&created__lt=2027-01-01`).
/// Anything malformed is the client's fault: a 400, never a 500.
struct ChangeListQuery {
    let spec: ChangeListSpec
    var search = ""
    var ordering: [(index: Int, descending: Bool)] = []
    var page = 1
    /// The filter parameters in effect, by name (`available__exact` → `1`).
    var filterValues: [String: String] = [:]

    init(spec: ChangeListSpec, query: FormData) throws {
        self.spec = spec
        search = (query["q"] ?? "").trimmingCharacters(in: .whitespaces)
        guard search.count <= 200 else { throw HTTPError.badRequest("The search is too long.") }
        if let order = query["o"], !order.isEmpty {
            for part in order.split(separator: ".", omittingEmptySubsequences: false) {
                let descending = part.hasPrefix("-")
                guard let index = Int(descending ? part.dropFirst() : part), spec.columns.indices.contains(index),
                      spec.columns[index].kind != .image, !ordering.contains(where: { $0.index == index })
                else { throw HTTPError.badRequest("Unknown sort order “\(order)”.") }
                ordering.append((index, descending))
            }
        }
        if let text = query["p"] {
            guard let number = Int(text), number >= 1, number <= 1_000_000 else { throw HTTPError.badRequest("Invalid page.") }
            page = number
        }
        for filter in spec.filters {
            for name in filter.parameterNames {
                guard let value = query[name] else { continue }
                guard filter.accepts(name: name, value: value) else {
                    throw HTTPError.badRequest("Invalid filter value “\(value)” for \(name).")
                }
                filterValues[name] = value
            }
        }
        let known = Set(["q", "o", "p", "e"] + spec.filters.flatMap(\.parameterNames))
        if let unknown = query.pairs.first(where: { !known.contains($0.name) }) {
            throw HTTPError.badRequest("Unknown parameter “\(unknown.name)”.")
        }
    }

    /// WHERE clause (or "") and its parameters: filters, then each search term.
    func whereClause() -> (sql: String, parameters: [any PostgresBindable]) {
        var conditions: [String] = []
        var parameters: [any PostgresBindable] = []
        func bind(_ value: any PostgresBindable) -> String {
            parameters.append(value)
            return "$\(parameters.count)"
        }
        for filter in spec.filters {
            switch filter {
            case .boolean(let field, _):
                // Written out, not bound: the planner can then use an index made for one value
                // (the order list's paid and unpaid indexes, `AdminMigrations`). The field is the
                // spec's own name and the value one of two literals: nothing from the request.
                if let value = filterValues[field + "__exact"] { conditions.append(value == "1" ? field : "NOT \(field)") }
            case .date(let field, _):
                if let from = filterValues[field + "__gte"] {
                    conditions.append("\(field) >= (\(bind(from))::date)::timestamp AT TIME ZONE 'UTC'")
                }
                if let until = filterValues[field + "__lt"] {
                    conditions.append("\(field) < (\(bind(until))::date)::timestamp AT TIME ZONE 'UTC'")
                }
            }
        }
        for term in search.split(whereSeparator: \.isWhitespace).prefix(10) {
            let pattern = "%" + ChangeListQuery.escapeLike(String(term)) + "%"
            let placeholder = bind(pattern)
            conditions.append("(" + spec.searchFields.map { "\($0)::text ILIKE \(placeholder)" }.joined(separator: " OR ") + ")")
        }
        return (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "), parameters)
    }

    /// ORDER BY: the chosen columns, else the default ordering; the id last, descending.
    /// Qualified with the table: the page selects some columns formatted under their own names.
    func orderClause() -> String {
        let table = spec.table
        var keys: [String]
        if ordering.isEmpty {
            keys = spec.defaultOrdering.map { $0.hasPrefix("-") ? "\(table).\($0.dropFirst()) DESC" : "\(table).\($0) ASC" }
        } else {
            keys = ordering.map { "\(table).\(spec.columns[$0.index].field) \($0.descending ? "DESC" : "ASC")" }
        }
        keys.append("\(table).id DESC")
        return " ORDER BY " + keys.joined(separator: ", ")
    }

    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }

    /// This list's query string with some parameters changed (nil removes one);
    /// the page is dropped unless given, as Django's `get_query_string`.
    func queryString(_ changes: [String: String?]) -> String {
        var values: [(String, String)] = []
        if !search.isEmpty { values.append(("q", search)) }
        for (name, value) in filterValues.sorted(by: { $0.key < $1.key }) { values.append((name, value)) }
        if !ordering.isEmpty {
            values.append(("o", ordering.map { ($0.descending ? "-" : "") + String($0.index) }.joined(separator: ".")))
        }
        for (name, change) in changes.sorted(by: { $0.key < $1.key }) {
            values.removeAll { $0.0 == name }
            if let change { values.append((name, change)) }
        }
        return values.isEmpty ? "?" : "?" + QueryString.make(values)
    }
}

extension ChangeListSpec.Filter {
    var parameterNames: [String] {
        switch self {
        case .boolean(let field, _): [field + "__exact"]
        case .date(let field, _): [field + "__gte", field + "__lt"]
        }
    }

    func accepts(name: String, value: String) -> Bool {
        switch self {
        case .boolean: return value == "1" || value == "0"
        case .date: return DateFilterChoices.parse(value) != nil
        }
    }
}
