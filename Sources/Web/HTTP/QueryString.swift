/// Building query strings (the counterpart of `FormData.parse`), as Django's
/// `QueryDict.urlencode`: UTF-8, unreserved characters kept, `safe` ones too.
public enum QueryString {
    /// `value` percent-encoded for a query string; characters in `safe` stay as they are
    /// (`next=/admin/shop/` keeps its slashes, as Django's redirect_to_login does).
    public static func escape(_ value: String, safe: String = "") -> String {
        let safeBytes = Set(safe.utf8)
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            case _ where safeBytes.contains(byte):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `a=1&b=x%20y`, in the given order.
    public static func make(_ pairs: [(String, String)]) -> String {
        pairs.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }
}
