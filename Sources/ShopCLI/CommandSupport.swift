import ArgumentParser
import Foundation
import Postgres
import Web

/// Runs a command body and turns any failure into one clear line on stderr and exit status 1.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        FileHandle.standardError.write(Data("shop: \(error)\n".utf8))
        throw ExitCode(1)
    }
}

/// Settings for a management command (no serving, so no SECRET_KEY needed).
func managementSettings() throws -> Settings {
    var environment = ProcessInfo.processInfo.environment
    if environment["SECRET_KEY"] == nil { environment["DEBUG"] = environment["DEBUG"] ?? "1" }
    return try Settings.fromEnvironment(environment)
}

func connect(_ settings: Settings) throws -> PostgresConnection {
    let database = PostgresConnection(url: settings.databaseURL)
    try database.connect()
    return database
}
