/// The caps a multipart body must stay within (Django's DATA_UPLOAD_MAX_NUMBER_FIELDS,
/// DATA_UPLOAD_MAX_NUMBER_FILES and DATA_UPLOAD_MAX_MEMORY_SIZE, plus a per-file
/// size). The whole body is already capped by MAX_BODY_SIZE before it is read.
public struct MultipartLimits: Sendable, Equatable {
    /// Text parts (400 beyond).
    public var maxFields: Int
    /// File parts (400 beyond).
    public var maxFiles: Int
    /// The text parts' names and values together, in bytes (400 beyond).
    public var maxFieldBytes: Int
    /// One file, in bytes (413 beyond).
    public var maxFileBytes: Int
    /// One part's header block (Django reads at most 1 KiB of it).
    public var maxHeaderBytes: Int

    public init(maxFields: Int = 1000, maxFiles: Int = 100, maxFieldBytes: Int = 2_621_440,
                maxFileBytes: Int = 10_485_760, maxHeaderBytes: Int = 1024) {
        self.maxFields = maxFields
        self.maxFiles = maxFiles
        self.maxFieldBytes = maxFieldBytes
        self.maxFileBytes = maxFileBytes
        self.maxHeaderBytes = maxHeaderBytes
    }
}
