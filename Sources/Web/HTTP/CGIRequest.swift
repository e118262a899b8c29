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
        if name.starts(with: CGIRequest.httpPrefix) {
            headers[CGIRequest.headerName(fromCGI: name)] = String(decoding: value, as: UTF8.self)
            return
        }
        let text = { String(decoding: value, as: UTF8.self) }
        switch name.count {
        case 5 where name.elementsEqual("HTTPS".utf8): https = text()
        case 11 where name.elementsEqual("SCRIPT_NAME".utf8): scriptName = text()
        case 11 where name.elementsEqual("REQUEST_URI".utf8): requestURI = text()
        case 11 where name.elementsEqual("REMOTE_ADDR".utf8): remoteAddress = text()
        case 12 where name.elementsEqual("DOCUMENT_URI".utf8): documentURI = text()
        case 12 where name.elementsEqual("QUERY_STRING".utf8): queryString = text()
        case 12 where name.elementsEqual("CONTENT_TYPE".utf8): contentType = text()
        case 14 where name.elementsEqual("REQUEST_METHOD".utf8): method = text()
        case 14 where name.elementsEqual("CONTENT_LENGTH".utf8): contentLength = text()
        case 14 where name.elementsEqual("REQUEST_SCHEME".utf8): scheme = text()
        case 17 where name.elementsEqual("SHOP_REQUEST_TIME".utf8): requestTime = text()
        default: break
        }
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

    private static let httpPrefix = Array("HTTP_".utf8)

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
