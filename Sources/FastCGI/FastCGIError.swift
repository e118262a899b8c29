/// A failure of the FastCGI layer, worded for the operator (it names the setting at fault).
public struct FastCGIError: Error, CustomStringConvertible, Sendable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
