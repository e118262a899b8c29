import Foundation

/// A FastCGI client on a unix socket, speaking the records nginx sends, one request per
/// connection; for tests that need what nginx hides, such as when a worker closes the
/// connection. The caller holds its end open until `close()`.
public final class FastCGIClient {
    public let fd: Int32

    /// Connects, retrying for a few seconds while the pool is still starting (its socket's
    /// file exists from bind(), before listen()).
    public convenience init(socketPath: String) throws {
        let deadline = Date().addingTimeInterval(10)
        while true {
            do {
                try self.init(connectingTo: socketPath)
                return
            } catch let error as ConnectError where Date() < deadline && [ECONNREFUSED, ENOENT].contains(error.code) {
                usleep(20_000)
            }
        }
    }

    private struct ConnectError: Error, CustomStringConvertible {
        let path: String, code: Int32
        var description: String { "connect(\(path)) failed: errno \(code)" }
    }

    private init(connectingTo socketPath: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket() failed") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(socketPath.utf8)
        guard path.count < MemoryLayout.size(ofValue: address.sun_path) else { throw HarnessError("socket path too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.enumerated() { raw[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            Glibc.close(fd)
            throw ConnectError(path: socketPath, code: code)
        }
    }

    deinit { close() }

    /// Reads give up after `seconds` (then `readResponse` throws) instead of blocking for good.
    public func giveUpReadingAfter(seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    private var closed = false
    public func close() {
        if !closed { Glibc.close(fd) }
        closed = true
    }

    /// The parameters nginx sends for a request to the shop (deploy/nginx.conf.template).
    public static func parameters(method: String, path: String, contentLength: Int? = nil,
                                  contentType: String = "", extra: [String: String] = [:]) -> [(String, String)] {
        var parameters: [(String, String)] = [
            ("QUERY_STRING", ""), ("REQUEST_METHOD", method), ("CONTENT_TYPE", contentType),
            ("CONTENT_LENGTH", contentLength.map(String.init) ?? ""), ("REQUEST_URI", path),
            ("DOCUMENT_URI", path), ("SERVER_PROTOCOL", "HTTP/1.1"), ("REQUEST_SCHEME", "http"),
            ("REMOTE_ADDR", "127.0.0.1"), ("REMOTE_PORT", "40000"), ("SERVER_NAME", "localhost"),
            ("SERVER_PORT", "80"), ("HTTP_HOST", "127.0.0.1"), ("HTTP_PROXY", ""),
        ]
        for (name, value) in extra { parameters.append((name, value)) }
        return parameters
    }

    /// BEGIN_REQUEST and the PARAMS stream, ended. `keepConnection` sets FCGI_KEEP_CONN, as
    /// nginx does with `fastcgi_keep_conn on`.
    public func begin(_ parameters: [(String, String)], keepConnection: Bool = false) throws {
        try send(record(type: 1, content: [0, 1, keepConnection ? 1 : 0, 0, 0, 0, 0, 0]))  // responder
        var encoded: [UInt8] = []
        for (name, value) in parameters {
            for length in [name.utf8.count, value.utf8.count] {
                if length < 128 {
                    encoded.append(UInt8(length))
                } else {
                    encoded += [UInt8((length >> 24) | 0x80), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)]
                }
            }
            encoded += Array(name.utf8) + Array(value.utf8)
        }
        try send(record(type: 4, content: encoded))
        try send(record(type: 4, content: []))
    }

    /// STDIN bytes (in records of at most 32 KB); an empty array ends the stream.
    public func stdin(_ bytes: [UInt8]) throws {
        if bytes.isEmpty { return try send(record(type: 5, content: [])) }
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + 32 * 1024)
            try send(record(type: 5, content: Array(bytes[start..<end])))
            start = end
        }
    }

    /// Reads records up to FCGI_END_REQUEST; the STDOUT stream's bytes (status line, headers, body).
    public func readResponse() throws -> String {
        var output: [UInt8] = []
        while true {
            let header = try read(8)
            let type = header[1]
            let length = Int(header[4]) << 8 | Int(header[5])
            let content = try read(length + Int(header[6]))
            if type == 6 { output += content.prefix(length) }
            if type == 3 { return String(decoding: output, as: UTF8.self) }
        }
    }

    /// Whether the worker has closed its end of the connection entirely (not only shut down its
    /// writing side), within `milliseconds`.
    public func peerClosed(within milliseconds: Int32) -> Bool {
        // POLLHUP on a unix stream socket: the peer is gone. A peer that only shut down its
        // writing side (and is still reading) gives POLLIN/POLLRDHUP, which are not asked for.
        var entry = pollfd(fd: fd, events: 0, revents: 0)
        return poll(&entry, 1, milliseconds) == 1 && entry.revents & Int16(POLLHUP) != 0
    }

    public func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw HarnessError("send failed: errno \(errno)") }
            sent += count
        }
    }

    private func read(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes[filled...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard got > 0 else { throw HarnessError("connection ended after \(filled) of \(count) bytes") }
            filled += got
        }
        return bytes
    }

    private func record(type: UInt8, content: [UInt8]) -> [UInt8] {
        [1, type, 0, 1, UInt8(content.count >> 8), UInt8(content.count & 0xFF), 0, 0] + content
    }
}
