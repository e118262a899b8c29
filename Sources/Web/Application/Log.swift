import Foundation

/// Lines to stderr, where the pool's supervisor (systemd, make run) collects them.
public enum Log {
    public static func info(_ message: @autoclosure () -> String) { write("info", message()) }
    public static func error(_ message: @autoclosure () -> String) { write("error", message()) }

    static func write(_ level: String, _ message: String) {
        let line = "[\(getpid())] \(level): \(message)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
