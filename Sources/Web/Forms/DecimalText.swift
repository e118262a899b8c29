import Foundation

/// A decimal number as typed, parsed strictly (Foundation's `Decimal(string:)`
/// accepts "1abc" as 1): `[+-]digits[.digits][e[+-]digits]` in ASCII, as Python's
/// `Decimal()` reads it less its NaN and Infinity. Keeps Python's `as_tuple()`
/// view (significant digits and exponent), which Django's DecimalValidator counts.
struct DecimalText {
    var negative: Bool
    /// The coefficient's digits without leading zeros ("0" for zero).
    var digits: [UInt8]
    var exponent: Int
    var text: String

    init?(_ text: String) {
        var bytes = Array(text.utf8)[...]
        negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        let whole = bytes.prefix(while: isDigit)
        bytes = bytes.dropFirst(whole.count)
        var fraction: ArraySlice<UInt8> = []
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            fraction = bytes.prefix(while: isDigit)
            bytes = bytes.dropFirst(fraction.count)
        }
        guard !whole.isEmpty || !fraction.isEmpty else { return nil }
        var exponent = 0
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            var exponentNegative = false
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                exponentNegative = sign == UInt8(ascii: "-")
                bytes = bytes.dropFirst()
            }
            let exponentDigits = bytes.prefix(while: isDigit)
            guard !exponentDigits.isEmpty, exponentDigits.count <= 6 else { return nil }
            bytes = bytes.dropFirst(exponentDigits.count)
            exponent = Int(String(decoding: exponentDigits, as: UTF8.self))! * (exponentNegative ? -1 : 1)
        }
        guard bytes.isEmpty else { return nil }
        let coefficient = Array(whole) + Array(fraction)
        let significant = coefficient.drop { $0 == UInt8(ascii: "0") }
        digits = significant.isEmpty ? [UInt8(ascii: "0")] : Array(significant)
        self.exponent = exponent - fraction.count
        self.text = text
    }

    /// Within what Foundation's Decimal holds exactly (38 digits).
    var decimal: Decimal? {
        guard digits.count <= 38, (-100...100).contains(exponent) else { return nil }
        let text = (negative ? "-" : "") + String(decoding: digits, as: UTF8.self) + "e" + String(exponent)
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// Django's DecimalValidator: (digits in total, decimal places), as it counts them.
    var digitCounts: (digits: Int, decimals: Int) {
        if exponent >= 0 {
            return (digits == [UInt8(ascii: "0")] ? 1 : digits.count + exponent, 0)
        }
        let places = -exponent
        return places > digits.count ? (places, places) : (digits.count, places)
    }
}
