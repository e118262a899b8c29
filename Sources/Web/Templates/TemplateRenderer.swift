import Foundation
import Mustache

/// The templates of `Templates/`, loaded and compiled once per process (before
/// the pool forks, so workers share them) and rendered with view-models.
/// `shop/product/list.html` is named `shop/product/list`.
public struct TemplateRenderer: Sendable {
    private let library: MustacheLibrary
    public let names: [String]

    public init(directory: String) throws {
        MustacheContentTypes.register(FastHTMLContentType(), named: FastHTMLContentType.name)
        var library = MustacheLibrary()
        var names: [String] = []
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        guard let files = FileManager.default.enumerator(atPath: base) else {
            throw TemplateError(message: "templates directory \(directory) cannot be read (set TEMPLATES_DIR)")
        }
        for case let relative as String in files where relative.hasSuffix(".html") {
            let text = try String(contentsOfFile: base + relative, encoding: .utf8)
            let name = String(relative.dropLast(".html".count))
            do {
                // Every file, partials included, escapes with the fast escaper;
                // without the pragma mustache would fall back to its slow one.
                try library.register("{{% CONTENT_TYPE: \(FastHTMLContentType.name)}}" + text, named: name)
            } catch {
                throw TemplateError(message: "template \(relative) does not parse: \(error)")
            }
            names.append(name)
        }
        guard !names.isEmpty else { throw TemplateError(message: "no templates in \(directory) (set TEMPLATES_DIR)") }
        self.library = library
        self.names = names.sorted()
    }

    public func render(_ name: String, _ context: [String: Any]) throws -> String {
        guard let text = library.render(context, withTemplate: name) else {
            throw TemplateError(message: "no template named \(name)")
        }
        return text
    }

    public func hasTemplate(_ name: String) -> Bool { library.getTemplate(named: name) != nil }
}

public struct TemplateError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
