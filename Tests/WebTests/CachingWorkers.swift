import Foundation
import Postgres
@testable import Web
import XCTest

/// `cached_db` stores as the workers of one pool have them, for the tests of their coherence.
extension DatabaseTestCase {
    /// Two workers of one pool: their own connections, one board.
    func twoWorkers(secret: String) throws
        -> (CachedDatabaseSessionStore, PostgresConnection, CachedDatabaseSessionStore, PostgresConnection) {
        let board = try XCTUnwrap(SessionChangeBoard(rings: 2))
        let (a, b) = (checkConnection(), checkConnection())
        return (CachedDatabaseSessionStore(database: a, secretKey: secret, capacity: 10, seat: board.seat(0)), a,
                CachedDatabaseSessionStore(database: b, secretKey: secret, capacity: 10, seat: board.seat(1)), b)
    }

    /// A read as a request makes it: a new request begins first (what the cache may serve is
    /// judged against the moment the request arrived).
    func read(_ store: CachedDatabaseSessionStore, _ key: String) throws -> SessionRecord? {
        store.beginRequest(speculative: false)
        return try store.load(key: key, version: nil)
    }
}
