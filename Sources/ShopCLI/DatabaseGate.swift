import Foundation
import Pool
import Postgres
import Web

/// Decides, before each accept, whether this worker should take a request, so that a worker
/// without a database connection (PostgreSQL's max_connections reached, the server down) does
/// not answer 503 to its share of the traffic while other workers could serve it:
///
/// - connected: publish it on the scoreboard and accept;
/// - not connected: try to connect (PostgresConnection backs off, 100 ms doubling to 2 s),
///   publish "unreachable" (GET /-/status lists it), and, while another worker is connected,
///   stay out of accept and retry after the backoff. When no worker is connected the database
///   is down for everyone: accept, and answer 503 (health checks then agree, whichever worker
///   answers).
///
/// Logs the first failure and the recovery, not each attempt.
struct DatabaseGate {
    let database: PostgresConnection
    let worker: WorkerContext
    let outage: DatabaseOutageLog
    private var failingSince: Date?
    private var attempts = 0

    init(database: PostgresConnection, worker: WorkerContext, outage: DatabaseOutageLog) {
        self.database = database
        self.worker = worker
        self.outage = outage
    }

    /// Returns when the worker should accept (or stop).
    mutating func waitUntilWorthAccepting() {
        while !worker.shouldStop {
            if database.isConnected || tryConnect() {
                worker.reportDatabase(connected: true)
                outage.ended()
                if let since = failingSince {
                    Log.info("database connection made after \(attempts) attempts in \(Int(Date().timeIntervalSince(since))) s; taking requests")
                    failingSince = nil
                    attempts = 0
                }
                return
            }
            worker.reportDatabase(connected: false)
            if worker.otherConnectedWorkers == 0 { return }
            // Others serve meanwhile; sleep until the next attempt, waking for a stop.
            let pause = max(database.connectBackoffRemaining, 20_000_000)
            var remaining = pause
            while remaining > 0 && !worker.shouldStop {
                let step = min(remaining, 50_000_000)
                usleep(UInt32(step / 1000))
                remaining -= step
            }
        }
    }

    private mutating func tryConnect() -> Bool {
        guard database.connectBackoffRemaining == 0 else { return false }
        do {
            try database.connect()
            return true
        } catch {
            attempts += 1
            if failingSince == nil {
                failingSince = Date()
                Log.error("worker cannot connect to the database: \(error); retrying with backoff (up to 2 s), leaving requests to connected workers")
            }
            return false
        }
    }
}
