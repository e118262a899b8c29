import Foundation
import Postgres

/// `SESSION_ENGINE=db`: sessions in the `django_session` table.
public final class DatabaseSessionStore: SessionStore {
    let database: PostgresConnection
    /// Channel on which deletions are announced, for `cached_db` workers.
    static let deletionChannel = "shop_session_deleted"

    public init(database: PostgresConnection) { self.database = database }

    public func load(key: String, version: Int64?) throws -> SessionRecord? {
        guard let row = try database.queryOne(
            "SELECT session_data, expire_date, version FROM django_session WHERE session_key = $1 AND expire_date > $2",
            [key, Date()]) else { return nil }
        guard let data = SessionCoding.decode(try row.get("session_data", as: String.self)) else { return nil }
        return SessionRecord(key: key, data: data, expireDate: try row.get("expire_date"), version: try row.get("version"))
    }

    public func save(key: String?, data: SessionData, expireDate: Date) throws -> SessionRecord {
        let text = SessionCoding.encode(data)
        if let key {
            // The later save wins, as in Django; a row deleted meanwhile is written again.
            let version: Int64 = try database.scalar("""
                INSERT INTO django_session (session_key, session_data, expire_date, version) VALUES ($1, $2, $3, 1)
                ON CONFLICT (session_key) DO UPDATE
                SET session_data = EXCLUDED.session_data, expire_date = EXCLUDED.expire_date, version = django_session.version + 1
                RETURNING version
                """, [key, text, expireDate], as: Int64.self) ?? 1
            return SessionRecord(key: key, data: data, expireDate: expireDate, version: version)
        }
        // A new session: a fresh key, never one the browser proposed; retry on the (unlikely) collision.
        while true {
            let fresh = SessionKey.generate()
            let inserted = try database.execute("""
                INSERT INTO django_session (session_key, session_data, expire_date, version) VALUES ($1, $2, $3, 1)
                ON CONFLICT (session_key) DO NOTHING
                """, [fresh, text, expireDate])
            if inserted == 1 { return SessionRecord(key: fresh, data: data, expireDate: expireDate, version: 1) }
        }
    }

    public func delete(key: String) throws {
        try database.query("""
            WITH gone AS (DELETE FROM django_session WHERE session_key = $1 RETURNING session_key)
            SELECT pg_notify($2, session_key) FROM gone
            """, [key, DatabaseSessionStore.deletionChannel])
    }

    public func clearExpired() throws -> Int {
        try database.execute("DELETE FROM django_session WHERE expire_date <= $1", [Date()])
    }
}
