#if canImport(Glibc)
import Glibc
#endif

/// A parsed `multipart/form-data` body: its text fields and its files.
public struct MultipartForm: Sendable {
    public var fields = FormData()
    public var files = UploadedFiles()
}

/// Reads a `multipart/form-data` body as Django's MultiPartParser does, from the
/// bytes the worker already holds: boundary, then each part's headers (at most
/// `maxHeaderBytes`), then its content up to the next boundary. Anything the
/// client got wrong is an HTTPError: 400 for a bad boundary, a truncated body,
/// headers too long, broken UTF-8 or too many fields/files; 413 for a file over
/// the per-file cap. A part without a name is skipped, as Django skips it.
public enum MultipartParser {
    public static func parse(body: [UInt8], contentType: String, limits: MultipartLimits = MultipartLimits()) throws(HTTPError) -> MultipartForm {
        let type = HeaderParameters(contentType)
        guard type.value == "multipart/form-data" else { throw HTTPError.badRequest("Not a multipart/form-data body") }
        guard let boundary = type["boundary"], isValidBoundary(boundary) else {
            throw HTTPError.badRequest("Invalid boundary in multipart")
        }
        var parser = State(body: body, delimiter: Array(("--" + boundary).utf8), limits: limits)
        return try parser.run()
    }

    /// Django's `[ -~]{0,200}[!-~]`: printable ASCII, at most 201 bytes, not ending in a space.
    static func isValidBoundary(_ boundary: String) -> Bool {
        let bytes = Array(boundary.utf8)
        guard (1...201).contains(bytes.count), bytes.allSatisfy({ (0x20...0x7E).contains($0) }) else { return false }
        return bytes.last != 0x20
    }

    /// The client's file name as information only: the part after the last `/` or `\`,
    /// without control characters; nil when nothing usable is left.
    public static func sanitizeFilename(_ name: String) -> String? {
        let last = name.split(omittingEmptySubsequences: false) { $0 == "/" || $0 == "\\" }.last.map(String.init) ?? ""
        let printable = String(String.UnicodeScalarView(last.unicodeScalars.filter { scalar in
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned: false
            default: true
            }
        }))
        return ["", ".", ".."].contains(printable) ? nil : printable
    }

    struct State {
        let body: [UInt8]
        let delimiter: [UInt8]
        let limits: MultipartLimits
        var position = 0
        var form = MultipartForm()
        var fieldPairs: [(name: String, value: String)] = []
        var fieldBytes = 0

        static let crlf: [UInt8] = [13, 10]

        init(body: [UInt8], delimiter: [UInt8], limits: MultipartLimits) {
            self.body = body
            self.delimiter = delimiter
            self.limits = limits
        }

        mutating func run() throws(HTTPError) -> MultipartForm {
            // The first delimiter opens the body, or ends a preamble line.
            if !starts(with: delimiter, at: 0) {
                guard let first = find(Self.crlf + delimiter, from: 0) else { throw truncated }
                position = first + 2
            }
            while true {
                position += delimiter.count
                if starts(with: [UInt8(ascii: "-"), UInt8(ascii: "-")], at: position) { break }  // the closing delimiter
                while position < body.count, body[position] == 0x20 || body[position] == 0x09 { position += 1 }  // transport padding
                guard starts(with: Self.crlf, at: position) else {
                    if position >= body.count { throw truncated }
                    throw HTTPError.badRequest("Malformed multipart body: a boundary is not followed by a line end")
                }
                position += 2
                try part()
            }
            form.fields = FormData(pairs: fieldPairs)
            return form
        }

        var truncated: HTTPError { HTTPError.badRequest("Truncated multipart body") }

        /// One part, from after its delimiter line to the CRLF before the next delimiter.
        mutating func part() throws(HTTPError) {
            let headers = try readHeaders()
            guard let end = find(Self.crlf + delimiter, from: position) else { throw truncated }
            let content = body[position..<end]
            position = end + 2

            guard let disposition = headers["content-disposition"].map(HeaderParameters.init),
                  disposition.value == "form-data", let name = disposition["name"]
            else { return }
            if let rawFilename = disposition["filename"], !rawFilename.isEmpty {
                guard let filename = MultipartParser.sanitizeFilename(rawFilename) else { return }
                guard form.files.count < limits.maxFiles else {
                    throw HTTPError.badRequest("The number of files exceeded settings.DATA_UPLOAD_MAX_NUMBER_FILES.")
                }
                guard content.count <= limits.maxFileBytes else {
                    throw HTTPError(413, "An uploaded file is larger than \(limits.maxFileBytes) bytes.")
                }
                let type = headers["content-type"].map { HeaderParameters($0).value } ?? "application/octet-stream"
                form.files.append(UploadedFile(fieldName: name, clientFilename: filename, contentType: type, data: Array(content)))
            } else {
                guard fieldPairs.count < limits.maxFields else {
                    throw HTTPError.badRequest("The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS.")
                }
                fieldBytes += name.utf8.count + 2 + content.count
                guard fieldBytes <= limits.maxFieldBytes else {
                    throw HTTPError.badRequest("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")
                }
                guard let value = String(validating: content, as: UTF8.self) else {
                    throw HTTPError.badRequest("Form data is not valid UTF-8")
                }
                fieldPairs.append((name, value))
            }
        }

        /// The header lines up to the blank line, names lower-cased. UTF-8 (a browser
        /// sends a file name that way); at most `maxHeaderBytes`.
        mutating func readHeaders() throws(HTTPError) -> [String: String] {
            if starts(with: Self.crlf, at: position) {  // no headers at all
                position += 2
                return [:]
            }
            let window = min(body.count, position + limits.maxHeaderBytes + 4)
            guard let end = find([13, 10, 13, 10], from: position, before: window) else {
                if window == body.count { throw truncated }
                throw HTTPError.badRequest("Multipart part headers are longer than \(limits.maxHeaderBytes) bytes")
            }
            guard end - position <= limits.maxHeaderBytes else {
                throw HTTPError.badRequest("Multipart part headers are longer than \(limits.maxHeaderBytes) bytes")
            }
            guard let text = String(validating: body[position..<end], as: UTF8.self) else {
                throw HTTPError.badRequest("Multipart headers are not valid UTF-8")
            }
            position = end + 4
            var headers: [String: String] = [:]
            for line in text.split(separator: "\r\n") {
                guard let colon = line.firstIndex(of: ":") else {
                    throw HTTPError.badRequest("Malformed multipart part header")
                }
                let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            return headers
        }

        func starts(with prefix: [UInt8], at offset: Int) -> Bool {
            offset + prefix.count <= body.count && body[offset..<(offset + prefix.count)].elementsEqual(prefix)
        }

        /// The offset of `needle` in `body[start..<end]`: memchr to the next candidate
        /// first byte, memcmp for the rest, so a large upload is scanned at C speed.
        func find(_ needle: [UInt8], from start: Int, before end: Int? = nil) -> Int? {
            let end = end ?? body.count
            guard start <= end, end - start >= needle.count else { return nil }
            return body.withUnsafeBytes { haystack -> Int? in
                needle.withUnsafeBytes { pattern -> Int? in
                    let base = haystack.baseAddress!
                    let last = end - needle.count  // the last offset a match can start at
                    var offset = start
                    while offset <= last {
                        guard let hit = memchr(base + offset, Int32(needle[0]), last - offset + 1) else { return nil }
                        offset = base.distance(to: UnsafeRawPointer(hit))
                        if memcmp(base + offset, pattern.baseAddress!, needle.count) == 0 { return offset }
                        offset += 1
                    }
                    return nil
                }
            }
        }
    }
}

import Foundation
