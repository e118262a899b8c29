import Foundation

/// The templates of `Templates/`, loaded and compiled once per process (before
/// the pool forks, so workers share them) and rendered with view-models.
/// `shop/product/list.html` is named `shop/product/list`. Values are
/// HTML-escaped unless a template uses `{{{raw}}}`.
public struct TemplateRenderer: @unchecked Sendable {
    private let engine: TemplateEngine

    public init(directory: String) throws {
        var templates: [String: [TemplateNode]] = [:]
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        guard let files = FileManager.default.enumerator(atPath: base) else {
            throw TemplateError(message: "templates directory \(directory) cannot be read (set TEMPLATES_DIR)")
        }
        for case let relative as String in files where relative.hasSuffix(".html") {
            let text = try String(contentsOfFile: base + relative, encoding: .utf8)
            do {
                templates[String(relative.dropLast(".html".count))] = try TemplateParser.parse(text)
            } catch {
                throw TemplateError(message: "template \(relative) does not parse: \(error)")
            }
        }
        guard !templates.isEmpty else { throw TemplateError(message: "no templates in \(directory) (set TEMPLATES_DIR)") }
        engine = TemplateEngine(templates: templates)
    }

    public func render(_ name: String, _ context: [String: Any]) throws -> String {
        try render(name, TemplateValue(context))
    }

    /// The blocks `name` overrides in its parent, rendered alone (see `PageFragments`).
    public func renderBlocks(_ name: String, _ context: [String: Any]) throws -> [String: String] {
        try engine.renderBlocks(name, TemplateValue(context))
    }

    /// `name` with some of its blocks already rendered: only its layout sees `context`.
    public func render(_ name: String, _ context: [String: Any], prerendered: [String: String]) throws -> String {
        try render(name, TemplateValue(context), prerendered: prerendered)
    }

    /// Both of the above with a context already converted (a request's: `RequestContext.render`),
    /// as the response body's bytes.
    func renderBytes(_ name: String, _ context: TemplateValue, prerendered: [String: String] = [:]) throws -> [UInt8] {
        try engine.renderBytes(name, context, prerendered: prerendered)
    }

    func render(_ name: String, _ context: TemplateValue, prerendered: [String: String] = [:]) throws -> String {
        String(decoding: try renderBytes(name, context, prerendered: prerendered), as: UTF8.self)
    }

    public func hasTemplate(_ name: String) -> Bool { engine.templates[name] != nil }
}

public struct TemplateError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
