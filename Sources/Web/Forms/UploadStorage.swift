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
        guard FileManager.default.createFile(atPath: temporary, contents: Data(data), attributes: [.posixPermissions: 0o644]) else {
            throw Failure(description: "cannot write \(temporary)")
        }
        defer { unlink(temporary) }
        for _ in 0..<8 {
            let name = directory + "/" + RandomString.make(length: 16, alphabet: UploadStorage.alphabet) + "." + fileExtension
            if link(temporary, root + "/" + name) == 0 { return name }
            guard errno == EEXIST else { throw Failure(description: "cannot store \(name): errno \(errno)") }
        }
        throw Failure(description: "no free name in \(folder)")
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
