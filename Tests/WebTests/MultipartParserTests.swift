@testable import Web
import XCTest

/// The multipart parser on what browsers send and on what attackers send.
final class MultipartParserTests: XCTestCase {
    static let boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
    static let type = "multipart/form-data; boundary=\(boundary)"

    /// A body from parts given as (header lines, content).
    static func body(_ parts: [(headers: [String], content: [UInt8])], boundary: String = boundary, close: Bool = true) -> [UInt8] {
        var bytes: [UInt8] = []
        for part in parts {
            bytes += Array("--\(boundary)\r\n".utf8)
            for header in part.headers { bytes += Array("\(header)\r\n".utf8) }
            bytes += Array("\r\n".utf8) + part.content + Array("\r\n".utf8)
        }
        if close { bytes += Array("--\(boundary)--\r\n".utf8) }
        return bytes
    }

    static func field(_ name: String, _ value: String) -> (headers: [String], content: [UInt8]) {
        (["Content-Disposition: form-data; name=\"\(name)\""], Array(value.utf8))
    }

    static func file(_ name: String, filename: String, _ data: [UInt8], type: String = "image/png") -> (headers: [String], content: [UInt8]) {
        (["Content-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"", "Content-Type: \(type)"], data)
    }

    func parse(_ body: [UInt8], type: String = type, limits: MultipartLimits = MultipartLimits()) throws -> MultipartForm {
        try MultipartParser.parse(body: body, contentType: type, limits: limits)
    }

    func assertStatus(_ status: Int, _ body: [UInt8], type: String = type, limits: MultipartLimits = MultipartLimits(),
                      _ note: String = "", file: StaticString = #filePath, line: UInt = #line) {
        do {
            let form = try parse(body, type: type, limits: limits)
            XCTFail("accepted: \(form.fields.pairs) \(note)", file: file, line: line)
        } catch let error as HTTPError {
            XCTAssertEqual(error.status, status, "\(error.message) \(note)", file: file, line: line)
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
    }

    func testFieldsAndFilesAsABrowserSendsThem() throws {
        let png = FormFieldTests.png
        let body = Self.body([Self.field("csrfmiddlewaretoken", "abc"), Self.field("name", "Green tea\r\nwith lines"),
                              Self.file("image", filename: "tea.png", png), Self.field("name", "second"),
                              (["Content-Disposition: form-data; name=\"empty\"; filename=\"\"", "Content-Type: application/octet-stream"], [])])
        let form = try parse(body)
        XCTAssertEqual(form.fields.all("name"), ["Green tea\r\nwith lines", "second"])
        XCTAssertEqual(form.fields["csrfmiddlewaretoken"], "abc")
        XCTAssertEqual(form.files.count, 1, "no file chosen (filename=\"\") is no file")
        XCTAssertEqual(form.files["image"]?.data, png)
        XCTAssertEqual(form.files["image"]?.clientFilename, "tea.png")
        XCTAssertEqual(form.files["image"]?.contentType, "image/png")
    }

    func testContentHoldingCRLFAndBoundaryLookalikes() throws {
        let tricky = Array("--\(Self.boundary)x\r\n--\(Self.boundary.dropLast())\r\n\r\n".utf8) + [0, 255, 13, 10]
        let form = try parse(Self.body([Self.file("f", filename: "a.bin", tricky), Self.field("after", "ok")]))
        XCTAssertEqual(form.files["f"]?.data, tricky)
        XCTAssertEqual(form.fields["after"], "ok")
    }

    func testPreambleEpilogueAndPadding() throws {
        var body = Array("This is a preamble.\r\n".utf8)
        body += Array("--\(Self.boundary)  \r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--\(Self.boundary)--\r\nepilogue".utf8)
        XCTAssertEqual(try parse(body).fields["a"], "1")
    }

    func testQuotedSemicolonAndFilenameStar() throws {
        let body = Self.body([
            (["Content-Disposition: form-data; name=\"a;b\"; filename=\"x;y=z.png\""], [1]),
            (["content-disposition: form-data; name=\"c\"; filename=\"fallback.png\"; filename*=UTF-8''%E2%82%AC%3B.png"], [2]),
            (["Content-Disposition: form-data; name=\"q\\\"uote\""], Array("v".utf8)),
        ])
        let form = try parse(body)
        XCTAssertEqual(form.files["a;b"]?.clientFilename, "x;y=z.png")
        XCTAssertEqual(form.files["c"]?.clientFilename, "€;.png")
        XCTAssertEqual(form.fields["q\"uote"], "v")
        // The boundary itself may be quoted and hold a ; and spaces.
        let quoted = "a;b c"
        XCTAssertEqual(try parse(Self.body([Self.field("x", "1")], boundary: quoted),
                                 type: "multipart/form-data; boundary=\"\(quoted)\"").fields["x"], "1")
    }

    func testClientFileNamesLoseTheirPaths() throws {
        let names = ["../../etc/passwd": "passwd", "C:\\Users\\ann\\tea.png": "tea.png", "/abs/x.png": "x.png",
                     "..\\..\\boot.ini": "boot.ini", "a/b\\c.png": "c.png", "tab\there.png": "tabhere.png",
                     "null\u{0}.png": "null.png"]
        for (sent, kept) in names {
            let escaped = sent.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            let form = try parse(Self.body([(["Content-Disposition: form-data; name=\"f\"; filename=\"\(escaped)\""], [1])]))
            XCTAssertEqual(form.files["f"]?.clientFilename, kept, sent)
        }
        // Nothing usable left: the file is dropped, as Django drops it.
        for sent in ["..", "a/..", "dir/", "."] {
            XCTAssertTrue(try parse(Self.body([(["Content-Disposition: form-data; name=\"f\"; filename=\"\(sent)\""], [1])])).files.isEmpty, sent)
        }
    }

    func testBadBoundaries() {
        let body = Self.body([Self.field("a", "1")])
        for type in ["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=\"ends with space \"",
                     "multipart/form-data; boundary=" + String(repeating: "b", count: 202),
                     "multipart/form-data; boundary=caf\u{E9}", "text/plain; boundary=\(Self.boundary)"] {
            assertStatus(400, body, type: type, type)
        }
        XCTAssertNoThrow(try parse(Self.body([Self.field("a", "1")], boundary: String(repeating: "b", count: 201)),
                                   type: "multipart/form-data; boundary=" + String(repeating: "b", count: 201)))
    }

    func testTruncatedBodiesAre400() {
        let full = Self.body([Self.field("a", "1"), Self.file("f", filename: "a.png", FormFieldTests.png)])
        // Cut anywhere before the closing delimiter's dashes: never accepted, never a crash.
        let closing = full.count - "--\r\n".count
        for length in 0..<closing {
            assertStatus(400, Array(full[..<length]), "cut at \(length)")
        }
        assertStatus(400, Self.body([Self.field("a", "1")], close: false), "no closing delimiter")
        assertStatus(400, Array("garbage without any boundary".utf8))
    }

    func testMalformedParts() {
        assertStatus(400, Array("--\(Self.boundary)junk\r\n\r\n1\r\n--\(Self.boundary)--".utf8), "text after the boundary")
        assertStatus(400, Self.body([(["Content-Disposition form-data"], [1])]), "a header line without a colon")
        assertStatus(400, Self.body([(["Content-Disposition: form-data; name=\"caf\u{FFFD}\""], [1])]).map { $0 == 0xEF ? 0xFF : $0 },
                     "broken UTF-8 in a header")
        assertStatus(400, Self.body([Self.field("a", "ok"), (["Content-Disposition: form-data; name=\"b\""], [0x61, 0xC3, 0x28])]),
                     "broken UTF-8 in a text part")
        assertStatus(400, Self.body([(["Content-Disposition: form-data; name=\"a\"", "X-Padding: " + String(repeating: "x", count: 1000)], [1])]),
                     "part headers over 1 KiB")
        XCTAssertNoThrow(try parse(Self.body([(["Content-Disposition: form-data; name=\"a\"", "X-Padding: " + String(repeating: "x", count: 950)], [1])])))
    }

    func testPartsWithoutANameAreSkipped() throws {
        let form = try parse(Self.body([([], Array("no headers".utf8)), (["Content-Type: text/plain"], [1]),
                                        (["Content-Disposition: attachment; name=\"x\""], [1]), Self.field("kept", "1")]))
        XCTAssertEqual(form.fields.pairs.map(\.name), ["kept"])
        XCTAssertTrue(form.files.isEmpty)
    }

    func testLimits() throws {
        let limits = MultipartLimits(maxFields: 3, maxFiles: 2, maxFieldBytes: 100, maxFileBytes: 50)
        XCTAssertNoThrow(try parse(Self.body((0..<3).map { Self.field("f\($0)", "x") }), limits: limits))
        assertStatus(400, Self.body((0..<4).map { Self.field("f\($0)", "x") }), limits: limits, "too many fields")
        XCTAssertNoThrow(try parse(Self.body((0..<2).map { Self.file("f", filename: "\($0).png", [1]) }), limits: limits))
        assertStatus(400, Self.body((0..<3).map { Self.file("f", filename: "\($0).png", [1]) }), limits: limits, "too many files")
        XCTAssertNoThrow(try parse(Self.body([Self.field("a", String(repeating: "x", count: 97))]), limits: limits))
        assertStatus(400, Self.body([Self.field("a", String(repeating: "x", count: 98))]), limits: limits, "text fields over the memory cap")
        assertStatus(400, Self.body([Self.field("a", String(repeating: "x", count: 60)), Self.field("b", String(repeating: "x", count: 60))]),
                     limits: limits, "the text cap counts all fields together")
        XCTAssertNoThrow(try parse(Self.body([Self.file("f", filename: "a.png", [UInt8](repeating: 7, count: 50))]), limits: limits))
        assertStatus(413, Self.body([Self.file("f", filename: "a.png", [UInt8](repeating: 7, count: 51))]), limits: limits, "a file over its cap")
        // Django's defaults.
        XCTAssertEqual(MultipartLimits(), MultipartLimits(maxFields: 1000, maxFiles: 100, maxFieldBytes: 2_621_440))
    }

    func testALargeUploadParsesQuickly() throws {
        let data = [UInt8](repeating: UInt8(ascii: "-"), count: 8_000_000)
        let start = ContinuousClock.now
        let form = try parse(Self.body([Self.file("f", filename: "big.bin", data)]), limits: MultipartLimits(maxFileBytes: 10_000_000))
        XCTAssertEqual(form.files["f"]?.size, data.count)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(2))
    }
}
