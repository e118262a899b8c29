/// Decoded `application/x-www-form-urlencoded` fields (a POST body or a query
/// string), like Django's QueryDict: a name may repeat; `self[name]` is the last value.
public struct FormData: Sendable {
    public private(set) var pairs: [(name: String, value: String)] = []

    public init(pairs: [(name: String, value: String)] = []) { self.pairs = pairs }

    public subscript(name: String) -> String? { pairs.last { $0.name == name }?.value }

    public func all(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }

    public func contains(_ name: String) -> Bool { pairs.contains { $0.name == name } }

    /// Parses urlencoded bytes. Broken percent-escapes or broken UTF-8 are the client's fault: 400.
    /// Pairs are split on `&`, a pair on its first `=`; one with neither name nor value is skipped.
    public static func parse(urlencoded bytes: some Collection<UInt8>) throws(HTTPError) -> FormData {
        let bytes = Array(bytes)
        var form = FormData()
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "&")) ?? bytes.count
            let pair = bytes[start..<end]
            start = end + 1
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            let name = pair[..<(equals ?? end)], value = equals.map { pair[($0 + 1)...] } ?? []
            if name.isEmpty && value.isEmpty { continue }
            form.pairs.append((try decode(name), try decode(value)))
        }
        return form
    }

    public static func parse(urlencoded text: String) throws(HTTPError) -> FormData {
        try parse(urlencoded: Array(text.utf8))
    }

    private static func decode(_ raw: ArraySlice<UInt8>) throws(HTTPError) -> String {
        // Most names and values (tokens, ids, quantities) have nothing to decode: taken whole.
        if !raw.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) {
            guard let text = UTF8Text.validated(raw) else {
                throw HTTPError.badRequest("Form data is not valid UTF-8")
            }
            return text
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index < raw.endIndex {
            let byte = raw[index]
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                guard index + 2 < raw.endIndex, let high = hexValue(raw[index + 1]), let low = hexValue(raw[index + 2]) else {
                    throw HTTPError.badRequest("Malformed percent-encoding in form data")
                }
                bytes.append(high << 4 | low)
                index += 2
            } else {
                bytes.append(byte)
            }
            index += 1
        }
        guard let text = UTF8Text.validated(bytes) else {
            throw HTTPError.badRequest("Form data is not valid UTF-8")
        }
        return text
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
