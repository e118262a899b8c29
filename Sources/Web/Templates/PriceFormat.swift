import Foundation

/// Money as the templates show it: `$1,299.00`. Exact: Decimal in, text out, no Double.
public enum PriceFormat {
    /// The same text from whole cents (an Int is exact): the cart's prices and totals, formatted on
    /// every page that shows the cart, where Decimal's arithmetic and `description` were 3% of the
    /// machine's CPU under wrk.
    public static func dollars(cents: Int) -> String { text(cents: cents, asShown: true) }

    /// `plain`'s text from whole cents ("8.50", "-0.07"): the price an add-to-cart keeps in
    /// the session, where Decimal's rounding and `description` were 2% of the worker's CPU.
    public static func plain(cents: Int) -> String { text(cents: cents, asShown: false) }

    /// "-1299.07", or as the pages show it (`asShown`): "-$1,299.07".
    private static func text(cents: Int, asShown: Bool) -> String {
        let magnitude = cents.magnitude
        let whole = Array(String(magnitude / 100).utf8)
        let fraction = Int(magnitude % 100)
        var out: [UInt8] = []
        out.reserveCapacity(whole.count + whole.count / 3 + 5)
        if cents < 0 { out.append(UInt8(ascii: "-")) }
        if asShown { out.append(UInt8(ascii: "$")) }
        for (index, digit) in whole.enumerated() {
            if asShown && index > 0 && (whole.count - index) % 3 == 0 { out.append(UInt8(ascii: ",")) }
            out.append(digit)
        }
        out.append(UInt8(ascii: "."))
        out.append(UInt8(48 + fraction / 10))
        out.append(UInt8(48 + fraction % 10))
        return String(decoding: out, as: UTF8.self)
    }

    /// Whole cents of a price as PostgreSQL writes a numeric(10,2) ("8.50", "-0.07", "1299.00"),
    /// or nil for any other text.
    public static func cents(fromNumericText text: String) -> Int? {
        var bytes = Substring(text).utf8[...]
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }
        guard let dot = bytes.firstIndex(of: UInt8(ascii: ".")) else { return nil }
        let whole = bytes[..<dot], fraction = bytes[bytes.index(after: dot)...]
        guard !whole.isEmpty, whole.count <= 16, fraction.count == 2,
              whole.allSatisfy({ $0 >= 48 && $0 <= 57 }), fraction.allSatisfy({ $0 >= 48 && $0 <= 57 })
        else { return nil }
        var value = 0
        for digit in whole { value = value * 10 + Int(digit - 48) }
        for digit in fraction { value = value * 10 + Int(digit - 48) }
        return negative ? -value : value
    }

    public static func dollars(_ amount: Decimal) -> String {
        // Prices and totals from numeric(10,2) have at most two decimals: format the
        // description's bytes directly (Character-by-Character work was most of the cost).
        let text = amount.description
        let bytes = Array(text.utf8)
        let negative = bytes.first == UInt8(ascii: "-")
        let digits = negative ? bytes.dropFirst() : bytes[...]
        let dot = digits.firstIndex(of: UInt8(ascii: "."))
        let whole = digits[..<(dot ?? digits.endIndex)]
        let fraction = dot.map { digits[($0 + 1)...] } ?? []
        guard fraction.count <= 2, !whole.isEmpty, whole.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            return slowDollars(amount)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + whole.count / 3 + 4)
        if negative { out.append(UInt8(ascii: "-")) }
        out.append(UInt8(ascii: "$"))
        for (index, digit) in whole.enumerated() {
            if index > 0 && (whole.count - index) % 3 == 0 { out.append(UInt8(ascii: ",")) }
            out.append(digit)
        }
        out.append(UInt8(ascii: "."))
        out.append(contentsOf: fraction)
        for _ in fraction.count..<2 { out.append(UInt8(ascii: "0")) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The plain amount with two decimals and no separators (form values, JSON).
    public static func plain(_ amount: Decimal) -> String {
        let text = "\(amount.rounded(scale: 2))"
        guard let dot = text.firstIndex(of: ".") else { return text + ".00" }
        let decimals = text.distance(from: dot, to: text.endIndex) - 1
        return decimals >= 2 ? text : text + String(repeating: "0", count: 2 - decimals)
    }

    static func slowDollars(_ amount: Decimal) -> String {
        let rounded = amount.rounded(scale: 2)
        let negative = rounded < 0
        var digits = "\(negative ? -rounded : rounded)"
        if !digits.contains(".") { digits += ".00" }
        let parts = digits.split(separator: ".", maxSplits: 1)
        var fraction = parts.count > 1 ? String(parts[1]) : "00"
        while fraction.count < 2 { fraction += "0" }
        var grouped = ""
        for (index, character) in parts[0].reversed().enumerated() {
            if index > 0 && index % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        return (negative ? "-$" : "$") + String(grouped.reversed()) + "." + fraction
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
