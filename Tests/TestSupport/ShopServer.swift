import Foundation

/// A real `shop serve` pool, started as its own process on a unix socket.
public final class ShopServer {
    public let socketPath: String
    public let logPath: String
    public let process = Process()
    public let directory: String

    /// Starts the pool with the test database and `environment` on top; waits until it accepts.
    /// `binary` and `arguments` default to the build under test and `serve`.
    public init(workers: Int = 2, environment: [String: String] = [:], label: String = "pool",
                binary: String? = nil, arguments: [String] = ["serve"]) throws {
        directory = try Paths.temporaryDirectory(label)
        socketPath = directory + "/shop.sock"
        logPath = directory + "/serve.log"
        let env = Self.environment(directory: directory, workers: workers, environment)
        process.executableURL = URL(fileURLWithPath: binary ?? Paths.shopBinary)
        process.arguments = arguments
        process.environment = env
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = FileHandle(forWritingAtPath: logPath)!
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try waitUntil(timeout: 15) { FileManager.default.fileExists(atPath: self.socketPath) }
    }

    /// The environment a test pool runs with: the test database, a unix socket in `directory`,
    /// the repository's templates; `overrides` on top.
    public static func environment(directory: String, workers: Int, _ overrides: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["DATABASE_URL"] = TestDatabase.url
        env["LISTEN"] = "unix:" + directory + "/shop.sock"
        env["WORKERS"] = String(workers)
        env["TEMPLATES_DIR"] = Paths.templates
        env["MEDIA_ROOT"] = directory + "/media"
        env["DEBUG"] = env["DEBUG"] ?? "0"
        env["SECRET_KEY"] = "integration-test-secret-key-0123456789abcdefghijklmnop"
        env["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
        for (name, value) in overrides { env[name] = value }
        return env
    }

    public var pid: Int32 { process.processIdentifier }

    /// Sends SIGTERM and waits; returns the exit status.
    @discardableResult
    public func stop(timeout: TimeInterval = 30) -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        return process.terminationStatus
    }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit { stop(timeout: 5) }
}

/// Polls `condition` until it holds or the timeout passes (then throws).
public func waitUntil(timeout: TimeInterval, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if (try? condition()) == true { return }
        usleep(20_000)
    }
    if try condition() { return }
    throw HarnessError("condition not met within \(timeout) s")
}

public struct HarnessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
