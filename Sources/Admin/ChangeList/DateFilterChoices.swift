import Foundation

/// Django's DateFieldListFilter choices, as half-open ranges of UTC days.
enum DateFilterChoices {
    static func choices(now: Date = Date()) -> [(label: String, from: String?, until: String?)] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let today = calendar.startOfDay(for: now)
        let tomorrow = calendar.date(byAdding: .day, value: 1, to: today)!
        let weekAgo = calendar.date(byAdding: .day, value: -7, to: today)!
        let month = calendar.date(from: calendar.dateComponents([.year, .month], from: today))!
        let nextMonth = calendar.date(byAdding: .month, value: 1, to: month)!
        let year = calendar.date(from: calendar.dateComponents([.year], from: today))!
        let nextYear = calendar.date(byAdding: .year, value: 1, to: year)!
        return [
            ("Any date", nil, nil),
            ("Today", format(today), format(tomorrow)),
            ("Past 7 days", format(weekAgo), format(tomorrow)),
            ("This month", format(month), format(nextMonth)),
            ("This year", format(year), format(nextYear)),
        ]
    }

    static func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.year!)-\(two(parts.month!))-\(two(parts.day!))"
    }

    /// `YYYY-MM-DD` (a real date), else nil.
    static func parse(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]),
              let day = Int(parts[2]), (1...9999).contains(year), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day)
        guard let date = calendar.date(from: components),
              calendar.component(.day, from: date) == day else { return nil }
        return date
    }
}
