import CHiredis
import Foundation
import Glibc

/// Where a Redis server is: `redis://[:password@]host[:port][/db]` or
/// `unix:///path/to/redis.sock[?db=N]` (Django's and redis-py's URL forms).
public struct RedisEndpoint: Sendable, Equatable {
    public enum Address: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unix(path: String)
    }

    public var address: Address
    public var database: Int
    public var password: String?

    /// Parses `url`; a bad one throws a `SettingsError` naming `setting`.
    public init(url: String, setting: String = "CACHE_URL") throws {
        func bad(_ why: String) -> SettingsError {
            SettingsError(setting: setting, message: "\(why): '\(url)' (expected redis://host:port/db)")
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw bad("is not a URL")
        }
        var database = 0
        var password = components.password.flatMap { $0.isEmpty ? nil : $0 }
        for item in components.queryItems ?? [] {
            switch item.name {
            case "db":
                guard let value = item.value.flatMap({ Int($0) }) else { throw bad("has a bad db") }
                database = value
            case "password":
                password = item.value
            default:
                throw bad("has an unknown parameter '\(item.name)'")
            }
        }
        switch scheme {
        case "redis":
            guard let host = components.host, !host.isEmpty else { throw bad("has no host") }
            let port = components.port ?? 6379
            guard (1...65_535).contains(port) else { throw bad("has a bad port") }
            let path = components.path
            if !path.isEmpty && path != "/" {
                guard let value = Int(path.dropFirst()), path.hasPrefix("/") else { throw bad("has a bad database number") }
                database = value
            }
            // IPv6 literals arrive as "[::1]"; hiredis wants the bare address.
            let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
            address = .tcp(host: bare, port: port)
        case "unix":
            guard !components.path.isEmpty else { throw bad("has no socket path") }
            address = .unix(path: components.path)
        default:
            throw bad("has an unsupported scheme '\(scheme)'")
        }
        guard (0...1_000_000).contains(database) else { throw bad("has a bad database number") }
        self.database = database
        self.password = password
    }
}

/// A reply from Redis, copied out of hiredis's reply object.
public enum RedisReply: Equatable, Sendable {
    case string([UInt8])
    case status(String)
    case integer(Int64)
    case array([RedisReply])
    case null

    public var bytes: [UInt8]? { if case .string(let value) = self { value } else { nil } }
    public var text: String? {
        switch self {
        case .string(let value): String(decoding: value, as: UTF8.self)
        case .status(let value): value
        default: nil
        }
    }
    public var integer: Int64? { if case .integer(let value) = self { value } else { nil } }
}

public struct RedisError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        /// Could not connect, or the connection failed mid-command (the next call reconnects).
        case connection
        /// The server answered with an error (`ERR ...`, `WRONGTYPE ...`, `NOAUTH ...`).
        case server
    }

    public var kind: Kind
    public var message: String
    public var description: String { "redis \(kind == .connection ? "connection" : "server") error: \(message)" }
}

/// One blocking hiredis connection, for one thread. Not thread-safe.
///
/// - Connects lazily on first use, so it can be built before `fork()`; a
///   connection inherited from another process is dropped, never shared.
/// - A connection that fails is dropped and the error thrown; the next call
///   reconnects. When a connection that had been idle turns out dead (the
///   server restarted), the command is retried once on a new connection.
/// - Commands go through `redisCommandArgv`/`redisAppendCommandArgv` (binary
///   safe; the variadic `redisCommand` cannot be called from Swift).
public final class RedisClient {
    public let endpoint: RedisEndpoint
    public var connectTimeout: TimeInterval
    public var commandTimeout: TimeInterval

    private var context: UnsafeMutablePointer<redisContext>?
    private var ownerPID: pid_t = 0

    public init(endpoint: RedisEndpoint, connectTimeout: TimeInterval = 2, commandTimeout: TimeInterval = 5) {
        self.endpoint = endpoint
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
    }

    public convenience init(url: String) throws {
        self.init(endpoint: try RedisEndpoint(url: url))
    }

    deinit {
        disconnect()
    }

    public var isConnected: Bool { context != nil && ownerPID == getpid() }

    /// Closes the connection; the next command opens a new one.
    public func disconnect() {
        if let context {
            // hiredis sends nothing on close: freeing a context inherited over fork only closes this process's fd.
            redisFree(context)
        }
        context = nil
    }

    /// Runs one command, e.g. `["SET", key, value, "EX", "60"]`.
    @discardableResult
    public func command(_ arguments: [String]) throws -> RedisReply {
        try pipeline([arguments.map { Array($0.utf8) }])[0]
    }

    @discardableResult
    public func command(bytes arguments: [[UInt8]]) throws -> RedisReply {
        try pipeline([arguments])[0]
    }

    /// Sends several commands in one round trip; returns their replies in order.
    /// An error reply to any of them throws (after all replies were read).
    public func pipeline(_ commands: [[[UInt8]]]) throws -> [RedisReply] {
        precondition(!commands.isEmpty && commands.allSatisfy { !$0.isEmpty }, "empty Redis command")
        let reused = isConnected
        do {
            return try send(commands, on: try connection())
        } catch let error as RedisError where error.kind == .connection && reused {
            // The idle connection had died (server restart, timeout): once more on a fresh one.
            return try send(commands, on: try connection())
        }
    }

    // MARK: - Internals

    private func connection() throws -> UnsafeMutablePointer<redisContext> {
        if context != nil && ownerPID != getpid() { disconnect() }
        if let context { return context }
        let connectTimeval = RedisClient.timeval(connectTimeout)
        let opened: UnsafeMutablePointer<redisContext>?
        switch endpoint.address {
        case .tcp(let host, let port):
            opened = redisConnectWithTimeout(host, Int32(port), connectTimeval)
        case .unix(let path):
            opened = redisConnectUnixWithTimeout(path, connectTimeval)
        }
        guard let opened else { throw RedisError(kind: .connection, message: "cannot allocate a hiredis context") }
        if opened.pointee.err != 0 {
            let message = RedisClient.errorString(opened)
            redisFree(opened)
            throw RedisError(kind: .connection, message: "cannot connect to \(describe()): \(message)")
        }
        _ = redisSetTimeout(opened, RedisClient.timeval(commandTimeout))
        _ = fcntl(opened.pointee.fd, F_SETFD, FD_CLOEXEC)
        context = opened
        ownerPID = getpid()
        do {
            if let password = endpoint.password {
                _ = try send([[Array("AUTH".utf8), Array(password.utf8)]], on: opened)
            }
            if endpoint.database != 0 {
                _ = try send([[Array("SELECT".utf8), Array(String(endpoint.database).utf8)]], on: opened)
            }
        } catch let error as RedisError {
            disconnect()
            // A refused AUTH or SELECT is a configuration fault, reported as a connection failure.
            throw RedisError(kind: .connection, message: error.message)
        }
        return opened
    }

    private func send(_ commands: [[[UInt8]]], on context: UnsafeMutablePointer<redisContext>) throws -> [RedisReply] {
        for arguments in commands {
            let status = RedisClient.withArgv(arguments) { argc, argv, lengths in
                redisAppendCommandArgv(context, argc, argv, lengths)
            }
            guard status == REDIS_OK else { throw connectionFailure(context) }
        }
        var replies: [RedisReply] = []
        var serverError: String?
        for _ in commands {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(context, &raw) == REDIS_OK, let raw else { throw connectionFailure(context) }
            let reply = raw.assumingMemoryBound(to: redisReply.self)
            defer { freeReplyObject(raw) }
            switch RedisClient.convert(reply) {
            case .success(let value): replies.append(value)
            case .failure(let message):
                replies.append(.null)
                if serverError == nil { serverError = message }
            }
        }
        if let serverError { throw RedisError(kind: .server, message: serverError) }
        return replies
    }

    private func connectionFailure(_ context: UnsafeMutablePointer<redisContext>) -> RedisError {
        let message = context.pointee.err != 0 ? RedisClient.errorString(context) : "no reply"
        disconnect()
        return RedisError(kind: .connection, message: "\(describe()): \(message)")
    }

    private enum Converted {
        case success(RedisReply)
        case failure(String)
    }

    private static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> Converted {
        let value = reply.pointee
        func bytes() -> [UInt8] {
            guard let str = value.str, value.len > 0 else { return [] }
            return Array(UnsafeRawBufferPointer(start: str, count: Int(value.len)))
        }
        switch value.type {
        case REDIS_REPLY_STRING: return .success(.string(bytes()))
        case REDIS_REPLY_STATUS: return .success(.status(String(decoding: bytes(), as: UTF8.self)))
        case REDIS_REPLY_INTEGER: return .success(.integer(Int64(value.integer)))
        case REDIS_REPLY_NIL: return .success(.null)
        case REDIS_REPLY_ERROR: return .failure(String(decoding: bytes(), as: UTF8.self))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            for index in 0..<Int(value.elements) {
                guard let element = value.element[index] else { elements.append(.null); continue }
                switch convert(element) {
                case .success(let converted): elements.append(converted)
                case .failure(let message): return .failure(message)
                }
            }
            return .success(.array(elements))
        default:
            return .success(.null)
        }
    }

    /// Calls `body` with C argv/argvlen arrays pointing into one buffer holding every argument.
    private static func withArgv<T>(_ arguments: [[UInt8]], _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> T) -> T {
        var buffer: [CChar] = []
        buffer.reserveCapacity(arguments.reduce(0) { $0 + $1.count + 1 })
        var offsets: [Int] = []
        var lengths: [Int] = []
        for argument in arguments {
            offsets.append(buffer.count)
            lengths.append(argument.count)
            buffer.append(contentsOf: argument.map { CChar(bitPattern: $0) })
            buffer.append(0) // keeps every pointer valid, even for an empty argument
        }
        return buffer.withUnsafeBufferPointer { storage in
            var argv: [UnsafePointer<CChar>?] = offsets.map { storage.baseAddress! + $0 }
            return argv.withUnsafeMutableBufferPointer { argvBuffer in
                body(Int32(arguments.count), argvBuffer.baseAddress!, lengths)
            }
        }
    }

    private static func timeval(_ seconds: TimeInterval) -> Glibc.timeval {
        let whole = max(0, seconds.rounded(.down))
        return Glibc.timeval(tv_sec: Int(whole), tv_usec: Int((max(0, seconds) - whole) * 1_000_000))
    }

    private static func errorString(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    private func describe() -> String {
        switch endpoint.address {
        case .tcp(let host, let port): "redis at \(host):\(port)"
        case .unix(let path): "redis at \(path)"
        }
    }
}
