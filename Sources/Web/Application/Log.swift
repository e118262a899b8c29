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
        guard text.utf8.contains(where: isControl) else { return text }
        var bytes: [UInt8] = []
        appendPrintable(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `text`'s UTF-8 with each ASCII control byte made `?`. Such a byte is a whole scalar in
    /// UTF-8 (every byte of a longer one is 0x80 or above), so this replaces control characters.
    static func appendPrintable(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { source in
            var start = 0
            for index in 0..<source.count where isControl(source[index]) {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[start..<index]))
                bytes.append(UInt8(ascii: "?"))
                start = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[start...]))
        }
    }

    private static func isControl(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x7F }
}

/// The pool's access log: one line per request, `GET /cart/ 200 0.23ms pid=1234 sql=0`
/// (method, path, status, milliseconds in the worker, worker pid, SQL statements).
public enum AccessLogLine {
    /// The line's bytes, newline included, written straight from the request's strings: as an
    /// interpolated `String` it cost some 5,500 instructions a request (eleven appends, then
    /// its UTF-8 copied into an array for `write`).
    public static func bytes(method: String, path: String, status: Int, milliseconds: Double, pid: Int32,
                             statements: Int) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(48 + method.utf8.count + path.utf8.count)
        LogText.appendPrintable(method, to: &line)
        line.append(0x20)
        LogText.appendPrintable(path, to: &line)
        line.append(0x20)
        DecimalDigits.append(status, to: &line)
        line.append(0x20)
        // Hundredths of a millisecond, rounded: `12.34ms`.
        let hundredths = Int((max(0, milliseconds) * 100).rounded())
        DecimalDigits.append(hundredths / 100, to: &line)
        line.append(UInt8(ascii: "."))
        line.append(UInt8(ascii: "0") + UInt8(hundredths % 100 / 10))
        line.append(UInt8(ascii: "0") + UInt8(hundredths % 10))
        line.append(contentsOf: "ms pid=".utf8)
        DecimalDigits.append(Int(pid), to: &line)
        line.append(contentsOf: " sql=".utf8)
        DecimalDigits.append(statements, to: &line)
        line.append(0x0A)
        return line
    }
}
