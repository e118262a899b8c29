import Glibc

/// Handed to `workerMain` in each worker: it marks request boundaries (so the master can time
/// requests out and count them) and says when the worker should stop.
public final class WorkerContext {
    public let pid: Int32
    private let scoreboard: Scoreboard
    /// This worker's place in the pool's shared memory, 0..<`Arbiter.slotCapacity`; a
    /// replacement takes the slot of the worker it replaces.
    public let slot: Int
    private let maxRequests: Int
    private var served = 0
    private var recycleDue = false

    init(scoreboard: Scoreboard, slot: Int, maxRequests: Int) {
        self.pid = getpid()
        self.scoreboard = scoreboard
        self.slot = slot
        self.maxRequests = maxRequests
    }

    /// True after SIGTERM/SIGINT/SIGQUIT, or once MAX_REQUESTS requests have been served.
    public var shouldStop: Bool { recycleDue || Signals.workerStopRequested }

    /// Marks the slot busy from now; the master's REQUEST_TIMEOUT clock starts here.
    public func requestStarted() {
        scoreboard.markBusy(slot: slot, at: Clock.now())
    }

    /// Marks the slot idle and counts the request. Call after the response is finished.
    public func requestFinished() {
        scoreboard.markIdle(slot: slot)
        served += 1
        if maxRequests > 0 && served >= maxRequests { recycleDue = true }
    }

    /// Publishes whether this worker has a database connection (GET /-/status shows the others).
    public func reportDatabase(connected: Bool) {
        scoreboard.setDatabase(slot: slot, connected ? .connected : .unreachable)
    }

    /// How many other live workers have a database connection right now.
    public var otherConnectedWorkers: Int {
        scoreboard.connectedWorkers(besides: slot)
    }

    /// The whole pool as the shared scoreboard sees it now (for GET /-/status).
    public func status() -> PoolStatus {
        scoreboard.snapshot(now: Clock.now())
    }
}
