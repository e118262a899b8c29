/// What the master remembers about one worker process it forked.
struct WorkerRecord {
    let slot: Int
    let spawnedAt: Int64
    /// Replaced by SIGHUP or being stopped: not to be replaced when it exits.
    var retiring = false
    /// When SIGTERM was sent; SIGKILL follows after the graceful timeout.
    var terminatedAt: Int64?
    /// SIGKILL already sent (request timeout or graceful timeout), so it is not sent or logged twice.
    var killed = false
    /// Killed because a request ran past REQUEST_TIMEOUT.
    var timedOut = false

    init(slot: Int, spawnedAt: Int64) {
        self.slot = slot
        self.spawnedAt = spawnedAt
    }
}
