import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Django's EmailValidator: a dot-atom or quoted-string user part; a domain of
/// LDH labels with a 2...63 character last label, `localhost`, or an IP
/// literal in brackets. Internationalized domains are accepted when their
/// labels are letters, digits and hyphens (Django punycodes them first).
public enum EmailValidator {
    public static func isValid(_ value: String) -> Bool {
        let scalars = Array(value.unicodeScalars)
        guard !scalars.isEmpty, scalars.count <= 320, let at = scalars.lastIndex(of: "@") else { return false }
        let user = Array(scalars[..<at])
        let domain = Array(scalars[(at + 1)...])
        guard isValidUser(user) else { return false }
        if String(String.UnicodeScalarView(domain)) == "localhost" { return true }
        return isValidDomain(domain) || isValidLiteral(domain)
    }

    static let atext = Set("!#$%&'*+-/=?^_`{|}~".unicodeScalars)

    static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar))
    }

    static func isValidUser(_ user: [Unicode.Scalar]) -> Bool {
        guard !user.isEmpty else { return false }
        if user.count >= 2, user.first == "\"", user.last == "\"" {
            return isValidQuotedString(Array(user.dropFirst().dropLast()))
        }
        // dot-atom: atoms of atext separated by single dots.
        var atomLength = 0
        for scalar in user {
            if scalar == "." {
                guard atomLength > 0 else { return false }
                atomLength = 0
            } else if isASCIIAlphanumeric(scalar) || atext.contains(scalar) {
                atomLength += 1
            } else {
                return false
            }
        }
        return atomLength > 0
    }

    /// `([\001-\010\013\014\016-\037!#-\[\]-\177]|\\[\001-\011\013\014\016-\177])*`
    static func isValidQuotedString(_ inner: [Unicode.Scalar]) -> Bool {
        var index = 0
        while index < inner.count {
            let value = inner[index].value
            if value == 0x5C {  // backslash escapes the next character
                guard index + 1 < inner.count else { return false }
                let next = inner[index + 1].value
                guard (1...0x7F).contains(next), next != 0x0A, next != 0x0D else { return false }
                index += 2
                continue
            }
            guard (1...0x7F).contains(value), value != 0x09, value != 0x0A, value != 0x0D, value != 0x20, value != 0x22 else {
                return false
            }
            index += 1
        }
        return true
    }

    static func isLabelCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if isASCIIAlphanumeric(scalar) || scalar == "-" { return true }
        // An IDN label: letters and digits of any script (approximating Django's punycode step).
        return !scalar.isASCII && (scalar.properties.isAlphabetic || scalar.properties.numericType != nil)
    }

    static func isValidDomain(_ domain: [Unicode.Scalar]) -> Bool {
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for (index, label) in labels.enumerated() {
            guard label.allSatisfy(isLabelCharacter) else { return false }
            if index == labels.count - 1 {
                // `[A-Z0-9-]{2,63}(?<!-)`
                guard (2...63).contains(label.count), label.last != "-" else { return false }
            } else {
                // `[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?`
                guard (1...63).contains(label.count), label.first != "-", label.last != "-" else { return false }
            }
        }
        return true
    }

    /// `[1.2.3.4]` or `[::1]` (Django: `\[([A-F0-9:.]+)\]` holding a valid IPv4 or IPv6 address).
    static func isValidLiteral(_ domain: [Unicode.Scalar]) -> Bool {
        guard domain.count > 2, domain.first == "[", domain.last == "]" else { return false }
        let inner = domain.dropFirst().dropLast()
        guard inner.allSatisfy({ $0.properties.isASCIIHexDigit || $0 == ":" || $0 == "." }) else { return false }
        let text = String(String.UnicodeScalarView(inner))
        if text.contains(":") {
            var address = in6_addr()
            return inet_pton(AF_INET6, text, &address) == 1
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), part.allSatisfy(\.isNumber),
                  let number = Int(part), number <= 255
            else { return false }
            return part.count == 1 || part.first != "0"
        }
    }
}
