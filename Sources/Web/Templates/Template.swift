/// Renders compiled templates against a `TemplateValue` context stack.
struct TemplateEngine {
    let templates: [String: [TemplateNode]]

    /// The blocks a child template overrides (`{{$content}}...{{/content}}` inside its
    /// `{{<base}}`), each rendered alone against `context`: the parts of a page that
    /// `renderBytes(_:_:prerendered:)` can later take as they are.
    func renderBlocks(_ name: String, _ context: TemplateValue) throws -> [String: String] {
        var rendered: [String: String] = [:]
        for case .parent(_, let overrides) in try nodes(name) {
            for (block, body) in overrides {
                var output = HTMLOutput(capacity: 4096)
                var stack = [context]
                render(body, &stack, blocks: overrides, prerendered: [:], into: &output)
                rendered[block] = String(decoding: output.bytes, as: UTF8.self)
            }
        }
        return rendered
    }

    /// The page as the response's body: rendered into bytes, never a `String` (see `HTMLOutput`).
    /// The blocks in `prerendered` are taken as they are (text, not re-rendered, not escaped
    /// again): only the rest of the page, its layout, sees `context`.
    /// They are written where the layout places those blocks: rewriting the page's nodes with
    /// them, a copy of its blocks' dictionary for every request, was some 6,000 instructions.
    func renderBytes(_ name: String, _ context: TemplateValue, prerendered: [String: String] = [:]) throws -> [UInt8] {
        var output = HTMLOutput(capacity: 16 * 1024)
        var stack = [context]
        render(try nodes(name), &stack, blocks: [:], prerendered: prerendered, into: &output)
        return output.bytes
    }

    private func nodes(_ name: String) throws -> [TemplateNode] {
        guard let nodes = templates[name] else { throw TemplateError(message: "no template named \(name)") }
        return nodes
    }

    /// `blocks`: the overrides of the templates that extend this one, the outermost winning.
    /// `prerendered`: the outermost child's blocks already rendered, written as they are.
    private func render(_ nodes: [TemplateNode], _ stack: inout [TemplateValue], blocks: [String: [TemplateNode]],
                        prerendered: [String: String], into output: inout HTMLOutput) {
        for node in nodes {
            switch node {
            case .text(let text):
                output.append(text)
            case .variable(let path, let escaped):
                let text: String
                switch lookup(path, stack)?.resolved {
                case .string(let value)?: text = value
                case .bool(let value)?: text = value ? "true" : "false"
                case .lazy(let compute)?: text = compute()
                case .html(let html)?: html.write(into: &output, escaped: escaped); continue
                case .list, .object, .null, .deferred, nil: continue
                }
                if escaped { output.appendEscaped(text) } else { output.append(text) }
            case .section(let path, let inverted, let body):
                let value = lookup(path, stack)?.resolved ?? .null
                if inverted {
                    if !value.isTruthy { render(body, &stack, blocks: blocks, prerendered: prerendered, into: &output) }
                } else if value.isTruthy {
                    if case .list(let items) = value {
                        for item in items {
                            stack.append(item)
                            render(body, &stack, blocks: blocks, prerendered: prerendered, into: &output)
                            stack.removeLast()
                        }
                    } else {
                        stack.append(value)
                        render(body, &stack, blocks: blocks, prerendered: prerendered, into: &output)
                        stack.removeLast()
                    }
                }
            case .partial(let name):
                if let partial = templates[name] { render(partial, &stack, blocks: [:], prerendered: [:], into: &output) }
            case .parent(let name, let overrides):
                guard let parent = templates[name] else { continue }
                // A block the caller already overrode wins over this level's (the child is outermost).
                // A page's outermost child has no caller's blocks: its own are taken as they are,
                // not copied into a new dictionary (and every name hashed again) for each request.
                let merged = blocks.isEmpty ? overrides : overrides.merging(blocks) { _, outer in outer }
                render(parent, &stack, blocks: merged, prerendered: prerendered, into: &output)
            case .block(let name, let defaultBody):
                // A prerendered block is one the outermost child overrides (`renderBlocks`), and
                // its override wins over any other: its text stands for it.
                if !prerendered.isEmpty, let html = prerendered[name], blocks[name] != nil {
                    output.append(html)
                } else {
                    render(blocks[name] ?? defaultBody, &stack, blocks: blocks, prerendered: prerendered, into: &output)
                }
            }
        }
    }

    /// Mustache name resolution: the first part from the innermost context that has it, the rest inside it.
    private func lookup(_ path: [TemplateKey], _ stack: [TemplateValue]) -> TemplateValue? {
        if path.first?.name == "." { return stack.last }
        var value: TemplateValue?
        for frame in stack.reversed() {
            if let found = frame.member(path[0]) { value = found; break }
        }
        for part in path.dropFirst() {
            value = value?.member(part)
        }
        return value
    }
}
