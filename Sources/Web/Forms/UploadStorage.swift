import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Stores uploads under MEDIA_ROOT with names the server makes: a directory the
/// code chooses (`products/2026/12/03`, Django's `upload_to`), a random name and
/// the extension of the format the bytes were recognised as. The client's file
/// name never becomes a path. A file is written whole beside its final name and
/// then linked into place, so a reader never sees half a file and nothing is overwritten.
public struct UploadStorage: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Saves an image the image field accepted; returns its path below `root`
    /// (what the column keeps and `/media/` serves).
    public func saveImage(_ file: UploadedFile, in directory: String) throws -> String {
        guard let kind = ImageKind(sniffing: file.data) else { throw Failure(description: "not an image: \(file.clientFilename)") }
        return try save(file.data, in: directory, fileExtension: kind.fileExtension)
    }

    /// Saves bytes as `<directory>/<16 random [a-z0-9]>.<fileExtension>`.
    public func save(_ data: [UInt8], in directory: String, fileExtension: String) throws -> String {
        precondition(UploadStorage.isSafeRelativePath(directory), "upload directory \(directory) is not a plain relative path")
        precondition(fileExtension.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }, "bad extension \(fileExtension)")
        let folder = root + "/" + directory
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let temporary = folder + "/.upload-" + RandomString.make(length: 16, alphabet: UploadStorage.alphabet)
        defer { unlink(temporary) }
        try UploadStorage.writeDurably(data, to: temporary)
        for _ in 0..<8 {
            let name = directory + "/" + RandomString.make(length: 16, alphabet: UploadStorage.alphabet) + "." + fileExtension
            if link(temporary, root + "/" + name) == 0 {
                // The new name survives a crash too once the folder is synced.
                UploadStorage.syncDirectory(folder)
                return name
            }
            guard errno == EEXIST else { throw Failure(description: "cannot store \(name): errno \(errno)") }
        }
        throw Failure(description: "no free name in \(folder)")
    }

    /// Writes the whole file and flushes it to disk before it gets its real name,
    /// so a crash (of the worker or of the machine) never leaves a half image behind a name.
    static func writeDurably(_ data: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(description: "cannot create \(path): errno \(errno)") }
        defer { close(fd) }
        var written = 0
        while written < data.count {
            let count = data[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw Failure(description: "cannot write \(path): errno \(errno)") }
            written += count
        }
        guard fsync(fd) == 0 else { throw Failure(description: "cannot sync \(path): errno \(errno)") }
    }

    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// Django's `upload_to='products/%Y/%m/%d'` (UTC).
    public static func datedDirectory(_ prefix: String, date: Date = Date()) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%@/%04d/%02d/%02d", prefix, parts.year!, parts.month!, parts.day!)
    }

    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// Segments of `[A-Za-z0-9_-]`, no `..`, not absolute.
    static func isSafeRelativePath(_ path: String) -> Bool {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        return !segments.isEmpty && segments.allSatisfy { segment in
            !segment.isEmpty && segment.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        }
    }
}
