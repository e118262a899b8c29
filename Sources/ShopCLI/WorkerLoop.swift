import FastCGI
import Foundation
import Pool
import Site
import Web

/// One worker: accept a request from nginx, hand it to the application,
/// write the response, log one line; until the pool tells it to stop.
struct WorkerLoop {
    let settings: Settings
    let templates: TemplateRenderer
    let socket: Int32
    let worker: WorkerContext
    /// The pool's shared session changes (`cached_db`), mapped by the master.
    let sessionBoard: SessionChangeBoard?
    /// The pool's newest catalog check, mapped by the master.
    let versionChecks: VersionCheckBoard?

    func run() {
        let application: Application
        let acceptor: FastCGIAcceptor
        do {
            application = try Site.makeApplication(settings: settings, templates: templates,
                                                   sessionSeat: sessionBoard?.seat(worker.slot),
                                                   versionChecks: versionChecks)
            acceptor = try FastCGIAcceptor(listeningSocket: socket)
        } catch {
            Log.error("worker cannot start: \(error)")
            exit(Arbiter.bootFailureStatus)
        }
        let worker = self.worker
        application.services.poolStatus = {
            let status = worker.status()
            return [
                "workers": status.workers, "busy": status.busy, "idle": status.idle,
                "requests_served": status.requestsServed, "restarts": status.restarts,
                "uptime_seconds": status.uptimeSeconds, "pids": status.pids.map(Int.init),
                "unhealthy": status.unhealthyPids.count, "unhealthy_pids": status.unhealthyPids.map(Int.init),
            ]
        }
        let database = application.services.database
        // Below REQUEST_TIMEOUT (4/5 of it), so a statement stuck behind a lock is cancelled and
        // answered before the master kills the worker.
        if settings.requestTimeout > 0 { database.statementTimeout = settings.requestTimeout * 800 }
        var gate = DatabaseGate(database: database, worker: worker, outage: application.services.databaseOutage)
        while !worker.shouldStop {
            gate.waitUntilWorthAccepting()
            guard !worker.shouldStop, acceptor.accept() else { break }
            serveOneRequest(acceptor, application)
        }
    }

    /// The request `accept` took, from its parameters to its log line. A function of its own,
    /// never inlined: `make bench` with `BENCH_INSTRUCTIONS=1` counts the instructions spent
    /// inside it (callgrind's `--toggle-collect`), so the count is the requests' and nothing else's.
    @inline(never)
    func serveOneRequest(_ acceptor: FastCGIAcceptor, _ application: Application) {
        worker.requestStarted()
        let started = DispatchTime.now().uptimeNanoseconds
        let (body, tooLarge) = acceptor.readBody(limit: settings.maxBodySize)
        var parameters = CGIRequest()
        acceptor.forEachParameter { parameters.add(name: $0, value: $1) }
        let request = parameters.request(body: body, bodyTooLarge: tooLarge)
        let response = application.handle(request)
        acceptor.respond(status: response.status, reason: Response.reasonPhrase(response.status),
                         headers: response.headers, body: response.body)
        acceptor.finish()
        worker.requestFinished()
        let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
        AccessLog.write(request: request, status: response.status, milliseconds: milliseconds,
                        pid: worker.pid, statements: application.statementCount)
    }
}

/// One line per request (`AccessLogLine`), in one write to stderr.
enum AccessLog {
    static func write(request: Request, status: Int, milliseconds: Double, pid: Int32, statements: Int) {
        let line = AccessLogLine.bytes(method: request.method, path: request.fullPath, status: status,
                                       milliseconds: milliseconds, pid: pid, statements: statements)
        line.withUnsafeBytes { _ = Foundation.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
