import ArgumentParser
import FastCGI
import Foundation
import Pool
import Site
import Web

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the FastCGI worker pool on LISTEN until SIGTERM.",
        discussion: """
            SIGHUP replaces the workers; SIGUSR2 upgrades in place: the program file now on disk \
            is started as a new master on the same socket, which then stops this one. Under \
            systemd socket activation (LISTEN_FDS) the socket is systemd's and LISTEN is not used.
            """)

    @Option(name: .customLong("pid-file"), help: "Write the master's pid here (rewritten by the new master after a SIGUSR2 upgrade).")
    var pidFile: String?

    func run() throws {
        var exitStatus: Int32 = 0
        try runReportingErrors {
            let settings = try Settings.fromEnvironment()
            try settings.checkBeforeServing()
            if settings.secretKeyIsGenerated {
                Log.info("SECRET_KEY is not set: DEBUG is on, so this run signs with a random key; sessions and CSRF cookies end when it stops")
            }
            // Compiled once in the master; the forked workers share them.
            let templates = try Site.loadTemplates(settings)
            let address = try ListenAddress(parsing: settings.listen)
            var socketPath: String?
            if case .unix(let path) = address { socketPath = path }
            let socket: Int32
            var replacing: Int32?
            if let inherited = try InheritedSocket.take() {
                socket = inherited.descriptor
                switch inherited.origin {
                case .systemd:
                    socketPath = nil  // systemd's file: never unlinked by the pool
                    Log.info("serving on the socket systemd passed (LISTEN_FDS) with \(settings.workers) workers")
                case .reexec(let parent):
                    replacing = parent
                    Log.info("upgrade: serving on the socket of master \(parent) with \(settings.workers) workers")
                }
            } else {
                socket = try openListeningSocket(address)
                Log.info("serving on \(settings.listen) with \(settings.workers) workers")
            }
            var configuration = PoolConfiguration(
                workers: settings.workers, maxRequests: settings.maxRequests,
                requestTimeout: settings.requestTimeout, socketPath: socketPath)
            configuration.pidFile = pidFile.map { URL(fileURLWithPath: $0).path }
            configuration.replacing = replacing
            // The workers' session saves reach each other through shared memory, mapped before
            // the first fork (without it each worker is a pool of its own: NOTIFY for every save).
            let sessionBoard = settings.sessionEngine == .cachedDatabase
                ? SessionChangeBoard(rings: Arbiter.slotCapacity(workers: settings.workers)) : nil
            // Likewise their catalog checks: a request waiting in the queue can take one another
            // worker asked after it arrived (`VersionCheckBoard`).
            let versionChecks = VersionCheckBoard()
            let arbiter = Arbiter(configuration: configuration, listeningSocket: socket) { worker in
                WorkerLoop(settings: settings, templates: templates, socket: socket, worker: worker,
                           sessionBoard: sessionBoard, versionChecks: versionChecks).run()
            }
            arbiter.workerExited = { slot, pid in
                sessionBoard?.workerExited(slot: slot)
                versionChecks?.workerExited(pid: pid)
            }
            exitStatus = arbiter.run()
        }
        if exitStatus != 0 { throw ExitCode(exitStatus) }
    }
}
