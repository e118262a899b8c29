import Postgres

/// One schema change of an app, applied once and recorded by name.
public struct Migration: Sendable {
    public var app: String
    public var name: String
    public var sql: String

    public init(app: String, name: String, sql: String) {
        self.app = app
        self.name = name
        self.sql = sql
    }
}

/// `shop migrate`: applies the migrations not yet recorded in
/// `schema_migrations`, each in its own transaction, under an advisory lock so
/// two deploys running it at once do not race. Running it again changes nothing.
public struct Migrator {
    let database: PostgresConnection

    public init(database: PostgresConnection) { self.database = database }

    static let lockID = 727_274_001

    /// Returns the names of the migrations it applied.
    @discardableResult
    public func migrate(_ migrations: [Migration]) throws -> [String] {
        try database.executeScript("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                id serial PRIMARY KEY,
                app varchar(255) NOT NULL,
                name varchar(255) NOT NULL,
                applied timestamptz NOT NULL DEFAULT now(),
                UNIQUE (app, name)
            )
            """)
        try database.query("SELECT pg_advisory_lock($1)", [Migrator.lockID])
        defer { _ = try? database.query("SELECT pg_advisory_unlock($1)", [Migrator.lockID]) }
        let done = Set(try database.query("SELECT app, name FROM schema_migrations").map {
            "\(try $0.get("app", as: String.self))/\(try $0.get("name", as: String.self))"
        })
        var applied: [String] = []
        for migration in migrations where !done.contains("\(migration.app)/\(migration.name)") {
            try database.transaction {
                try database.executeScript(migration.sql)
                try database.execute("INSERT INTO schema_migrations (app, name) VALUES ($1, $2)", [migration.app, migration.name])
            }
            applied.append("\(migration.app)/\(migration.name)")
        }
        return applied
    }
}
