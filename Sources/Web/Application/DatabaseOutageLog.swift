import Foundation

/// A database outage in the error log: one line when it starts (naming the first request it
/// failed), a count every `reportInterval` while it lasts, and one line when it is over, instead
/// of a line per failed request (a busy worker answers thousands of 503s a second).
/// One per worker (in `Services`); not thread-safe, as the worker is not.
public final class DatabaseOutageLog {
    public let reportInterval: UInt64
    private var failures = 0
    private var unreported = 0
    private var startedAt: UInt64 = 0
    private var reportedAt: UInt64 = 0

    public init(reportInterval seconds: Double = 10) {
        reportInterval = UInt64(seconds * 1_000_000_000)
    }

    /// True between the first failure and `ended()`.
    public var isOngoing: Bool { failures > 0 }

    /// A request answered 503 because the database could not be reached.
    public func failed(_ request: String, error: Error) {
        let now = DispatchTime.now().uptimeNanoseconds
        failures += 1
        if failures == 1 {
            startedAt = now
            reportedAt = now
            Log.error("\(request): database unavailable: \(error); answering 503, further failures are counted, not logged")
            return
        }
        unreported += 1
        if now - reportedAt >= reportInterval {
            Log.error("database still unavailable: \(unreported) more requests answered 503 in the last \(Self.seconds(now - reportedAt)) s (last: \(request): \(error))")
            unreported = 0
            reportedAt = now
        }
    }

    /// The database answers again: closes the outage with its totals.
    public func ended() {
        guard failures > 0 else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        Log.info("database reachable again after \(Self.seconds(now - startedAt)) s; \(failures) requests were answered 503")
        failures = 0
        unreported = 0
    }

    private static func seconds(_ nanoseconds: UInt64) -> String {
        let tenths = (nanoseconds + 50_000_000) / 100_000_000
        return "\(tenths / 10).\(tenths % 10)"
    }
}
