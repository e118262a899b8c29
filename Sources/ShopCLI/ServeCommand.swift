import ArgumentParser
import FastCGI
import Foundation
import Pool
import Site
import Web

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the FastCGI worker pool on LISTEN until SIGTERM.")

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
            let socket = try openListeningSocket(address)
            var socketPath: String?
            if case .unix(let path) = address { socketPath = path }
            let configuration = PoolConfiguration(
                workers: settings.workers, maxRequests: settings.maxRequests,
                requestTimeout: settings.requestTimeout, socketPath: socketPath)
            Log.info("serving on \(settings.listen) with \(settings.workers) workers")
            let arbiter = Arbiter(configuration: configuration, listeningSocket: socket) { worker in
                WorkerLoop(settings: settings, templates: templates, socket: socket, worker: worker).run()
            }
            exitStatus = arbiter.run()
        }
        if exitStatus != 0 { throw ExitCode(exitStatus) }
    }
}
