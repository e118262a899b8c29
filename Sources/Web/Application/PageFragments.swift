import Foundation

/// Parts of pages rendered once and kept, as Django's `{% cache %}` fragments: the blocks
/// of a page that depend only on what their key names (for the catalog: one version of
/// it and a page), so a request renders only the layout around them (header, cart
/// summary, messages) and splices in its own CSRF token.
///
/// A kept block is rendered with the view's values, `url` and a stand-in for `csrf_token`,
/// never with the request's own (`user`, `cart`, `messages`, `request`): what belongs to
/// one visitor belongs in the layout. The owner knows when its fragments are outdated and
/// empties them (`removeAll`; the catalog does on every write). Bounded: at most
/// `capacity` pages.
public final class PageFragments {
    private var pages: LRUCache<String, KeptBlocks>
    /// What stands for the CSRF token in a kept block; random for each worker, so no text
    /// a page shows (a product's description) can pass for it.
    private let tokenMarker = "\u{1}csrf-" + RandomString.make(length: 24, alphabet: Array("abcdefghijklmnopqrstuvwxyz".utf8)) + "\u{1}"

    public init(capacity: Int) {
        pages = LRUCache(capacity: capacity)
    }

    public var count: Int { pages.count }

    public func removeAll() { pages.removeAll() }

    /// Renders `template` for this request: its blocks from the kept copy under `key`
    /// (rendered now from `values()` when there is none), its layout with the request's
    /// context processors.
    public func render(_ template: String, key: String, _ context: RequestContext, status: Int = 200,
                       values: () throws -> [String: Any]) throws -> Response {
        let blocks: KeptBlocks
        if let kept = pages.get(key) {
            blocks = kept
        } else {
            var blockValues = try values()
            blockValues["url"] = context.services.urls.templateValue
            blockValues["csrf_token"] = tokenMarker
            let rendered = try context.services.templates.renderBlocks(template, blockValues)
            blocks = KeptBlocks(parts: rendered.mapValues { $0.parts(between: tokenMarker) })
            pages.put(key, blocks)
        }
        var token: String?
        var prerendered: [String: String] = [:]
        for (name, parts) in blocks.parts {
            if parts.count == 1 {
                prerendered[name] = parts[0]
            } else {
                // One masked token per page, as the template's own `csrf_token` gives.
                let value = token ?? context.csrf.token()
                token = value
                prerendered[name] = parts.joined(separator: value)
            }
        }
        return try context.render(template, prerendered: prerendered, status: status)
    }
}

/// A page's blocks, each cut where the request's CSRF token goes.
struct KeptBlocks {
    let parts: [String: [String]]
}

private extension String {
    /// The text between occurrences of `separator` (an empty part where two meet), keeping
    /// the parts that `joined(separator:)` puts back together.
    func parts(between separator: String) -> [String] {
        var parts: [String] = []
        var rest = self[...]
        while let range = rest.range(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}
