import Foundation
import Postgres
import Web

/// A model's change list (Django's `changelist_view`): a page of 100 rows with
/// the filter sidebar, search, sortable columns and page links, in a fixed
/// number of queries whatever the table's size (the page, its count, the
/// table's total). With list_editable, the POST saves the page's edits.
enum ChangeListView {
    static func handle(_ context: RequestContext, model: ModelAdmin, spec: ChangeListSpec) throws -> Response {
        let query = try ChangeListQuery(spec: spec, query: context.query)
        if context.request.method == "POST" {
            guard !spec.editable.isEmpty else { throw HTTPError(405, "This list has nothing to save.") }
            return try ListEditing.save(context, model: model, spec: spec, query: query)
        }
        return try page(context, model: model, query: query, editing: nil)
    }

    /// The rows of one page: id plus each column as text (or a Bool for booleans).
    struct Page {
        var rows: [PostgresRow]
        var count: RowCount
        var total: RowCount
    }

    static func load(_ context: RequestContext, query: ChangeListQuery) throws -> Page {
        let spec = query.spec
        let (whereSQL, parameters) = query.whereClause()
        let selected = (["id"] + spec.columns.map { column -> String in
            switch column.kind {
            case .datetime: "to_char(\(column.field) AT TIME ZONE 'UTC', 'FMMon DD, YYYY, HH24:MI') AS \(column.field)"
            case .money: "\(column.field)::text AS \(column.field)"
            default: column.field
            }
        } + spec.editable.map { "\($0.field)::text AS edit_\($0.field)" }).joined(separator: ", ")
        let offset = (query.page - 1) * spec.pageSize
        let order = query.orderClause(), slice = " LIMIT \(spec.pageSize) OFFSET \(offset)"
        // Past the first page, the page's ids are picked first: OFFSET reads every row it skips,
        // and would format each (100,000 products, page 500: 62 ms, against 17 ms).
        let rows = try context.database.query(offset == 0
            ? "SELECT \(selected) FROM \(spec.table)\(whereSQL)\(order)\(slice)"
            : "SELECT \(selected) FROM \(spec.table) WHERE id IN (SELECT id FROM \(spec.table)\(whereSQL)\(order)\(slice))\(order)",
            parameters)
        if query.page > 1 && rows.isEmpty { throw HTTPError.notFound("That page has no results.") }
        // A page short of 100 rows is the list's last: that is its count, with no statement to
        // read the rows again (a search over 1,000,000 orders is a scan).
        let count = rows.count < spec.pageSize
            ? RowCount(value: offset + rows.count, exact: true)
            : try RowCount.of(spec.table, whereSQL, parameters, context.database)
        let total = whereSQL.isEmpty ? count : try RowCount.of(spec.table, "", [], context.database)
        return Page(rows: rows, count: count, total: total)
    }

    /// Edits to show again (with their errors) after an invalid list save, by row id.
    struct Editing {
        var values: [Int: [String: String]]
        var errors: [Int: [String: [String]]]
    }

    static func page(_ context: RequestContext, model: ModelAdmin, query: ChangeListQuery, editing: Editing?,
                     status: Int = 200) throws -> Response {
        let spec = query.spec
        let page = try load(context, query: query)
        let changeRoute = model.routeName("change")
        // Rows are built as template values directly: a page has hundreds of cells,
        // and converting dictionaries of `Any` was most of the page's cost.
        var rows: [TemplateValue] = []
        rows.reserveCapacity(page.rows.count)
        for (position, row) in page.rows.enumerated() {
            let id: Int = try row.get("id")
            var cells: [TemplateValue] = []
            cells.reserveCapacity(spec.columns.count)
            for column in spec.columns {
                // Every key the template asks is set here: Mustache would find a missing
                // one further up (the list's own `editable`).
                var cell = TemplateObject()
                cell.reserveCapacity(16)
                cell["field"] = .string(column.field)
                cell["editable"] = .bool(false)
                cell["has_errors"] = .bool(false)
                cell["is_boolean"] = .bool(false)
                cell["is_image"] = .bool(false)
                cell["links"] = .bool(column.linksToChange)
                if let field = spec.editable.first(where: { $0.field == column.field }) {
                    let stored = row["edit_\(field.field)"] ?? ""
                    let shown = editing?.values[id]?[field.field] ?? (field.kind == .boolean ? (stored == "true" ? "on" : "") : stored)
                    let errors = editing?.errors[id]?[field.field] ?? []
                    cell["editable"] = .bool(true)
                    cell["input_name"] = .string("form-\(position)-\(field.field)")
                    cell["is_checkbox"] = .bool(field.kind == .boolean)
                    cell["checked"] = .bool(!shown.isEmpty && shown != "false")
                    cell["value"] = .string(shown)
                    cell["errors"] = .list(errors.map { .object(["text": .string($0)]) })
                    cell["has_errors"] = .bool(!errors.isEmpty)
                } else {
                    display(row, column, into: &cell)
                }
                if column.linksToChange { cell["url"] = .string(try context.url(changeRoute, ["id": id])) }
                cells.append(.object(cell))
            }
            rows.append(.object(["id": .string(String(id)), "cells": .list(cells), "position": .string(String(position))]))
        }
        let pages = (page.count.value + spec.pageSize - 1) / spec.pageSize
        let title = "Select \(model.verboseName) to change"
        return try AdminSite.render(context, "admin/change_list", title: title,
                                    breadcrumbs: [("Home", try context.url("admin:index")), (model.appName, nil),
                                                  (model.verboseNamePlural.capitalizedFirst, nil)],
                                    values: [
            "model_name": model.verboseName,
            "model_name_plural": model.verboseNamePlural,
            "add_url": try context.url(model.routeName("add")),
            "columns": headers(query),
            "rows": TemplateValue.list(rows),
            "has_rows": !rows.isEmpty,
            "editable": !spec.editable.isEmpty,
            "row_count": rows.count,
            "result_count": page.count.text,
            "full_count": page.total.text,
            "is_filtered": page.count != page.total || !query.search.isEmpty,
            "search": query.search,
            "has_search": !spec.searchFields.isEmpty,
            "filters": filters(query),
            "has_filters": !spec.filters.isEmpty,
            "pages": pageLinks(query, pages: pages),
            "has_pages": pages > 1,
            "list_errors": editing == nil ? [] : [["text": "Please correct the errors below."]],
            "has_list_errors": editing != nil,
            "action": query.queryString(["p": query.page > 1 ? String(query.page) : nil]),
        ], status: status)
    }

    static func display(_ row: PostgresRow, _ column: ChangeListSpec.Column, into cell: inout TemplateObject) {
        let text = row[column.field] ?? ""
        switch column.kind {
        case .boolean:
            let yes = text == "t" || text == "true"
            cell["is_boolean"] = .bool(true)
            cell["yes"] = .bool(yes)
            cell["text"] = .string(yes ? "Yes" : "No")
        case .image:
            cell["is_image"] = .bool(!text.isEmpty)
            cell["image_url"] = .string("/media/" + text)
            cell["text"] = .string(text.isEmpty ? "—" : "")
        case .money:
            cell["text"] = .string("$" + text)
        default:
            cell["text"] = .string(text.isEmpty ? "-" : text)
        }
    }

    /// Column headers; sortable ones link to sort by them (again: the other way).
    static func headers(_ query: ChangeListQuery) -> [[String: Any]] {
        query.spec.columns.enumerated().map { index, column in
            let current = query.ordering.first { $0.index == index }
            let isPrimary = query.ordering.first?.index == index
            let next = isPrimary && !(current?.descending ?? false) ? "-\(index)" : "\(index)"
            var header: [String: Any] = ["label": column.label, "field": column.field, "sortable": column.kind != .image]
            header["sort_url"] = query.queryString(["o": next])
            header["sorted"] = current != nil
            header["ascending"] = current.map { !$0.descending } ?? false
            header["descending"] = current?.descending ?? false
            return header
        }
    }

    static func filters(_ query: ChangeListQuery) -> [[String: Any]] {
        query.spec.filters.map { filter -> [String: Any] in
            switch filter {
            case .boolean(let field, let label):
                let name = field + "__exact"
                let current = query.filterValues[name]
                let choices: [(String, String?)] = [("All", nil), ("Yes", "1"), ("No", "0")]
                return ["title": label, "choices": choices.map { text, value in
                    ["label": text, "selected": current == value, "url": query.queryString([name: value])] as [String: Any]
                }]
            case .date(let field, let label):
                let from = query.filterValues[field + "__gte"], until = query.filterValues[field + "__lt"]
                return ["title": label, "choices": DateFilterChoices.choices().map { choice in
                    ["label": choice.label, "selected": from == choice.from && until == choice.until,
                     "url": query.queryString([field + "__gte": choice.from, field + "__lt": choice.until])] as [String: Any]
                }]
            }
        }
    }

    /// Links to the first pages, the ones around the current page and the last, as Django's paginator.
    static func pageLinks(_ query: ChangeListQuery, pages: Int) -> [[String: Any]] {
        guard pages > 1 else { return [] }
        var numbers: [Int] = []
        for number in 1...pages where number <= 2 || number > pages - 2 || abs(number - query.page) <= 3 {
            numbers.append(number)
        }
        var links: [[String: Any]] = []
        var previous = 0
        for number in numbers {
            if number > previous + 1 { links.append(["is_gap": true]) }
            links.append(["number": number, "is_current": number == query.page, "is_gap": false,
                          "url": query.queryString(["p": number == 1 ? nil : String(number)])])
            previous = number
        }
        return links
    }
}
