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

    @Option(help: "Then add generated products until the catalog holds this many (for measuring a large shop).")
    var products: Int?

    func validate() throws {
        if let products, !(0...10_000_000).contains(products) {
            throw ValidationError("--products must be a whole number from 0 to 10000000")
        }
    }

    func run() throws {
        try runReportingErrors {
            let settings = try managementSettings()
            let database = try connect(settings)
            let count = try DemoCatalog.load(database: database, demoDirectory: settings.demoDirectory, mediaRoot: settings.mediaRoot)
            print(count == 0 ? "The catalog already has products; nothing loaded." : "Loaded \(count) demo products.")
            if let products {
                let added = try DemoCatalog.generate(database: database, total: products)
                try database.execute("ANALYZE shop_product")
                print("Added \(added) generated products.")
            }
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
            let settings = try managementSettings()
            let password = try PasswordPrompt.password()
            try Users(database: try connect(settings)).createSuperuser(username: username, email: email, password: password)
            print("Superuser \(username) created.")
        }
    }
}

/// The new user's password: SHOP_PASSWORD, else typed twice at a terminal with echo off.
enum PasswordPrompt {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func password() throws -> String {
        if let password = ProcessInfo.processInfo.environment["SHOP_PASSWORD"] { return password }
        guard isatty(STDIN_FILENO) == 1 else {
            throw Failure(description: "no terminal to ask for the password: set SHOP_PASSWORD")
        }
        let first = try read("Password: ")
        guard try read("Password (again): ") == first else { throw Failure(description: "the passwords do not match") }
        return first
    }

    private static func read(_ prompt: String) throws -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = readLine(strippingNewline: true) else { throw Failure(description: "no password given") }
        return line
    }
}
