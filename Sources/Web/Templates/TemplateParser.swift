/// A compiled template: a tree of nodes, parsed once when the worker loads `Templates/`.
indirect enum TemplateNode {
    case text(String)
    case variable(path: [TemplateKey], escaped: Bool)
    case section(path: [TemplateKey], inverted: Bool, body: [TemplateNode])
    case partial(name: String)
    /// `{{<parent}}...{{/parent}}`: the parent rendered with these blocks replaced.
    case parent(name: String, blocks: [String: [TemplateNode]])
    /// `{{$name}}default{{/name}}`: replaced by a child's block of the same name.
    case block(name: String, defaultBody: [TemplateNode])
}

public struct TemplateSyntaxError: Error, CustomStringConvertible {
    public var message: String
    public var line: Int
    public var description: String { "line \(line): \(message)" }
}

/// The Mustache subset the shop's templates use: `{{name}}` (escaped),
/// `{{{name}}}` and `{{&name}}` (raw), `{{#section}}`, `{{^inverted}}`,
/// `{{>partial}}`, `{{<parent}}` with `{{$block}}`, `{{! comments }}`,
/// dotted names and `{{.}}`. Standalone tags take their whole line, as the spec says.
enum TemplateParser {
    struct Tag {
        var kind: Character?  // nil: a variable
        var content: String
        var line: Int
    }

    enum Token {
        case text(String)
        case tag(Tag)
    }

    static func parse(_ source: String) throws -> [TemplateNode] {
        var tokens = try tokenize(source)
        stripStandaloneLines(&tokens)
        var index = 0
        let nodes = try build(tokens, &index, closing: nil)
        return nodes
    }

    static func tokenize(_ source: String) throws -> [Token] {
        var tokens: [Token] = []
        var rest = source[...]
        var line = 1
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex {
                let text = rest[..<open.lowerBound]
                tokens.append(.text(String(text)))
                line += text.utf8.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
            }
            let triple = rest[open.upperBound...].hasPrefix("{")
            let closer = triple ? "}}}" : "}}"
            let start = triple ? rest.index(after: open.upperBound) : open.upperBound
            guard let close = rest[start...].range(of: closer) else {
                throw TemplateSyntaxError(message: "unclosed tag", line: line)
            }
            var content = rest[start..<close.lowerBound].trimmingWhitespace()
            var kind: Character? = triple ? "&" : nil
            if !triple, let first = content.first, "#^/>!<$&%".contains(first) {
                kind = first
                content = content.dropFirst().trimmingWhitespace()
            }
            line += rest[start..<close.lowerBound].utf8.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
            if kind != "!" && kind != "%" {
                tokens.append(.tag(Tag(kind: kind, content: String(content), line: line)))
            } else {
                tokens.append(.tag(Tag(kind: "!", content: "", line: line)))
            }
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { tokens.append(.text(String(rest))) }
        return tokens
    }

    /// A section, block, partial or comment tag alone on its line takes the line with it.
    static func stripStandaloneLines(_ tokens: inout [Token]) {
        // Whether a text token begins a line: the template's start, or right after a stripped line.
        var textStartsLine = Array(repeating: false, count: tokens.count)
        if !tokens.isEmpty { textStartsLine[0] = true }
        for index in tokens.indices {
            guard case .tag(let tag) = tokens[index], let kind = tag.kind, "#^/><$!".contains(kind) else { continue }
            // Before the tag, back to the line's start, only blanks.
            var indent = 0
            if index > 0 {
                guard case .text(let text) = tokens[index - 1] else { continue }
                if let newline = text.lastIndex(of: "\n") {
                    let tail = text[text.index(after: newline)...]
                    guard tail.allSatisfy({ $0 == " " || $0 == "\t" }) else { continue }
                    indent = tail.count
                } else {
                    guard textStartsLine[index - 1], text.allSatisfy({ $0 == " " || $0 == "\t" }) else { continue }
                    indent = text.count
                }
            }
            // After the tag, up to the line's end (or the template's), only blanks.
            if index + 1 < tokens.count {
                guard case .text(let text) = tokens[index + 1] else { continue }
                if let newline = text.firstIndex(of: "\n") {
                    guard text[..<newline].allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) else { continue }
                    tokens[index + 1] = .text(String(text[text.index(after: newline)...]))
                } else {
                    guard index + 2 == tokens.count, text.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) else { continue }
                    tokens[index + 1] = .text("")
                }
                textStartsLine[index + 1] = true
            }
            if index > 0, case .text(let text) = tokens[index - 1] {
                tokens[index - 1] = .text(String(text.dropLast(indent)))
            }
        }
    }

    static func build(_ tokens: [Token], _ index: inout Int, closing: Tag?) throws -> [TemplateNode] {
        var nodes: [TemplateNode] = []
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            switch token {
            case .text(let text):
                if !text.isEmpty { nodes.append(.text(text)) }
            case .tag(let tag):
                switch tag.kind {
                case nil: nodes.append(.variable(path: path(tag.content), escaped: true))
                case "&": nodes.append(.variable(path: path(tag.content), escaped: false))
                case "!": break
                case ">": nodes.append(.partial(name: tag.content))
                case "#", "^":
                    let body = try build(tokens, &index, closing: tag)
                    nodes.append(.section(path: path(tag.content), inverted: tag.kind == "^", body: body))
                case "$":
                    nodes.append(.block(name: tag.content, defaultBody: try build(tokens, &index, closing: tag)))
                case "<":
                    let body = try build(tokens, &index, closing: tag)
                    var blocks: [String: [TemplateNode]] = [:]
                    for case .block(let name, let content) in body { blocks[name] = content }
                    nodes.append(.parent(name: tag.content, blocks: blocks))
                case "/":
                    guard let closing, closing.content == tag.content else {
                        throw TemplateSyntaxError(message: "unexpected {{/\(tag.content)}}", line: tag.line)
                    }
                    return nodes
                default:
                    throw TemplateSyntaxError(message: "unknown tag {{\(tag.kind.map(String.init) ?? "")\(tag.content)}}", line: tag.line)
                }
            }
        }
        if let closing { throw TemplateSyntaxError(message: "{{\(closing.kind.map(String.init) ?? "")\(closing.content)}} is never closed", line: closing.line) }
        return nodes
    }

    static func path(_ name: String) -> [TemplateKey] {
        name == "." ? [TemplateKey(".")] : name.split(separator: ".").map { TemplateKey(String($0)) }
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        var text = self
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return text
    }
}
