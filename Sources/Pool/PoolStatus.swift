/// A snapshot of the scoreboard, served as JSON by GET /-/status.
public struct PoolStatus: Sendable, Encodable, Equatable {
    /// Live worker processes (during a SIGHUP reload, old and new ones both count).
    public var workers: Int
    public var busy: Int
    public var idle: Int
    /// Requests finished since the pool started, including those of workers that have exited.
    public var requestsServed: Int
    /// Workers spawned to replace another: crashes, timeouts, MAX_REQUESTS recycling, SIGHUP.
    public var restarts: Int
    public var uptimeSeconds: Int
    public var pids: [Int32]
    /// Workers that cannot connect to the database: they back off and retry, and leave the
    /// requests to connected workers while there are any.
    public var unhealthyPids: [Int32]

    public init(workers: Int, busy: Int, idle: Int, requestsServed: Int, restarts: Int, uptimeSeconds: Int, pids: [Int32], unhealthyPids: [Int32] = []) {
        self.workers = workers
        self.busy = busy
        self.idle = idle
        self.requestsServed = requestsServed
        self.restarts = restarts
        self.uptimeSeconds = uptimeSeconds
        self.pids = pids
        self.unhealthyPids = unhealthyPids
    }
}
