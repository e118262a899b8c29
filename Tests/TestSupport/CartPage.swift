import Foundation

/// Reads the contract's hooks off a cart page: each line's
/// `data-product-id` and `data-quantity`, and the `id="cart-total"` text.
public enum CartPage {
    public static func lines(in html: String) -> [Int: Int] {
        var lines: [Int: Int] = [:]
        var rest = html[...]
        while let tagStart = rest.range(of: "data-product-id=\"") {
            // The whole tag holding this attribute.
            let open = rest[..<tagStart.lowerBound].lastIndex(of: "<") ?? tagStart.lowerBound
            let close = rest[tagStart.upperBound...].firstIndex(of: ">") ?? rest.endIndex
            let tag = rest[open..<close]
            if let id = attribute("data-product-id", in: tag).flatMap(Int.init),
               let quantity = attribute("data-quantity", in: tag).flatMap(Int.init) {
                lines[id] = quantity
            }
            rest = rest[close...]
        }
        return lines
    }

    /// The text inside the element with `id="cart-total"`, tags stripped.
    public static func total(in html: String) -> String? {
        guard let marker = html.range(of: "id=\"cart-total\"") else { return nil }
        guard let start = html[marker.upperBound...].firstIndex(of: ">") else { return nil }
        guard let end = html[start...].range(of: "</") else { return nil }
        return html[html.index(after: start)..<end.lowerBound]
            .replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func attribute(_ name: String, in tag: Substring) -> String? {
        guard let range = tag.range(of: name + "=\"") else { return nil }
        let value = tag[range.upperBound...]
        return value.firstIndex(of: "\"").map { String(value[..<$0]) }
    }
}
