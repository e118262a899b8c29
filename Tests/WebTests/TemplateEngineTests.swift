import Foundation
@testable import Web
import XCTest

/// The template engine: the Mustache subset the shop's templates use.
final class TemplateEngineTests: XCTestCase {
    func renderer(_ files: [String: String]) throws -> TemplateRenderer {
        let directory = NSTemporaryDirectory() + "templates-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        for (name, text) in files {
            let path = directory + "/" + name + ".html"
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return try TemplateRenderer(directory: directory)
    }

    func render(_ template: String, _ context: [String: Any], partials: [String: String] = [:]) throws -> String {
        try renderer(partials.merging(["page": template]) { a, _ in a }).render("page", context)
    }

    func testVariablesAreEscapedUnlessTripled() throws {
        XCTAssertEqual(try render("{{v}}|{{{v}}}|{{& v}}", ["v": "<a href=\"x\">'&'</a>"]),
                       "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;|<a href=\"x\">'&'</a>|<a href=\"x\">'&'</a>")
        XCTAssertEqual(try render("[{{missing}}]", [:]), "[]")
        XCTAssertEqual(try render("{{n}} {{b}}", ["n": 42, "b": true]), "42 true")
    }

    func testSectionsListsAndTruthiness() throws {
        let template = "{{#items}}<{{name}}>{{/items}}{{^items}}none{{/items}}"
        XCTAssertEqual(try render(template, ["items": [["name": "a"], ["name": "b"]]]), "<a><b>")
        XCTAssertEqual(try render(template, ["items": [[String: Any]]()]), "none")
        XCTAssertEqual(try render("{{#f}}yes{{/f}}{{^f}}no{{/f}}", ["f": false]), "no")
        XCTAssertEqual(try render("{{#f}}yes{{/f}}{{^f}}no{{/f}}", ["f": true]), "yes")
        XCTAssertEqual(try render("{{#s}}[{{.}}]{{/s}}", ["s": ""]), "", "an empty string is false")
        XCTAssertEqual(try render("{{#o}}{{x}}{{/o}}", ["o": ["x": "1"]]), "1")
        let none: String? = nil
        XCTAssertEqual(try render("{{#o}}set{{/o}}{{^o}}unset{{/o}}", ["o": none as Any]), "unset", "nil is false, unlike swift-mustache")
    }

    func testNamesResolveOutwardAndDotted() throws {
        let context: [String: Any] = ["shop": "S", "cart": ["total": "$1.00", "lines": [["n": "x"]]]]
        XCTAssertEqual(try render("{{#cart.lines}}{{n}}@{{shop}}{{/cart.lines}} {{cart.total}} {{cart.lines.count}}", context), "x@S $1.00 1")
    }

    func testParentBlocksAndPartials() throws {
        let base = "<title>{{$title}}Default{{/title}}</title>{{> partials/nav}}<main>{{$content}}{{/content}}</main>"
        let child = "{{<base}}{{$title}}{{name}}{{/title}}{{$content}}<p>{{name}}</p>{{/content}}{{/base}}"
        let html = try renderer(["base": base, "partials/nav": "<nav>{{user}}</nav>", "child": child])
            .render("child", ["name": "Tea & Co", "user": "ann"])
        XCTAssertEqual(html, "<title>Tea &amp; Co</title><nav>ann</nav><main><p>Tea &amp; Co</p></main>")
        let defaults = try renderer(["base": base, "partials/nav": "", "plain": "{{<base}}{{/base}}"]).render("plain", [:])
        XCTAssertEqual(defaults, "<title>Default</title><main></main>")
    }

    /// A page with some blocks already rendered (`PageFragments`): the child's blocks are written
    /// as they were rendered, wherever the layout places them; everything else sees the context.
    func testPrerenderedBlocksStandForTheChildsOwn() throws {
        let base = "<title>{{$title}}Default{{/title}}</title><h1>{{$title}}{{/title}}</h1>{{> nav}}"
            + "<main>{{$content}}{{/content}}</main><footer>{{$footer}}{{year}}{{/footer}}</footer>"
        let child = "{{<base}}{{$title}}{{name}}{{/title}}{{$content}}<p>{{name}}</p>{{/content}}{{/base}}"
        let templates = try renderer(["base": base, "nav": "<nav>{{user}}</nav>", "child": child])
        let context: [String: Any] = ["name": "live & well", "user": "ann", "year": "2026"]
        let blocks = try templates.renderBlocks("child", ["name": "Tea & Co"])
        XCTAssertEqual(blocks, ["title": "Tea &amp; Co", "content": "<p>Tea &amp; Co</p>"])
        XCTAssertEqual(try templates.render("child", context, prerendered: blocks),
                       "<title>Tea &amp; Co</title><h1>Tea &amp; Co</h1><nav>ann</nav><main><p>Tea &amp; Co</p></main>"
                       + "<footer>2026</footer>")
        // Only the blocks given: the others are rendered; a block the child does not override keeps its default.
        XCTAssertEqual(try templates.render("child", context, prerendered: ["content": "<p>kept</p>", "footer": "not the child's"]),
                       "<title>live &amp; well</title><h1>live &amp; well</h1><nav>ann</nav><main><p>kept</p></main>"
                       + "<footer>2026</footer>")
    }

    func testStandaloneTagsTakeTheirLine() throws {
        let template = "<ul>\n  {{#items}}\n  <li>{{.}}</li>\n  {{/items}}\n</ul>\n"
        XCTAssertEqual(try render(template, ["items": ["a", "b"]]), "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n")
        XCTAssertEqual(try render("a {{#t}}b{{/t}} c", ["t": true]), "a b c", "inline tags keep their spaces")
    }

    func testLazyValuesAreComputedOnlyWhenShown() throws {
        var calls = 0
        let lazy = TemplateLazy { calls += 1; return "tok" }
        XCTAssertEqual(try render("{{#form}}{{token}}{{/form}}", ["form": false, "token": lazy]), "")
        XCTAssertEqual(calls, 0)
        XCTAssertEqual(try render("{{token}}", ["token": lazy]), "tok")
        XCTAssertEqual(calls, 1)
    }

    func testSplicedHTMLIsWrittenWithItsTokenBetweenTheParts() throws {
        let line = SplicedHTML(parts: ["<form><input value=\"", "\"></form><form><input value=\"", "\"></form>"], token: "T&k")
        let context: [String: Any] = ["lines": TemplateValue.list([.object(["html": .html(line)])])]
        XCTAssertEqual(try render("{{#lines}}{{{html}}}{{/lines}}", context),
                       "<form><input value=\"T&k\"></form><form><input value=\"T&k\"></form>")
        // Written as a string holding the same text would be: escaped unless tripled.
        XCTAssertEqual(try render("{{#lines}}{{html}}{{/lines}}", context),
                       "&lt;form&gt;&lt;input value=&quot;T&amp;k&quot;&gt;&lt;/form&gt;&lt;form&gt;&lt;input value=&quot;T&amp;k&quot;&gt;&lt;/form&gt;")
        XCTAssertEqual(try render("<{{{html}}}>", ["html": TemplateValue.html(SplicedHTML(parts: ["kept whole"], token: "unused"))]), "<kept whole>")
        XCTAssertEqual(try render("{{#html}}shown{{/html}}{{^html}}empty{{/html}}", ["html": TemplateValue.html(SplicedHTML(parts: [""], token: "T"))]), "empty")
        XCTAssertEqual(try render("{{#html}}shown{{/html}}", ["html": TemplateValue.html(SplicedHTML(parts: ["", ""], token: "T"))]), "shown",
                       "a token alone is something to show")
    }

    /// A kept block goes into a page's context as text: the same parts and tokens, and sized exactly.
    func testSplicedHTMLAsTextIsWhatItWrites() {
        let line = SplicedHTML(parts: ["<a>", "<b>", "<c>"], token: "T&k")
        XCTAssertEqual(line.text, "<a>T&k<b>T&k<c>")
        XCTAssertEqual(line.byteCount, line.text.utf8.count)
        var output = HTMLOutput(capacity: line.byteCount)
        line.write(into: &output)
        XCTAssertEqual(String(decoding: output.bytes, as: UTF8.self), line.text)
        XCTAssertEqual(SplicedHTML(parts: ["kept whole"], token: "unused").text, "kept whole")
        XCTAssertEqual(SplicedHTML(parts: ["kept whole"], token: "unused").byteCount, 10, "no token without a cut")
        XCTAssertEqual(SplicedHTML(parts: [], token: "T").text, "")
    }

    func testSyntaxErrorsNameTheFileAndLine() {
        XCTAssertThrowsError(try renderer(["broken": "line1\n{{#open}}\nnever closed"])) { error in
            XCTAssertTrue("\(error)".contains("broken.html"), "\(error)")
            XCTAssertTrue("\(error)".contains("line 2"), "\(error)")
        }
        XCTAssertThrowsError(try renderer(["bad": "{{#a}}{{/b}}"]))
        XCTAssertThrowsError(try renderer(["bad": "{{unclosed"]))
    }
}

extension TemplateEngineTests {
    func testDeferredValuesAreComputedOnceAndOnlyWhenUsed() throws {
        var calls = 0
        let lines = TemplateDeferred { calls += 1; return [["name": "a"], ["name": "b"]] }
        XCTAssertEqual(try render("{{#cart}}{{count}}{{/cart}}", ["cart": ["count": 2, "lines": lines]]), "2")
        XCTAssertEqual(calls, 0, "not shown, not computed")
        XCTAssertEqual(try render("{{#cart.lines}}{{name}}{{/cart.lines}}|{{cart.lines.count}}", ["cart": ["lines": lines]]), "ab|2")
        XCTAssertEqual(calls, 1, "computed once per render")
    }
}

extension TemplateEngineTests {
    /// `TemplateObject` behaves as the dictionary it replaced: a name set again is replaced, nil
    /// removes it, and names are told apart by their text, not only by their hash.
    func testTemplateObjectIsADictionaryByName() throws {
        var object: TemplateObject = ["a": .string("1"), "ab": .string("2"), "é": .string("3")]
        XCTAssertEqual(object.count, 3)
        object["a"] = .string("one")
        XCTAssertEqual(object.count, 3, "set again, not added")
        XCTAssertEqual("\(object["a"].map { "\($0)" } ?? "nil")", #"string("one")"#)
        XCTAssertNil(object["b"])
        XCTAssertNil(object["A"], "names are case-sensitive")
        XCTAssertNotNil(object["é"])
        XCTAssertNil(object["e\u{301}"], "compared as bytes, as Django compares context names")
        object["ab"] = nil
        XCTAssertNil(object["ab"])
        XCTAssertEqual(object.count, 2)
        let duplicated: TemplateObject = ["x": .string("first"), "x": .string("last")]
        XCTAssertEqual(duplicated.count, 1)
        XCTAssertEqual(duplicated["x"].map { "\($0)" }, #"string("last")"#, "the last one wins")
        let interleaved: TemplateObject = ["a": .string("1"), "b": .string("2"), "a": .string("3"), "c": .string("4"), "b": .string("5"), "a": .string("6")]
        XCTAssertEqual(interleaved.count, 3)
        XCTAssertEqual(["a", "b", "c"].map { interleaved[$0].map { "\($0)" } ?? "nil" },
                       [#"string("6")"#, #"string("5")"#, #"string("4")"#])
        // Many members, each found by its own name (a long list still answers right).
        var many = TemplateObject()
        for index in 0..<300 { many["name\(index)"] = .string(String(index)) }
        for index in [0, 1, 150, 299] {
            XCTAssertEqual(many["name\(index)"].map { "\($0)" }, "string(\"\(index)\")")
        }
        // A view's typed values over the context processors': a name they share is replaced, the others added.
        var processors: TemplateObject = ["user": .string("anonymous"), "title": .string("My shop")]
        processors.set(contentsOf: ["title": .string("Your cart"), "lines": .list([])])
        XCTAssertEqual(processors.count, 3)
        XCTAssertEqual(processors["title"].map { "\($0)" }, #"string("Your cart")"#)
        XCTAssertEqual(processors["user"].map { "\($0)" }, #"string("anonymous")"#)
        XCTAssertNotNil(processors["lines"])
        // Through the engine: an inner object without the name, then the outer one that has it.
        XCTAssertEqual(try render("{{#inner}}{{a}}/{{b}}{{/inner}}", ["a": "outer-a", "inner": ["b": "inner-b"]]), "outer-a/inner-b")
    }
}

extension TemplateEngineTests {
    /// A page is written as bytes (`HTMLOutput`): the five characters become their entities at the
    /// text's ends, in runs, and beside characters of several bytes, and everything else comes out
    /// byte for byte; `HTML.escape` gives the same as a string.
    func testEscapingIntoThePageIsHTMLEscape() throws {
        let samples: [(String, String)] = [
            ("", ""), ("plain", "plain"), ("&", "&amp;"), ("<>", "&lt;&gt;"), ("a&b", "a&amp;b"),
            ("&start", "&amp;start"), ("end&", "end&amp;"), ("\"quoted\"", "&quot;quoted&quot;"), ("it's", "it&#39;s"),
            ("&&<<>>\"\"''", "&amp;&amp;&lt;&lt;&gt;&gt;&quot;&quot;&#39;&#39;"),
            ("é<ü>€&😀'", "é&lt;ü&gt;€&amp;😀&#39;"), ("😀", "😀"), ("<😀>", "&lt;😀&gt;"), ("x\u{0}y", "x\u{0}y"),
            ("日本語&中文", "日本語&amp;中文"),
        ]
        for (sample, escaped) in samples {
            var output = HTMLOutput(capacity: 0)
            output.appendEscaped(sample)
            XCTAssertEqual(String(decoding: output.bytes, as: UTF8.self), escaped, "escaping \(sample.debugDescription)")
            XCTAssertEqual(HTML.escape(sample), escaped, "escaping \(sample.debugDescription)")
        }
        XCTAssertEqual(HTML.escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        XCTAssertEqual(HTML.escape("=?@[]{}~;:/"), "=?@[]{}~;:/", "only the five are escaped")
        let page = try render("<p title=\"{{t}}\">Grüße, {{t}} — {{{raw}}}</p>", ["t": "Tee & «Kännchen»", "raw": "<b>😀</b>"])
        XCTAssertEqual(page, "<p title=\"Tee &amp; «Kännchen»\">Grüße, Tee &amp; «Kännchen» — <b>😀</b></p>")
    }
}
