import Foundation

/// Money as the templates show it: `$1,299.00`. Exact: Decimal in, text out, no Double.
public enum PriceFormat {
    public static func dollars(_ amount: Decimal) -> String {
        let rounded = amount.rounded(scale: 2)
        let negative = rounded < 0
        var digits = "\(negative ? -rounded : rounded)"
        if !digits.contains(".") { digits += ".00" }
        let parts = digits.split(separator: ".", maxSplits: 1)
        var whole = String(parts[0])
        var fraction = parts.count > 1 ? String(parts[1]) : "00"
        while fraction.count < 2 { fraction += "0" }
        var grouped = ""
        for (index, character) in whole.reversed().enumerated() {
            if index > 0 && index % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        whole = String(grouped.reversed())
        return (negative ? "-$" : "$") + whole + "." + fraction
    }

    /// The plain amount with two decimals and no separators (form values, JSON).
    public static func plain(_ amount: Decimal) -> String {
        let text = "\(amount.rounded(scale: 2))"
        guard let dot = text.firstIndex(of: ".") else { return text + ".00" }
        let decimals = text.distance(from: dot, to: text.endIndex) - 1
        return decimals >= 2 ? text : text + String(repeating: "0", count: 2 - decimals)
    }
}

extension Decimal {
    /// Rounded half-up to `scale` decimal places (Django's ROUND_HALF_UP for money).
    public func rounded(scale: Int) -> Decimal {
        var value = self
        var result = Decimal()
        NSDecimalRound(&result, &value, scale, .plain)
        return result
    }
}
