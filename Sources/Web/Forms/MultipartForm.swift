import Foundation

/// A `multipart/form-data` body (the admin's image upload): text fields and files.
public struct MultipartForm: Sendable {
    public struct File: Sendable {
        public var fieldName: String
        public var filename: String
        public var contentType: String
        public var data: [UInt8]
    }

    public var fields = FormData()
    public var files: [File] = []

    /// Parses the body; a missing boundary or a malformed part is a 400.
    public static func parse(body: [UInt8], contentType: String) throws(HTTPError) -> MultipartForm {
        guard let boundary = parameter("boundary", in: contentType), !boundary.isEmpty, boundary.utf8.count <= 200 else {
            throw HTTPError.badRequest("Multipart body without a boundary")
        }
        let delimiter = Array("--\(boundary)".utf8)
        var form = MultipartForm()
        var pairs: [(name: String, value: String)] = []
        guard var position = index(of: delimiter, in: body, from: 0) else { throw HTTPError.badRequest("Malformed multipart body") }
        while true {
            position += delimiter.count
            if body.count >= position + 2, body[position] == UInt8(ascii: "-"), body[position + 1] == UInt8(ascii: "-") { break }
            guard body.count >= position + 2, body[position] == 13, body[position + 1] == 10 else {
                throw HTTPError.badRequest("Malformed multipart body")
            }
            position += 2
            guard let headerEnd = index(of: [13, 10, 13, 10], in: body, from: position),
                  let next = index(of: [13, 10] + delimiter, in: body, from: headerEnd + 4)
            else { throw HTTPError.badRequest("Malformed multipart body") }
            guard let headerText = String(validating: body[position..<headerEnd], as: UTF8.self) else {
                throw HTTPError.badRequest("Multipart headers are not valid UTF-8")
            }
            let content = Array(body[(headerEnd + 4)..<next])
            var disposition = "", partType = "text/plain"
            for line in headerText.split(separator: "\r\n") {
                let pieces = line.split(separator: ":", maxSplits: 1)
                guard pieces.count == 2 else { continue }
                let value = pieces[1].trimmingCharacters(in: .whitespaces)
                switch pieces[0].lowercased() {
                case "content-disposition": disposition = value
                case "content-type": partType = value
                default: break
                }
            }
            guard let name = parameter("name", in: disposition) else { throw HTTPError.badRequest("Multipart part without a name") }
            if let filename = parameter("filename", in: disposition) {
                if !filename.isEmpty || !content.isEmpty {
                    form.files.append(File(fieldName: name, filename: filename, contentType: partType, data: content))
                }
            } else {
                guard let value = String(validating: content, as: UTF8.self) else {
                    throw HTTPError.badRequest("Form data is not valid UTF-8")
                }
                pairs.append((name, value))
            }
            position = next + 2
        }
        form.fields = FormData(pairs: pairs)
        return form
    }

    /// `name="value"` or `name=value` from a header like Content-Disposition.
    static func parameter(_ name: String, in header: String) -> String? {
        for piece in header.split(separator: ";") {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }

    static func index(of needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == needle[0] && haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
