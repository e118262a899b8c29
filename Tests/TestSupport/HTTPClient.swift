import Foundation

/// What came back over the wire.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// The status line's reason phrase ("Not Found").
    public var reason: String = ""
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public var text: String { String(decoding: body, as: UTF8.self) }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public func headers(named name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }
}

/// A minimal HTTP/1.0 client over a loopback TCP socket: one connection per
/// request, read to EOF. Enough to drive nginx as a browser would, with no
/// redirect following and no hidden cookie handling.
public enum HTTPClient {
    /// `from`: the local address to connect from (`127.0.0.2` is loopback but not `127.0.0.1`,
    /// a client nginx does not count as this machine's own).
    /// `version`: `HTTP/1.1` makes nginx chunk a response whose length it does not know.
    public static func request(port: Int, method: String = "GET", path: String, headers: [String: String] = [:], body: [UInt8] = [],
                               from sourceAddress: String? = nil, version: String = "HTTP/1.0") throws -> HTTPResponse {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket() failed") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if let sourceAddress { try bind(fd: fd, address: sourceAddress) }
        guard connect(fd: fd, port: port) else { throw HarnessError("cannot connect to 127.0.0.1:\(port)") }

        // A Host given in `headers` replaces the default one.
        var head = "\(method) \(path) \(version)\r\n"
        if !headers.keys.contains(where: { $0.lowercased() == "host" }) { head += "Host: 127.0.0.1:\(port)\r\n" }
        head += "Connection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        let bytes = Array(head.utf8) + body
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw HarnessError("send failed") }
            sent += n
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            received.append(contentsOf: buffer[0..<n])
        }
        return try parse(received)
    }

    static func parse(_ bytes: [UInt8]) throws -> HTTPResponse {
        guard let end = bytes.indices.dropLast(3).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10 }) else {
            throw HarnessError("no HTTP response (got \(bytes.count) bytes)")
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw HarnessError("bad status line \(lines[0])") }
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let reason = statusParts.dropFirst(2).joined(separator: " ")
        return HTTPResponse(status: status, reason: reason, headers: headers, body: Array(bytes[(end + 4)...]))
    }

    static func bind(fd: Int32, address text: String) throws {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(text)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard bound else { throw HarnessError("cannot bind to \(text)") }
    }

    static func connect(fd: Int32, port: Int) -> Bool {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    public static func isListening(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        return connect(fd: fd, port: port)
    }
}

/// A browser: keeps cookies between requests as a real one would (Set-Cookie,
/// Max-Age=0 deletes), posts forms, never follows redirects on its own.
/// Not thread-safe; tests that run shoppers concurrently give each thread its own.
public final class Browser: @unchecked Sendable {
    public let port: Int
    private var jar = CookieJar()
    public var cookies: [String: String] { jar.cookies }

    public init(port: Int) { self.port = port }

    @discardableResult
    public func get(_ path: String, headers: [String: String] = [:]) throws -> HTTPResponse {
        try send("GET", path, headers: headers, body: [])
    }

    @discardableResult
    public func post(_ path: String, form: [(String, String)], headers: [String: String] = [:]) throws -> HTTPResponse {
        var headers = headers
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return try send("POST", path, headers: headers, body: Array(Browser.urlencode(form).utf8))
    }

    public func send(_ method: String, _ path: String, headers: [String: String], body: [UInt8]) throws -> HTTPResponse {
        var headers = headers
        if headers["Cookie"] == nil, let cookie = jar.header { headers["Cookie"] = cookie }
        let response = try HTTPClient.request(port: port, method: method, path: path, headers: headers, body: body)
        for header in response.headers(named: "Set-Cookie") { jar.store(setCookie: header) }
        return response
    }

    public func setCookie(_ name: String, _ value: String?) { jar.cookies[name] = value }

    /// The CSRF token of the first form on a page.
    public static func csrfToken(in html: String) -> String? {
        guard let range = html.range(of: "name=\"csrfmiddlewaretoken\" value=\"") else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    public static func urlencode(_ form: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return form.map { name, value in
            (name.addingPercentEncoding(withAllowedCharacters: allowed) ?? "") + "=" + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
        }.joined(separator: "&")
    }
}
