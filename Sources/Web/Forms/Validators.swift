import Foundation

/// Django's validators with their exact messages. Each returns the message, or nil when the value passes.
public enum Validators {
    public static let required = "This field is required."

    public static func maxLength(_ limit: Int, _ value: String) -> String? {
        let length = value.unicodeScalars.count
        return length > limit ? "Ensure this value has at most \(limit) \(plural(limit, "character")) (it has \(length))." : nil
    }

    public static func minLength(_ limit: Int, _ value: String) -> String? {
        let length = value.unicodeScalars.count
        return length < limit ? "Ensure this value has at least \(limit) \(plural(limit, "character")) (it has \(length))." : nil
    }

    /// ProhibitNullCharactersValidator.
    public static func noNullCharacters(_ value: String) -> String? {
        value.unicodeScalars.contains("\0") ? "Null characters are not allowed." : nil
    }

    /// validate_email. A value with a NUL is left to `noNullCharacters`, so it gets one message.
    public static func email(_ value: String) -> String? {
        value.unicodeScalars.contains("\0") || EmailValidator.isValid(value) ? nil : "Enter a valid email address."
    }

    /// validate_slug: `^[-a-zA-Z0-9_]+\Z`.
    public static func slug(_ value: String) -> String? {
        let valid = !value.isEmpty && value.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"): true
            default: false
            }
        }
        return valid ? nil : "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."
    }

    public static func maxValue<T: Comparable>(_ limit: T, _ value: T) -> String? {
        value > limit ? "Ensure this value is less than or equal to \(limit)." : nil
    }

    public static func minValue<T: Comparable>(_ limit: T, _ value: T) -> String? {
        value < limit ? "Ensure this value is greater than or equal to \(limit)." : nil
    }

    /// DecimalValidator(max_digits, decimal_places), in Django's order: total digits, places, whole digits.
    static func decimal(maxDigits: Int?, decimalPlaces: Int?, _ value: DecimalText) -> String? {
        let (digits, decimals) = value.digitCounts
        if let maxDigits, digits > maxDigits {
            return "Ensure that there are no more than \(maxDigits) \(plural(maxDigits, "digit")) in total."
        }
        if let decimalPlaces, decimals > decimalPlaces {
            return "Ensure that there are no more than \(decimalPlaces) decimal \(plural(decimalPlaces, "place"))."
        }
        if let maxDigits, let decimalPlaces, digits - decimals > maxDigits - decimalPlaces {
            let whole = maxDigits - decimalPlaces
            return "Ensure that there are no more than \(whole) \(plural(whole, "digit")) before the decimal point."
        }
        return nil
    }

    /// Django's `unique` error, for a view that found the value taken:
    /// `unique(model: "Category", field: "Slug")` → "Category with this Slug already exists."
    public static func unique(model: String, field: String) -> String {
        "\(model) with this \(field) already exists."
    }

    static func plural(_ count: Int, _ word: String) -> String { count == 1 ? word : word + "s" }
}
