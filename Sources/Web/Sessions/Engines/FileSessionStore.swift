import Foundation
import Glibc

/// `SESSION_ENGINE=file`: one file per session under `SESSION_FILE_PATH`,
/// named like Django's (`sessionid` + key), holding JSON with the data and the
/// expiry date.
///
/// - Only 32 `[a-z0-9]` keys ever become a file name; anything else is refused
///   before the file system is touched.
/// - Every write goes to a temporary file in the same directory that is then
///   renamed (or, for a new session, hard-linked) into place, so a reader sees
///   the old content or the new, never half of it.
/// - A new session's name is claimed exclusively (`link(2)`, or `O_EXCL` on a
///   file system without hard links): a collision draws another key.
/// - An expired file is deleted when read; a corrupt one reads as no session.
public final class FileSessionStore: SessionStore {
    public let directory: String
    public let prefix: String
    /// Temporary files start with a dot, so they never look like a session.
    private let temporaryPrefix: String
    /// A session file larger than this is not read (the data is refused as corrupt).
    static let maxFileSize = 16 * 1024 * 1024

    /// A file's content: `{"data": {...}, "expire_date": unix seconds}`.
    struct Stored {
        var data: SessionData
        /// Unix seconds.
        var expire_date: Double

        var json: SessionValue { .object(["data": .object(data), "expire_date": .double(expire_date)]) }

        init(data: SessionData, expire_date: Double) {
            self.data = data
            self.expire_date = expire_date
        }

        init?(json: SessionValue) {
            guard let object = json.objectValue, let data = object["data"]?.objectValue else { return nil }
            switch object["expire_date"] {
            case .double(let seconds)?: expire_date = seconds
            case .int(let seconds)?: expire_date = Double(seconds)
            default: return nil
            }
            self.data = data
        }
    }

    public init(directory: String, prefix: String = "sessionid") throws {
        let path = directory.isEmpty ? "." : (directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory)
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw SettingsError(setting: "SESSION_FILE_PATH", message: "cannot create \(path): \(error.localizedDescription)")
            }
        } else if !isDirectory.boolValue {
            throw SettingsError(setting: "SESSION_FILE_PATH", message: "\(path) is not a directory")
        }
        guard access(path, W_OK | X_OK) == 0 else {
            throw SettingsError(setting: "SESSION_FILE_PATH", message: "\(path) is not writable")
        }
        self.directory = path
        self.prefix = prefix
        self.temporaryPrefix = "." + prefix + "-tmp-"
    }

    /// The file of `key`, or nil for a key that must not reach the file system.
    func path(forKey key: String) -> String? {
        guard SessionKey.isValid(key) else { return nil }
        return directory + "/" + prefix + key
    }

    public func load(key: String, version: Int64?) throws -> SessionRecord? {
        guard let path = path(forKey: key) else { return nil }
        guard let stored = try readStored(path) else { return nil }
        let expireDate = Date(timeIntervalSince1970: stored.expire_date)
        guard expireDate > Date() else {
            unlink(path)
            return nil
        }
        return SessionRecord(key: key, data: stored.data, expireDate: expireDate)
    }

    public func save(key: String?, data: SessionData, expireDate: Date) throws -> SessionRecord {
        let content = try encode(Stored(data: data, expire_date: expireDate.timeIntervalSince1970))
        let temporary = try writeTemporary(content)
        defer { unlink(temporary) }
        if let key {
            // The later save wins, as in Django; a file deleted meanwhile is written again.
            guard let target = path(forKey: key) else {
                throw FileSessionError(message: "refusing to save a session under a malformed key")
            }
            guard rename(temporary, target) == 0 else { throw FileSessionError.system("rename to \(target)") }
            return SessionRecord(key: key, data: data, expireDate: expireDate)
        }
        // A new session: a fresh key whose file did not exist; retry on the (unlikely) collision.
        while true {
            let fresh = SessionKey.generate()
            let target = path(forKey: fresh)!
            if link(temporary, target) == 0 {
                return SessionRecord(key: fresh, data: data, expireDate: expireDate)
            }
            switch errno {
            case EEXIST:
                continue
            case EPERM, ENOTSUP, EOPNOTSUPP, EMLINK, EXDEV:
                // No hard links here: claim the name with O_EXCL and write in place.
                if try createExclusive(target, content: content) {
                    return SessionRecord(key: fresh, data: data, expireDate: expireDate)
                }
            default:
                throw FileSessionError.system("link to \(target)")
            }
        }
    }

    public func delete(key: String) throws {
        guard let path = path(forKey: key) else { return }
        if unlink(path) != 0 && errno != ENOENT {
            throw FileSessionError.system("unlink \(path)")
        }
    }

    /// Deletes expired and unreadable session files, and temporary files a crash left behind.
    public func clearExpired() throws -> Int {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw FileSessionError(message: "cannot list \(directory): \(error.localizedDescription)")
        }
        let now = Date()
        var removed = 0
        for name in names {
            let path = directory + "/" + name
            if name.hasPrefix(temporaryPrefix) {
                // A write takes milliseconds; an hour-old temporary file is debris.
                if let modified = modificationDate(path), now.timeIntervalSince(modified) > 3600 { unlink(path) }
                continue
            }
            guard name.hasPrefix(prefix), SessionKey.isValid(String(name.dropFirst(prefix.count))) else { continue }
            let expired: Bool
            if let stored = try? readStored(path) {
                expired = Date(timeIntervalSince1970: stored.expire_date) <= now
            } else {
                // Unreadable or corrupt: gone if it has been so for a minute (not a file being created).
                expired = modificationDate(path).map { now.timeIntervalSince($0) > 60 } ?? false
            }
            if expired && unlink(path) == 0 { removed += 1 }
        }
        return removed
    }

    // MARK: Files

    private func encode(_ stored: Stored) throws -> [UInt8] {
        Array(SessionJSON.encode(stored.json).utf8)
    }

    /// The file's content, nil when it is missing, too large or not a session.
    private func readStored(_ path: String) throws -> Stored? {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT || errno == ELOOP { return nil }
            throw FileSessionError.system("open \(path)")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG,
              status.st_size <= FileSessionStore.maxFileSize else { return nil }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileSessionError.system("read \(path)")
            }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
            if bytes.count > FileSessionStore.maxFileSize { return nil }
        }
        return String(validating: bytes, as: UTF8.self).flatMap(SessionJSON.decode).flatMap(Stored.init(json:))
    }

    /// Writes `content` to a new temporary file (mode 0600) in the directory; returns its path.
    private func writeTemporary(_ content: [UInt8]) throws -> String {
        var template = Array((directory + "/" + temporaryPrefix + "XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw FileSessionError.system("create a temporary file in \(directory)") }
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        try writeAndClose(descriptor, content, path: path)
        return path
    }

    /// Creates `path` only if it does not exist and writes `content`; false when it existed.
    private func createExclusive(_ path: String, content: [UInt8]) throws -> Bool {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST { return false }
            throw FileSessionError.system("create \(path)")
        }
        try writeAndClose(descriptor, content, path: path)
        return true
    }

    /// Writes `content` and closes the file; on any failure the file is removed.
    private func writeAndClose(_ descriptor: Int32, _ content: [UInt8], path: String) throws {
        do {
            try writeAll(descriptor, content, path: path)
        } catch {
            close(descriptor)
            unlink(path)
            throw error
        }
        guard close(descriptor) == 0 else {
            unlink(path)
            throw FileSessionError.system("close \(path)")
        }
    }

    private func writeAll(_ descriptor: Int32, _ content: [UInt8], path: String) throws {
        var offset = 0
        while offset < content.count {
            let written = content.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw FileSessionError.system("write \(path)")
            }
            offset += written
        }
    }

    private func modificationDate(_ path: String) -> Date? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(status.st_mtim.tv_sec))
    }
}

public struct FileSessionError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { "file session store: \(message)" }

    static func system(_ what: String) -> FileSessionError {
        FileSessionError(message: "\(what): \(String(cString: strerror(errno)))")
    }
}
