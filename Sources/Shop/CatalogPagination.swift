import Web

/// The catalog lists' pages, as Django's `Paginator` with a ListView's
/// `paginate_by = 24`: `?page=N` (1-based, spaces around it allowed as by
/// Python's `int`; absent or empty is 1; `last` is the last page). A page that is not a number or is out of range is a 404, as
/// the ListView answers: a page is part of the list's address, and one that
/// a shrinking catalog no longer has is "not found", like a vanished category.
struct CatalogPagination {
    let number: Int
    let pageCount: Int

    /// The page asked for in `page`, checked against a list of `count` products.
    init(query: FormData, count: Int) throws {
        pageCount = max(1, (count + CatalogPage.size - 1) / CatalogPage.size)  // an empty list has its page 1
        let given = query["page"] ?? ""
        // Trimmed only when given: Foundation's trimming costs as much as the rest of the page's
        // pagination, and almost every catalog request has no `page`.
        let raw = given.isEmpty ? "" : given.trimmingCharacters(in: .whitespaces)
        if given.isEmpty {
            number = 1
        } else if raw == "last" {
            number = pageCount
        } else {
            let digits = raw.first == "+" || raw.first == "-" ? raw.dropFirst() : Substring(raw)
            guard !digits.isEmpty, digits.utf8.allSatisfy({ (48...57).contains($0) }) else {
                throw HTTPError.notFound("Page is not “last”, nor can it be converted to an int.")
            }
            // Digits too many for an Int are still a page before the first or past the last.
            let parsed = Int(raw) ?? (raw.first == "-" ? Int.min : Int.max)
            guard parsed >= 1 else { throw HTTPError.notFound("Invalid page (\(raw)): That page number is less than 1") }
            guard parsed <= pageCount else { throw HTTPError.notFound("Invalid page (\(raw)): That page contains no results") }
            number = parsed
        }
    }

    /// Django's `get_elided_page_range(number, on_each_side=3, on_ends=2)`: the
    /// page numbers to link, nil where an ellipsis stands.
    var elidedRange: [Int?] {
        let onEachSide = 3, onEnds = 2
        if pageCount <= (onEachSide + onEnds) * 2 { return Array(1...pageCount) }
        var pages: [Int?] = []
        if number > 1 + onEachSide + onEnds + 1 {
            pages += (1...onEnds).map { $0 }
            pages.append(nil)
            pages += (number - onEachSide...number).map { $0 }
        } else {
            pages += (1...number).map { $0 }
        }
        if number < pageCount - onEachSide - onEnds - 1 {
            pages += (number + 1...number + onEachSide).map { $0 }
            pages.append(nil)
            pages += (pageCount - onEnds + 1...pageCount).map { $0 }
        } else if number < pageCount {
            pages += (number + 1...pageCount).map { $0 }
        }
        return pages
    }

    /// The template's `pagination`: nothing shows for a single page (a shop of
    /// up to 24 products looks as it always did).
    func viewModel(path: String) -> [String: Any] {
        func link(_ page: Int) -> String { path + "?page=" + String(page) }
        return [
            "has_pages": pageCount > 1,
            "number": number,
            "page_count": pageCount,
            "has_previous": number > 1,
            "previous_url": number > 1 ? link(number - 1) : "",
            "has_next": number < pageCount,
            "next_url": number < pageCount ? link(number + 1) : "",
            "page_links": elidedRange.map { page -> [String: Any] in
                [
                    "page_number": page.map(String.init) ?? "",
                    "page_url": page.map(link) ?? "",
                    "is_current": page == number,
                    "is_link": page != nil && page != number,
                    "is_gap": page == nil,
                ]
            },
        ]
    }
}
