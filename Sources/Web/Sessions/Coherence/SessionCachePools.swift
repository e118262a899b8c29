import Postgres

/// The pools whose workers cache sessions (`cached_db`), registered in the `session_cache_pool`
/// table, so that a save announces itself with `NOTIFY` only when a pool other than its own
/// may hold a copy. A pool's own workers learn of its saves from its `SessionChangeBoard`.
///
/// Why a save that finds no other pool may stay silent: every worker registers its pool before
/// it caches anything, and a pool's row is inserted under an ACCESS EXCLUSIVE lock on the table.
/// A save reads the table in its own statement, so it holds ACCESS SHARE on it from before its
/// snapshot until it commits: the insert waits for every save that could have missed the row,
/// and every later save sees it. A pool is alive while one of its workers' connections holds
/// its advisory lock (shared); a row whose lock nobody holds is a pool that stopped or died,
/// deleted by the next registration or by a save that notified for it.
public enum SessionCachePools {
    static let table = "session_cache_pool"

    /// SQL: true when a pool other than the one in `parameter` caches sessions.
    static func elsewhere(_ parameter: String) -> String {
        "EXISTS (SELECT 1 FROM \(table) WHERE pool <> \(parameter))"
    }

    /// The advisory lock that says `parameter`'s pool is alive: "scac" in ASCII, then the hash.
    private static func liveness(_ parameter: String) -> String { "1935893859, hashtext(\(parameter))" }

    /// Makes `pool` known before its worker caches anything on this connection; its
    /// connections hold the pool's liveness lock until they close.
    static func register(_ pool: String, on database: PostgresConnection) throws {
        try database.query("SELECT pg_advisory_lock_shared(\(liveness("$1")))", [pool])
        try forgetDeparted(besides: pool, on: database)
        guard try database.queryOne("SELECT 1 FROM \(table) WHERE pool = $1", [pool]) == nil else { return }
        try database.transaction {
            try database.executeScript("LOCK TABLE \(table) IN ACCESS EXCLUSIVE MODE")
            try database.execute("INSERT INTO \(table) (pool) VALUES ($1) ON CONFLICT DO NOTHING", [pool])
        }
    }

    /// Deletes the rows of pools that no connection keeps alive any more.
    static func forgetDeparted(besides pool: String, on database: PostgresConnection) throws {
        try database.execute(
            "DELETE FROM \(table) p WHERE p.pool <> $1 AND pg_try_advisory_xact_lock(\(liveness("p.pool")))", [pool])
    }
}
