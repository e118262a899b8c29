/// How the arbiter runs its workers (from the WORKERS, MAX_REQUESTS and REQUEST_TIMEOUT settings).
public struct PoolConfiguration: Sendable {
    /// WORKERS: how many worker processes accept on the socket (at least 1 is run).
    public var workers: Int
    /// MAX_REQUESTS: a worker exits and is replaced after this many requests; 0 = never.
    public var maxRequests: Int
    /// REQUEST_TIMEOUT seconds: a request running longer gets its worker killed; 0 = none.
    public var requestTimeout: Int
    /// Seconds in-flight requests get to finish on SIGTERM/SIGHUP before SIGKILL.
    public var gracefulTimeout: Int
    /// The unix socket file to unlink when the master stops (nil for TCP).
    public var socketPath: String?
    /// `--pid-file`: where the master writes its pid (nil: nowhere).
    public var pidFile: String?
    /// The master this one replaces (a SIGUSR2 upgrade): sent SIGTERM once this one's workers
    /// run, so both generations overlap and the socket is never left without workers.
    public var replacing: Int32?

    public init(workers: Int, maxRequests: Int = 0, requestTimeout: Int = 0, gracefulTimeout: Int = 30, socketPath: String? = nil) {
        self.workers = workers
        self.maxRequests = maxRequests
        self.requestTimeout = requestTimeout
        self.gracefulTimeout = gracefulTimeout
        self.socketPath = socketPath
        self.pidFile = nil
        self.replacing = nil
    }
}
