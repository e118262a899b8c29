/// Decoded `application/x-www-form-urlencoded` fields (a POST body or a query
/// string), like Django's QueryDict: a name may repeat; `self[name]` is the last value.
public struct FormData: Sendable {
    public private(set) var pairs: [(name: String, value: String)] = []

    public init(pairs: [(name: String, value: String)] = []) { self.pairs = pairs }

    public subscript(name: String) -> String? { pairs.last { $0.name == name }?.value }

    public func all(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }

    public func contains(_ name: String) -> Bool { pairs.contains { $0.name == name } }

    /// Parses urlencoded bytes. Broken percent-escapes or broken UTF-8 are the client's fault: 400.
    public static func parse(urlencoded bytes: some Collection<UInt8>) throws(HTTPError) -> FormData {
        var form = FormData()
        var name: [UInt8] = []
        var value: [UInt8] = []
        var inValue = false
        var iterator = Array(bytes)[...]

        func flush() throws(HTTPError) {
            defer { name.removeAll(keepingCapacity: true); value.removeAll(keepingCapacity: true); inValue = false }
            if name.isEmpty && value.isEmpty { return }
            form.pairs.append((try decode(name), try decode(value)))
        }

        while let byte = iterator.popFirst() {
            switch byte {
            case UInt8(ascii: "&"):
                try flush()
            case UInt8(ascii: "=") where !inValue:
                inValue = true
            default:
                if inValue { value.append(byte) } else { name.append(byte) }
            }
        }
        try flush()
        return form
    }

    public static func parse(urlencoded text: String) throws(HTTPError) -> FormData {
        try parse(urlencoded: Array(text.utf8))
    }

    private static func decode(_ raw: [UInt8]) throws(HTTPError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                guard index + 2 < raw.count, let high = hexValue(raw[index + 1]), let low = hexValue(raw[index + 2]) else {
                    throw HTTPError.badRequest("Malformed percent-encoding in form data")
                }
                bytes.append(high << 4 | low)
                index += 2
            } else {
                bytes.append(byte)
            }
            index += 1
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
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
