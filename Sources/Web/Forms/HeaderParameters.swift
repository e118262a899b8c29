/// A header value with parameters, as Django's `parse_header_parameters` reads
/// it: `form-data; name="a;b"; filename*=UTF-8''%E2%82%AC.png`. A `;` or `=`
/// inside quotes belongs to the value, `\"` and `\\` are unescaped, names are
/// case-folded, and an RFC 2231 `name*=charset'lang'percent-encoded` value wins
/// over the plain `name=` whichever comes first.
public struct HeaderParameters: Sendable, Equatable {
    /// The value before the first `;`, lower-cased (`form-data`, `multipart/form-data`).
    public var value: String
    public var parameters: [String: String]

    public subscript(name: String) -> String? { parameters[name] }

    public init(_ line: String) {
        var pieces = HeaderParameters.split(line)[...]
        value = (pieces.popFirst() ?? "").lowercased()
        parameters = [:]
        var extended: Set<String> = []
        for piece in pieces {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            var name = piece[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var raw = piece[piece.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            var isExtended = false
            if name.hasSuffix("*") {
                name.removeLast()
                isExtended = raw.filter { $0 == "'" }.count == 2
            }
            if raw.count >= 2, raw.first == "\"", raw.last == "\"" {
                raw = HeaderParameters.unescape(String(raw.dropFirst().dropLast()))
            }
            if isExtended {
                guard let decoded = HeaderParameters.decodeExtended(raw) else { continue }
                parameters[name] = decoded
                extended.insert(name)
            } else if !extended.contains(name) {
                parameters[name] = raw
            }
        }
    }

    /// Django's `_parseparam`: split on `;` outside quotes (a `\"` does not open or close one).
    static func split(_ line: String) -> [String] {
        var pieces: [String] = []
        var current: [Character] = []
        var quoted = false
        var escaped = false
        for character in line {
            if escaped {
                escaped = false
            } else if character == "\\" && quoted {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if character == ";" && !quoted {
                pieces.append(String(current).trimmingCharacters(in: .whitespaces))
                current.removeAll()
                continue
            }
            current.append(character)
        }
        pieces.append(String(current).trimmingCharacters(in: .whitespaces))
        return pieces
    }

    /// `\\` → `\` and `\"` → `"`, as Django does.
    static func unescape(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        return text.replacingOccurrences(of: "\\\\", with: "\\").replacingOccurrences(of: "\\\"", with: "\"")
    }

    /// `UTF-8'en'%E2%82%AC.png` → `€.png`. Charsets UTF-8, ISO-8859-1 and US-ASCII;
    /// nil for another charset or bytes that are not text in it.
    static func decodeExtended(_ raw: String) -> String? {
        let parts = raw.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var bytes: [UInt8] = []
        var utf8 = Array(parts[2].utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2, let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        switch parts[0].lowercased() {
        case "utf-8", "utf8": return String(validating: bytes, as: UTF8.self)
        case "iso-8859-1", "latin-1", "latin1": return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        case "us-ascii", "ascii": return bytes.allSatisfy { $0 < 0x80 } ? String(decoding: bytes, as: UTF8.self) : nil
        default: return nil
        }
    }
}

import Foundation
