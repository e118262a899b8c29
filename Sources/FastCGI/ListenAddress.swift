/// Where the pool listens, parsed from the `LISTEN` setting.
public enum ListenAddress: Equatable, Sendable {
    case unix(path: String)
    /// `host` is an IPv4 address or host name; ":9000" parses as host "0.0.0.0" (all interfaces).
    case tcp(host: String, port: Int)

    /// Accepts "unix:/path/shop.sock", "127.0.0.1:9000", "localhost:9000" and ":9000".
    /// A bare absolute path ("/run/shop.sock") is taken as a unix socket too.
    public init(parsing text: String) throws {
        let text = text.trimmingWhitespace()
        if text.hasPrefix("unix:") || text.hasPrefix("/") {
            let path = text.hasPrefix("unix:") ? String(text.dropFirst(5)) : text
            try self = .unix(path: Self.validatedSocketPath(path, setting: text))
            return
        }
        guard let colon = text.lastIndex(of: ":") else {
            throw FastCGIError("LISTEN: \"\(text)\" is neither unix:/path nor host:port")
        }
        let host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw FastCGIError("LISTEN: \"\(text)\" has no valid port (1-65535)")
        }
        // libfcgi's accept path is IPv4-only, so refuse what it cannot serve.
        let allowed = host == "*" || host.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
                || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2E || byte == 0x2D
        }
        guard allowed else {
            throw FastCGIError("LISTEN: host \"\(host)\" must be an IPv4 address or a host name")
        }
        self = .tcp(host: host.isEmpty || host == "*" ? "0.0.0.0" : host, port: port)
    }

    private static func validatedSocketPath(_ path: String, setting: String) throws -> String {
        guard !path.isEmpty else {
            throw FastCGIError("LISTEN: \"\(setting)\" names no socket path")
        }
        // sun_path holds 108 bytes including the terminating NUL.
        guard path.utf8.count < 108 else {
            throw FastCGIError("LISTEN: socket path \"\(path)\" is longer than 107 bytes")
        }
        return path
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }),
              let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
