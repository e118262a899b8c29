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

/// Text from a request (a path, a header) made safe for a log line.
public enum LogText {
    /// A path cannot forge log lines: control characters become `?`.
    public static func printable(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return text }
        return String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
    }
}
