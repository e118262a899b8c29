import Foundation

/// A `Request` built from CGI parameters as nginx sends them (REQUEST_METHOD, DOCUMENT_URI,
/// QUERY_STRING, HTTP_*, CONTENT_TYPE, ...), one parameter at a time, straight from the bytes
/// libfcgi holds: a parameter the shop does not read (SERVER_PORT, REMOTE_PORT, ...) never
/// becomes a `String`, and no dictionary of them all is built on the way (a dictionary of
/// every parameter, then one of the headers, then one of them lower-cased again cost the
/// worker 8 µs a request under `perf`; this costs 4).
public struct CGIRequest {
    private var headers: [String: String] = [:]
    private var method: String?
    private var documentURI: String?
    private var scriptName: String?
    private var requestURI: String?
    private var queryString: String?
    private var contentType: String?
    private var contentLength: String?
    private var remoteAddress: String?
    private var https: String?
    private var scheme: String?
    private var requestTime: String?

    public init() {
        headers.reserveCapacity(12)
    }

    /// One parameter; a later one of the same name replaces an earlier one.
    public mutating func add(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        if name.count >= 5, memcmp(name.baseAddress!, CGIRequest.httpPrefix.utf8Start, 5) == 0 {
            headers[CGIRequest.headerName(fromCGI: name)] = String(decoding: value, as: UTF8.self)
            return
        }
        let text = { String(decoding: value, as: UTF8.self) }
        switch name.count {
        case 5 where CGIRequest.is(name, "HTTPS"): https = text()
        case 11 where CGIRequest.is(name, "SCRIPT_NAME"): scriptName = text()
        case 11 where CGIRequest.is(name, "REQUEST_URI"): requestURI = text()
        case 11 where CGIRequest.is(name, "REMOTE_ADDR"): remoteAddress = text()
        case 12 where CGIRequest.is(name, "DOCUMENT_URI"): documentURI = text()
        case 12 where CGIRequest.is(name, "QUERY_STRING"): queryString = text()
        case 12 where CGIRequest.is(name, "CONTENT_TYPE"): contentType = text()
        case 14 where CGIRequest.is(name, "REQUEST_METHOD"): method = text()
        case 14 where CGIRequest.is(name, "CONTENT_LENGTH"): contentLength = text()
        case 14 where CGIRequest.is(name, "REQUEST_SCHEME"): scheme = text()
        case 17 where CGIRequest.is(name, "SHOP_REQUEST_TIME"): requestTime = text()
        default: break
        }
    }

    /// `name` is `literal`'s bytes (its length already matched): one `memcmp`, where the
    /// generic `elementsEqual` over a string's UTF-8 view was 0.8% of a cart page's worker CPU.
    private static func `is`(_ name: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        name.count == literal.utf8CodeUnitCount && memcmp(name.baseAddress!, literal.utf8Start, name.count) == 0
    }

    public func request(body: [UInt8], bodyTooLarge: Bool = false) -> Request {
        var headers = self.headers
        if let contentType, !contentType.isEmpty { headers["content-type"] = contentType }
        if let contentLength, !contentLength.isEmpty { headers["content-length"] = contentLength }
        if headers["host"] == nil { headers["host"] = "localhost" }
        // DOCUMENT_URI is already percent-decoded by nginx; REQUEST_URI is not.
        let path = documentURI ?? scriptName.flatMap { $0.isEmpty ? nil : $0 }
            ?? Request.pathOf(requestURI: requestURI ?? "/")
        var request = Request(
            normalizedMethod: (method ?? "GET").uppercased(),
            path: path,
            queryString: queryString ?? "",
            lowercasedHeaders: headers,
            body: body,
            bodyTooLarge: bodyTooLarge,
            remoteAddress: remoteAddress ?? "",
            isSecure: (https ?? "").lowercased() == "on" || scheme == "https")
        request.receivedMilliseconds = requestTime.flatMap(Request.milliseconds(fromMsec:))
        return request
    }

    private static let httpPrefix: StaticString = "HTTP_"

    /// `HTTP_X_CSRFTOKEN` → `x-csrftoken`, byte by byte (it runs for every header of every
    /// request). nginx passes only ASCII header names.
    static func headerName(fromCGI name: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: name.count - 5) { buffer in
            for (index, byte) in name.dropFirst(5).enumerated() {
                buffer[index] = switch byte {
                case UInt8(ascii: "_"): UInt8(ascii: "-")
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte + 32
                default: byte
                }
            }
            return name.count - 5
        }
    }
}
