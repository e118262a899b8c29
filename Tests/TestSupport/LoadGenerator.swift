import Foundation

/// wrk (Debian's package, which make bench uses too) run in the background against a URL;
/// `finish()` waits for it and reads its summary.
public final class LoadGenerator {
    public struct Result: CustomStringConvertible {
        public var requests = 0
        /// Responses with a status outside 200-399 (wrk's "Non-2xx or 3xx responses").
        public var non2xx = 0
        /// connect, read, write and timeout errors.
        public var socketErrors = 0
        public var output = ""
        public var description: String { "\(requests) requests, \(non2xx) non-2xx/3xx, \(socketErrors) socket errors" }
    }

    private let process = Process()
    private let pipe = Pipe()

    public static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") }

    /// `headers`: sent with every request, e.g. `"Cookie: sessionid=..."`.
    public init(url: String, seconds: Int, connections: Int = 8, threads: Int = 2, headers: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = ["-t\(threads)", "-c\(connections)", "-d\(seconds)s", "--timeout", "10s"]
            + headers.flatMap { ["-H", $0] } + [url]
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
    }

    /// Ends the run now (wrk prints its summary on SIGINT), then as `finish`.
    @discardableResult
    public func stop() -> Result {
        if process.isRunning { process.interrupt() }
        return finish()
    }

    public func finish() -> Result {
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var result = Result()
        result.output = String(decoding: data, as: UTF8.self)
        for line in result.output.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.contains(" requests in ") { result.requests = Int(line.split(separator: " ")[0]) ?? 0 }
            if line.hasPrefix("Non-2xx or 3xx responses:") { result.non2xx = Int(line.split(separator: " ").last ?? "") ?? 0 }
            if line.hasPrefix("Socket errors:") {
                result.socketErrors = line.split(separator: ",").compactMap { Int($0.split(separator: " ").last ?? "") }.reduce(0, +)
            }
        }
        return result
    }
}
