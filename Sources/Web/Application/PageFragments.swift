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
///
/// A visitor who sent no session cookie, on a page that added no message, gets a layout that
/// is the same for everyone with that path (anonymous, an empty cart, no messages; context
/// processors promise as much, see `ContextProcessor`): for them the whole page is kept, in
/// the same LRU, and only the CSRF token is spliced in. Not under DEBUG, whose footer lists
/// this request's queries.
public final class PageFragments {
    private var pages: LRUCache<String, KeptParts>
    /// What stands for the CSRF token in a kept block; random for each worker, so no text
    /// a page shows (a product's description) can pass for it.
    private let tokenMarker = "\u{1}csrf-" + RandomString.make(length: 24, alphabet: Array("abcdefghijklmnopqrstuvwxyz".utf8)) + "\u{1}"

    public init(capacity: Int) {
        pages = LRUCache(capacity: capacity)
    }

    public func removeAll() { pages.removeAll() }

    /// Renders `template` for this request: its blocks from the kept copy under `key`
    /// (rendered now from `values()` when there is none), its layout with the request's
    /// context processors (or kept too, for a visitor without a session).
    public func render(_ template: String, key: String, _ context: RequestContext, status: Int = 200,
                       values: () throws -> [String: Any]) throws -> Response {
        let blocks = try kept(key) {
            return try context.services.templates.renderBlocks(template, keptValues(try values(), context))
        }
        if PageFragments.layoutIsEveryones(context) {
            let page = try kept("\(key)\u{0}\(context.request.fullPath)") {
                let blocks = blocks.mapValues { $0.joined(separator: tokenMarker) }
                // The layout's own forms, if any, get the stand-in too: nobody's token is kept.
                return ["": try context.render(template, prerendered: blocks, ["csrf_token": tokenMarker]).bodyText]
            }
            let html = spliced(page[""] ?? [], context)
            var output = HTMLOutput(capacity: html.byteCount)
            html.write(into: &output)
            return .html(bytes: output.bytes, status: status)
        }
        return try context.render(template, prerendered: blocks.mapValues { spliced($0, context).text }, status: status)
    }

    /// A partial template (`cart/line`) rendered once per `key` and kept, with the
    /// request's CSRF token spliced in as the page writes it: for the parts of a page that
    /// repeat and depend only on what `key` names (a cart line: the product as the catalog
    /// has it, and how many). It sees `values()`, `url` and `csrf_token`, as a kept block does.
    public func renderPartial(_ template: String, key: String, _ context: RequestContext,
                              values: () throws -> [String: Any]) throws -> TemplateValue {
        let partial = try kept(key) {
            return ["": try context.services.templates.render(template, keptValues(try values(), context))]
        }
        return .html(spliced(partial[""] ?? [], context))
    }

    /// What a kept part is rendered with: the view's values, and under them `url` (the
    /// routes' paths) and the stand-in for `csrf_token`, as context processors would give.
    private func keptValues(_ values: [String: Any], _ context: RequestContext) -> [String: Any] {
        var kept = values
        if kept["url"] == nil { kept["url"] = context.services.urls.templateValue }
        kept["csrf_token"] = tokenMarker
        return kept
    }

    /// No session cookie, no message added, no DEBUG footer: the layout shows nothing of this visitor.
    static func layoutIsEveryones(_ context: RequestContext) -> Bool {
        !context.session.browserSentKey && !context.session.isModified && !context.messages.addedAny && !context.settings.debug
    }

    private func kept(_ key: String, render: () throws -> [String: String]) throws -> KeptParts {
        if let kept = pages.get(key) { return kept }
        let parts = try render().mapValues { $0.parts(between: tokenMarker) }
        pages.put(key, parts)
        return parts
    }

    /// The parts with this request's page token (`CSRF.pageToken`) to go between them, masked
    /// only when there is a form to take it.
    private func spliced(_ parts: [String], _ context: RequestContext) -> SplicedHTML {
        SplicedHTML(parts: parts, token: parts.count > 1 ? context.csrf.pageToken() : "")
    }
}

/// A page's parts by block name (`""` for a whole page or partial), each cut where the
/// request's CSRF token goes.
typealias KeptParts = [String: [String]]

private extension String {
    /// The text between occurrences of `separator` (an empty part where two meet), keeping
    /// the parts that `joined(separator:)` puts back together. In the UTF-8 bytes, with
    /// `memchr` for the separator's first byte: Foundation's `range(of:)` goes through
    /// UTF-16 and was a third of the CPU of a list page rendered anew.
    func parts(between separator: String) -> [String] {
        var text = self
        let marker = Array(separator.utf8)
        guard let first = marker.first else { return [self] }
        return text.withUTF8 { bytes -> [String] in
            guard let base = bytes.baseAddress else { return [self] }
            var parts: [String] = []
            var start = 0, position = 0
            while position + marker.count <= bytes.count,
                  let found = memchr(base + position, Int32(first), bytes.count - position - marker.count + 1) {
                let at = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                if memcmp(base + at, marker, marker.count) == 0 {
                    parts.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self))
                    position = at + marker.count
                    start = position
                } else {
                    position = at + 1
                }
            }
            parts.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start...]), as: UTF8.self))
            return parts
        }
    }
}
