import Postgres

/// Failed logins, counted in PostgreSQL so every worker and pool agrees: after
/// `limit` failures within `window` for a username, or from a client address,
/// further attempts are refused without checking the password, until the
/// oldest failure leaves the window. A successful login clears its username's count.
public struct LoginThrottle {
    public static let limit = 5
    public static let windowMinutes = 15

    let database: PostgresConnection

    public init(database: PostgresConnection) { self.database = database }

    /// Whether attempts for this username or from this address are refused now.
    public func isBlocked(username: String, address: String) throws -> Bool {
        let row = try database.queryOne("""
            SELECT count(*) FILTER (WHERE username = $1) AS by_user,
                   count(*) FILTER (WHERE client_address = $2) AS by_address
            FROM auth_login_failure
            WHERE failed_at > now() - make_interval(mins => $3) AND (username = $1 OR client_address = $2)
            """, [username, address, LoginThrottle.windowMinutes])
        let byUser: Int = try row?.get("by_user") ?? 0
        let byAddress: Int = try row?.get("by_address") ?? 0
        return byUser >= LoginThrottle.limit || byAddress >= LoginThrottle.limit
    }

    public func recordFailure(username: String, address: String) throws {
        // Old rows go as new ones come, so the table stays the size of one window.
        try database.execute("""
            WITH expired AS (DELETE FROM auth_login_failure WHERE failed_at < now() - make_interval(mins => $3))
            INSERT INTO auth_login_failure (username, client_address) VALUES ($1, $2)
            """, [String(username.prefix(150)), String(address.prefix(64)), LoginThrottle.windowMinutes])
    }

    public func reset(username: String) throws {
        try database.execute("DELETE FROM auth_login_failure WHERE username = $1", [username])
    }
}
