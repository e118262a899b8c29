import ArgumentParser
import Foundation
import Shop
import Site
import Web

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Create or upgrade the database schema; safe to run again.")

    func run() throws {
        try runReportingErrors {
            let database = try connect(try managementSettings())
            let applied = try Migrator(database: database).migrate(Site.migrations)
            print(applied.isEmpty ? "No migrations to apply." : applied.map { "Applied \($0)" }.joined(separator: "\n"))
        }
    }
}

struct LoadDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "loaddemo", abstract: "Load a demo catalog (categories, products, images) into an empty shop.")

    func run() throws {
        try runReportingErrors {
            let settings = try managementSettings()
            let count = try DemoCatalog.load(database: try connect(settings), demoDirectory: settings.demoDirectory, mediaRoot: settings.mediaRoot)
            print(count == 0 ? "The catalog already has products; nothing loaded." : "Loaded \(count) demo products.")
        }
    }
}

struct ClearSessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clearsessions", abstract: "Delete expired sessions.")

    func run() throws {
        try runReportingErrors {
            let settings = try managementSettings()
            let removed = try settings.makeSessionStore(database: try connect(settings)).clearExpired()
            print("Deleted \(removed) expired session(s).")
        }
    }
}

struct CreateSuperuserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "createsuperuser", abstract: "Create a staff superuser; password from SHOP_PASSWORD or a prompt.")

    @Option(help: "The username.") var username: String
    @Option(help: "The e-mail address.") var email: String = ""

    func run() throws {
        try runReportingErrors {
            throw ValidationError("createsuperuser arrives with the admin")
        }
    }
}
