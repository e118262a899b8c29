import Foundation

// MARK: - Parameters (Swift -> text)

/// A value that can be sent as a text-format query parameter.
/// `nil` means SQL NULL.
public protocol PostgresBindable {
    var postgresText: String? { get }
}

/// An explicit SQL NULL, for `[any PostgresBindable]` arrays.
public struct PostgresNull: PostgresBindable, Sendable {
    public init() {}
    public var postgresText: String? { nil }
}

extension String: PostgresBindable {
    public var postgresText: String? { self }
}

extension Substring: PostgresBindable {
    public var postgresText: String? { String(self) }
}

extension Int: PostgresBindable {
    public var postgresText: String? { String(self) }
}

extension Int32: PostgresBindable {
    public var postgresText: String? { String(self) }
}

extension Int64: PostgresBindable {
    public var postgresText: String? { String(self) }
}

extension Bool: PostgresBindable {
    public var postgresText: String? { self ? "true" : "false" }
}

extension Double: PostgresBindable {
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return description
    }
}

extension Decimal: PostgresBindable {
    /// Plain digits, never exponent notation ("19.99", "100000000000000000000").
    public var postgresText: String? { isNaN ? "NaN" : description }
}

extension Date: PostgresBindable {
    /// UTC with microseconds: "2026-11-26 14:25:05.123456+00".
    public var postgresText: String? { PostgresDateText.format(self) }
}

extension UUID: PostgresBindable {
    public var postgresText: String? { uuidString.lowercased() }
}

extension Optional: PostgresBindable where Wrapped: PostgresBindable {
    public var postgresText: String? {
        switch self {
        case .none: return nil
        case .some(let value): return value.postgresText
        }
    }
}

// MARK: - Results (text -> Swift)

/// A value that can be decoded from a text-format result cell.
public protocol PostgresDecodable {
    init(postgresText: String) throws
}

/// Implemented by `Optional` only: the value a SQL NULL decodes to.
protocol PostgresNullDecodable {
    static var postgresNullValue: Self { get }
}

extension Optional: PostgresNullDecodable where Wrapped: PostgresDecodable {
    static var postgresNullValue: Self { .none }
}

@inline(never)
func decodingError(_ text: String, as type: Any.Type) -> PostgresError {
    PostgresError(kind: .decoding, message: "cannot decode \"\(text.prefix(100))\" as \(type)")
}

extension String: PostgresDecodable {
    public init(postgresText: String) { self = postgresText }
}

extension Int: PostgresDecodable {
    public init(postgresText: String) throws {
        guard let value = Int(postgresText) else { throw decodingError(postgresText, as: Int.self) }
        self = value
    }
}

extension Int32: PostgresDecodable {
    public init(postgresText: String) throws {
        guard let value = Int32(postgresText) else { throw decodingError(postgresText, as: Int32.self) }
        self = value
    }
}

extension Int64: PostgresDecodable {
    public init(postgresText: String) throws {
        guard let value = Int64(postgresText) else { throw decodingError(postgresText, as: Int64.self) }
        self = value
    }
}

extension Double: PostgresDecodable {
    public init(postgresText: String) throws {
        guard let value = Double(postgresText) else { throw decodingError(postgresText, as: Double.self) }
        self = value
    }
}

extension Bool: PostgresDecodable {
    public init(postgresText: String) throws {
        switch postgresText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw decodingError(postgresText, as: Bool.self)
        }
    }
}

extension Decimal: PostgresDecodable {
    /// Exact: "19.99" becomes 19.99. Accepts only a complete number (sign,
    /// digits, optional fraction and exponent) or "NaN"; anything else throws.
    public init(postgresText: String) throws {
        if let value = Decimal.parseFast(postgresText) {
            self = value
            return
        }
        if postgresText == "NaN" { self = .nan; return }
        guard Decimal.isPlainNumber(postgresText),
              let value = Decimal(string: postgresText, locale: nil)
        else { throw decodingError(postgresText, as: Decimal.self) }
        self = value
    }

    /// "[-]digits[.digits]" with up to 19 significant digits, built without
    /// Decimal(string:) (which is ~40 times slower). nil: use the slow path.
    private static func parseFast(_ text: String) -> Decimal? {
        var mantissa: UInt64 = 0
        var negative = false
        var fractionDigits = 0
        var inFraction = false
        var digits = 0
        var first = true
        for byte in text.utf8 {
            defer { first = false }
            if byte >= 48 && byte <= 57 {
                let (times10, overflow1) = mantissa.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - 48))
                if overflow1 || overflow2 { return nil }
                mantissa = sum
                digits += 1
                if inFraction { fractionDigits += 1 }
            } else if byte == 46 && !inFraction {  // '.'
                inFraction = true
            } else if byte == 45 && first {  // '-'
                negative = true
            } else {
                return nil
            }
        }
        guard digits > 0, fractionDigits <= 100 else { return nil }
        return Decimal(sign: negative && mantissa != 0 ? .minus : .plus,
                       exponent: -fractionDigits,
                       significand: Decimal(mantissa))
    }

    private static func isPlainNumber(_ text: String) -> Bool {
        var digits = 0
        var state = 0  // 0 sign, 1 integer, 2 fraction, 3 exponent sign, 4 exponent digits
        var exponentDigits = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if state >= 3 { state = 4; exponentDigits += 1 } else { digits += 1; if state == 0 { state = 1 } }
            case UInt8(ascii: "-"), UInt8(ascii: "+"):
                if state == 0 { state = 1 } else if state == 3 { state = 4 } else { return false }
            case UInt8(ascii: "."):
                if state <= 1 { state = 2 } else { return false }
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                if (state == 1 || state == 2) && digits > 0 { state = 3 } else { return false }
            default:
                return false
            }
        }
        return digits > 0 && (state < 3 || exponentDigits > 0)
    }
}

extension Date: PostgresDecodable {
    /// timestamptz ("2026-11-26 14:25:05.123456+00", "+05:30"), timestamp
    /// (no offset: taken as UTC), date ("2026-11-26") and ±infinity.
    public init(postgresText: String) throws {
        guard let date = PostgresDateText.parse(postgresText) else {
            throw decodingError(postgresText, as: Date.self)
        }
        self = date
    }
}

extension UUID: PostgresDecodable {
    public init(postgresText: String) throws {
        guard let value = UUID(uuidString: postgresText) else { throw decodingError(postgresText, as: UUID.self) }
        self = value
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init(postgresText: String) throws {
        self = .some(try Wrapped(postgresText: postgresText))
    }
}

// MARK: - Timestamps by hand (no DateFormatter)

enum PostgresDateText {
    /// Seconds from 1970-01-01 to 2001-01-01 (Foundation's reference date).
    static let unixToReference: Int64 = 978_307_200

    static func format(_ date: Date) -> String {
        let interval = date.timeIntervalSinceReferenceDate * 1_000_000
        guard interval.isFinite, abs(interval) < 9.0e18 else {
            return interval < 0 ? "-infinity" : "infinity"
        }
        let micros = Int64(interval.rounded()) + unixToReference * 1_000_000
        let seconds = floorDiv(micros, 1_000_000)
        let fraction = micros - seconds * 1_000_000
        let days = floorDiv(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        var (year, month, day) = civil(fromDays: days)
        let bc = year <= 0
        if bc { year = 1 - year }

        var bytes: [UInt8] = []
        bytes.reserveCapacity(34)
        func put(_ value: Int64, width: Int) {
            var count = 1
            var rest = value / 10
            while rest > 0 { count += 1; rest /= 10 }
            count = max(count, width)
            let start = bytes.count
            bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: count))
            var v = value
            var at = start + count - 1
            while v > 0 { bytes[at] = UInt8(ascii: "0") + UInt8(v % 10); v /= 10; at -= 1 }
        }
        put(year, width: 4); bytes.append(UInt8(ascii: "-"))
        put(month, width: 2); bytes.append(UInt8(ascii: "-"))
        put(day, width: 2); bytes.append(UInt8(ascii: " "))
        put(secondOfDay / 3600, width: 2); bytes.append(UInt8(ascii: ":"))
        put(secondOfDay / 60 % 60, width: 2); bytes.append(UInt8(ascii: ":"))
        put(secondOfDay % 60, width: 2); bytes.append(UInt8(ascii: "."))
        put(fraction, width: 6)
        bytes.append(UInt8(ascii: "+")); bytes.append(UInt8(ascii: "0")); bytes.append(UInt8(ascii: "0"))
        if bc { bytes.append(contentsOf: " BC".utf8) }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func parse(_ text: String) -> Date? {
        switch text {
        case "infinity": return .distantFuture
        case "-infinity": return .distantPast
        default: break
        }
        var copy = text
        return copy.withUTF8 { parse(bytes: $0) }
    }

    private static func parse(bytes s: UnsafeBufferPointer<UInt8>) -> Date? {
        var i = 0
        let n = s.count

        func isDigit(_ at: Int) -> Bool { at < n && s[at] >= 48 && s[at] <= 57 }
        /// Reads exactly `count` digits (or, with count == 0, at least four).
        func number(_ count: Int) -> Int64? {
            var value: Int64 = 0
            var read = 0
            while isDigit(i) && (count == 0 || read < count) && read < 9 {
                value = value * 10 + Int64(s[i] - 48)
                i += 1
                read += 1
            }
            if count == 0 ? read < 4 : read != count { return nil }
            return value
        }
        func expect(_ char: UInt8) -> Bool {
            guard i < n, s[i] == char else { return false }
            i += 1
            return true
        }

        guard var year = number(0), expect(45), let month = number(2), expect(45), let day = number(2),
              (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0, micros: Int64 = 0, offset: Int64 = 0

        if i < n && (s[i] == 32 || s[i] == 84) && isDigit(i + 1) {  // ' ' or 'T'
            i += 1
            guard let h = number(2), expect(58), let m = number(2), expect(58), let sec = number(2),
                  h <= 24, m <= 59, sec <= 60
            else { return nil }
            hour = h; minute = m; second = sec
            if i < n && s[i] == 46 {  // '.'
                i += 1
                var scale: Int64 = 100_000
                var read = 0
                while isDigit(i) {
                    micros += Int64(s[i] - 48) * scale
                    scale /= 10
                    i += 1
                    read += 1
                }
                if read == 0 { return nil }
            }
            if i < n && (s[i] == 43 || s[i] == 45) {  // '+' / '-'
                let sign: Int64 = s[i] == 45 ? -1 : 1
                i += 1
                guard let oh = number(2) else { return nil }
                var om: Int64 = 0, os: Int64 = 0
                if expect(58) { guard let v = number(2) else { return nil }; om = v }
                else if isDigit(i) { guard let v = number(2) else { return nil }; om = v }
                if expect(58) { guard let v = number(2) else { return nil }; os = v }
                offset = sign * (oh * 3600 + om * 60 + os)
            } else if i < n && s[i] == 90 {  // 'Z'
                i += 1
            }
        }
        if i < n {
            // " BC"
            guard n - i == 3, s[i] == 32, s[i + 1] == 66, s[i + 2] == 67 else { return nil }
            year = 1 - year
            i = n
        }

        let days = days(fromCivil: year, month, day)
        let unixSeconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        let referenceMicros = (unixSeconds - unixToReference) * 1_000_000 + micros
        return Date(timeIntervalSinceReferenceDate: Double(referenceMicros) / 1_000_000)
    }

    @inline(__always)
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant).
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
