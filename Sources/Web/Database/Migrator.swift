import Postgres

/// One schema change of an app, applied once and recorded by name.
public struct Migration: Sendable {
    public var app: String
    public var name: String
    public var sql: String
    /// For a migration that creates tables Django's migrations also make: how it
    /// takes them over when they exist already (see `Adoption`).
    public var adoption: Adoption?

    public init(app: String, name: String, sql: String, adoption: Adoption? = nil) {
        self.app = app
        self.name = name
        self.sql = sql
        self.adoption = adoption
    }
}

/// `shop migrate`: applies the migrations not yet recorded in
/// `schema_migrations`, all in one transaction under an advisory lock, so two
/// deploys running it at once do not race and a failure leaves the database as
/// it was. Running it again changes nothing.
///
/// On a database that Django's migrations made (a Django shop's), a migration
/// whose tables exist already adopts them instead of creating them (see
/// `Adoption`); an incompatible table stops it, naming the table and column.
public struct Migrator {
    let database: PostgresConnection

    public init(database: PostgresConnection) { self.database = database }

    static let lockID = 727_274_001

    /// Returns the names of the migrations it applied ("app/name", "(adopted)" after those that adopted).
    @discardableResult
    public func migrate(_ migrations: [Migration]) throws -> [String] {
        try database.transaction {
            try database.query("SELECT pg_advisory_xact_lock($1)", [Migrator.lockID])
            try database.executeScript("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    id serial PRIMARY KEY,
                    app varchar(255) NOT NULL,
                    name varchar(255) NOT NULL,
                    applied timestamptz NOT NULL DEFAULT now(),
                    UNIQUE (app, name)
                )
                """)
            let done = Set(try database.query("SELECT app, name FROM schema_migrations").map {
                "\(try $0.get("app", as: String.self))/\(try $0.get("name", as: String.self))"
            })
            var applied: [String] = []
            for migration in migrations where !done.contains("\(migration.app)/\(migration.name)") {
                let adopted = try apply(migration)
                try database.execute("INSERT INTO schema_migrations (app, name) VALUES ($1, $2)", [migration.app, migration.name])
                applied.append("\(migration.app)/\(migration.name)" + (adopted ? " (adopted)" : ""))
            }
            return applied
        }
    }

    /// Runs the migration, or adopts its tables when they exist; true when it adopted.
    private func apply(_ migration: Migration) throws -> Bool {
        guard let adoption = migration.adoption else {
            try database.executeScript(migration.sql)
            return false
        }
        let present = try adoption.tables.map { try TableShape.exists($0.name, in: database) }
        if !present.contains(true) {
            try database.executeScript(migration.sql)
            return false
        }
        if let missing = zip(adoption.tables, present).first(where: { !$0.1 })?.0 {
            throw IncompatibleSchema(table: missing.name, column: nil, problem: "missing, while \(adoption.tables.map(\.name).joined(separator: ", ")) should exist together")
        }
        for table in adoption.tables { try table.check(in: database) }
        try database.executeScript(adoption.sql)
        for table in adoption.tables { try table.checkInsertable(in: database) }
        return true
    }
}
