import Glibc

/// The master's pid in a file (`shop serve --pid-file`), for scripts that signal or watch the
/// pool: after a SIGUSR2 upgrade the new master writes its own pid there when it takes over.
struct PidFile {
    let path: String

    /// Written to a temporary file and renamed, so a reader never sees it half written.
    func write(_ pid: Int32) {
        let temporary = path + ".tmp"
        let text = Array("\(pid)\n".utf8)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            poolLog("cannot write the pid file \(path): \(errnoText())")
            return
        }
        _ = text.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        if rename(temporary, path) != 0 { poolLog("cannot write the pid file \(path): \(errnoText())") }
    }

    /// Removes the file when it still names `pid` (not when a newer master wrote it).
    func remove(ifItNames pid: Int32) {
        guard read() == pid else { return }
        unlink(path)
    }

    func read() -> Int32? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = Glibc.read(fd, &buffer, buffer.count)
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[0..<count], as: UTF8.self).filter { $0.isNumber })
    }
}
