import Foundation
import Postgres
import Site
import Web

/// The PostgreSQL the tests run against: `DATABASE_URL` (make test starts a
/// private one). Each suite that needs the shop's schema calls `reset()`,
/// which rebuilds the schema from the migrations, so suites start from nothing.
public enum TestDatabase {
    public static var url: String {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            fatalError("DATABASE_URL is not set: run the tests with `make test`, which starts a private PostgreSQL")
        }
        return url
    }

    /// A fresh schema with every migration applied; returns a connection to it.
    @discardableResult
    public static func reset() throws -> PostgresConnection {
        let database = PostgresConnection(url: url)
        try database.executeScript("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
        try Migrator(database: database).migrate(Site.migrations)
        return database
    }
}
