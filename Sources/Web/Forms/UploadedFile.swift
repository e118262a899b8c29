/// One file from a multipart body, held in memory (the parser caps its size).
/// `clientFilename` is information only (shown back, logged): it is already cut
/// after the last `/` or `\`, and a server never uses it as a path; see `UploadStorage`.
public struct UploadedFile: Sendable, Equatable {
    /// The form field the file came in (`image`).
    public var fieldName: String
    public var clientFilename: String
    /// The part's Content-Type as the client claimed it; never trusted (see `ImageKind`).
    public var contentType: String
    public var data: [UInt8]

    public var size: Int { data.count }

    public init(fieldName: String, clientFilename: String, contentType: String = "application/octet-stream", data: [UInt8]) {
        self.fieldName = fieldName
        self.clientFilename = clientFilename
        self.contentType = contentType
        self.data = data
    }
}

/// The files of a request by field name (Django's `request.FILES`); a name may repeat.
public struct UploadedFiles: Sendable {
    public private(set) var pairs: [(name: String, file: UploadedFile)] = []

    public init(_ files: [UploadedFile] = []) { pairs = files.map { ($0.fieldName, $0) } }

    public subscript(name: String) -> UploadedFile? { pairs.last { $0.name == name }?.file }
    public func all(_ name: String) -> [UploadedFile] { pairs.filter { $0.name == name }.map(\.file) }
    public var count: Int { pairs.count }
    public var isEmpty: Bool { pairs.isEmpty }

    public mutating func append(_ file: UploadedFile) { pairs.append((file.fieldName, file)) }
}
