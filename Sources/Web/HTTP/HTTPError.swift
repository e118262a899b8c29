/// Thrown by views for the client's faults; the application turns it into a templated error page.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    public var status: Int
    public var message: String

    public init(_ status: Int, _ message: String = "") {
        self.status = status
        self.message = message
    }

    public static func notFound(_ message: String = "Not found") -> HTTPError { HTTPError(404, message) }
    public static func badRequest(_ message: String = "Bad request") -> HTTPError { HTTPError(400, message) }

    public var description: String { "HTTP \(status): \(message)" }
}
