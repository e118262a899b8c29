import Foundation

/// The `shop` binary run as an operator runs it: arguments, an environment on
/// top of this one, no input; its exit status and what it printed.
public struct ShopCommandRun {
    public var status: Int32
    public var output: String
    public var errors: String

    public init(status: Int32, output: String, errors: String) {
        self.status = status
        self.output = output
        self.errors = errors
    }
}

public enum ShopCommandRunner {
    /// `environment` values override the inherited ones; a nil value removes one.
    public static func run(_ arguments: [String], environment: [String: String?] = [:]) throws -> ShopCommandRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Paths.shopBinary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (name, value) in environment { env[name] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ShopCommandRun(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
                              errors: String(decoding: errors, as: UTF8.self))
    }
}
