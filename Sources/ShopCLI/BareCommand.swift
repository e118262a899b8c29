import ArgumentParser
import FastCGI
import Foundation
import Pool
import Postgres

/// `shop bare`: the ceiling the shop is measured against. The same pool and
/// FastCGI code as `shop serve`, but each worker answers every request with a
/// fixed page (with `--select`, after one `SELECT 1`; with `--commit`, after one
/// durable `UPDATE` of a row of its own): no routing, no session, no template.
/// `make bench` runs it behind the same nginx and reports each page's
/// throughput as a ratio of this one's. Not for serving a shop.
struct BareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bare", abstract: "Benchmark ceiling: a fixed page from the same pool (make bench).",
        shouldDisplay: false)

    @Flag(help: "Run SELECT 1 on DATABASE_URL for every request.")
    var select = false

    @Flag(help: "Commit an UPDATE of the worker's row of bench_bare_commit on DATABASE_URL for every request.")
    var commit = false

    func run() throws {
        var exitStatus: Int32 = 0
        try runReportingErrors {
            let environment = ProcessInfo.processInfo.environment
            let listen = environment["LISTEN"] ?? "unix:/run/shop/shop.sock"
            let workers = Int(environment["WORKERS"] ?? "") ?? max(1, ProcessInfo.processInfo.activeProcessorCount)
            let databaseURL = environment["DATABASE_URL"] ?? "postgresql://postgres@127.0.0.1:5432/shop"
            let address = try ListenAddress(parsing: listen)
            let socket = try openListeningSocket(address)
            var socketPath: String?
            if case .unix(let path) = address { socketPath = path }
            let configuration = PoolConfiguration(workers: workers, maxRequests: 0, requestTimeout: 30, socketPath: socketPath)
            let work: BareWorker.Work = commit ? .commit : select ? .select : .none
            if work == .commit {
                // Made before the workers start, so that they never race to create it.
                try BareWorker.createCommitTable(databaseURL: databaseURL, slots: Arbiter.slotCapacity(workers: workers))
            }
            let arbiter = Arbiter(configuration: configuration, listeningSocket: socket) { worker in
                BareWorker(socket: socket, worker: worker, work: work,
                           database: work == .none ? nil : PostgresConnection(url: databaseURL)).run()
            }
            exitStatus = arbiter.run()
        }
        if exitStatus != 0 { throw ExitCode(exitStatus) }
    }
}

/// One bare worker's loop.
struct BareWorker {
    let socket: Int32
    let worker: WorkerContext
    let work: Work
    let database: PostgresConnection?

    /// What a request does before its answer.
    enum Work { case none, select, commit }

    /// The cheapest durable write: one small row per worker, so the workers never wait
    /// for each other's row locks, each request a commit of its own.
    static let commitStatement = "UPDATE bench_bare_commit SET requests = requests + 1 WHERE worker = $1"

    static func createCommitTable(databaseURL: String, slots: Int) throws {
        let database = PostgresConnection(url: databaseURL)
        try database.executeScript("""
            CREATE TABLE IF NOT EXISTS bench_bare_commit (worker integer PRIMARY KEY, requests bigint NOT NULL);
            INSERT INTO bench_bare_commit SELECT slot, 0 FROM generate_series(0, \(slots - 1)) AS slot ON CONFLICT DO NOTHING;
            """)
        database.close()
    }

    static let page: [UInt8] = Array(("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Bare</title></head><body>"
        + String(repeating: "<p>The benchmark's ceiling: a fixed page from the same pool.</p>\n", count: 60)
        + "</body></html>\n").utf8)
    /// What the shop's pages carry for nginx: the type and, as Django's, the length.
    static let headers: [(name: String, value: String)] = [
        ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", String(page.count)),
    ]

    func run() {
        guard let acceptor = try? FastCGIAcceptor(listeningSocket: socket) else { exit(1) }
        while !worker.shouldStop && acceptor.accept() {
            serveOneRequest(acceptor)
        }
    }

    /// One request, never inlined: what `BENCH_INSTRUCTIONS=1` counts, as in the shop's `WorkerLoop`.
    @inline(never)
    func serveOneRequest(_ acceptor: FastCGIAcceptor) {
        worker.requestStarted()
        var status = 200
        if let database {
            do {
                switch work {
                case .none: break
                case .select: try database.query("SELECT 1")
                case .commit: try database.execute(BareWorker.commitStatement, [worker.slot])
                }
            } catch { status = 503 }
        }
        acceptor.respond(status: status, reason: status == 200 ? "OK" : "Service Unavailable",
                         headers: BareWorker.headers, body: BareWorker.page)
        acceptor.finish()
        worker.requestFinished()
    }
}
