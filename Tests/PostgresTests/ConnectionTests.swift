import Foundation
import Postgres
import XCTest

final class ConnectionTests: PostgresTestCase {
    func testConnectsLazily() throws {
        let db = try makeConnection()
        XCTAssertFalse(db.isConnected)
        XCTAssertEqual(db.connectionGeneration, 0)
        XCTAssertEqual(try db.scalar("SELECT 1", as: Int.self), 1)
        XCTAssertTrue(db.isConnected)
        XCTAssertEqual(db.connectionGeneration, 1)
        try db.connect()  // no-op
        XCTAssertEqual(db.connectionGeneration, 1)
        db.close()
        XCTAssertFalse(db.isConnected)
        XCTAssertEqual(try db.scalar("SELECT 2", as: Int.self), 2)
        XCTAssertEqual(db.connectionGeneration, 2)
    }

    func testDeadAddressThrowsConnectionErrorWithoutCrashing() throws {
        let dead = PostgresConnection(url: "postgresql://postgres@127.0.0.1:1/shop_test_a?connect_timeout=2")
        XCTAssertFalse(dead.isConnected)
        for _ in 0..<2 {
            XCTAssertThrowsError(try dead.query("SELECT 1")) { error in
                guard let error = error as? PostgresError else { return XCTFail("\(error)") }
                XCTAssertEqual(error.kind, .connection)
                XCTAssertTrue(error.isConnectionFailure)
                XCTAssertFalse(error.message.isEmpty)
            }
        }
        assertPostgresError(try dead.connect(), kind: .connection)
        assertPostgresError(try dead.transaction { 1 }, kind: .connection)
        XCTAssertEqual(dead.pendingNotifications().count, 0)
        XCTAssertEqual(dead.log.count, 0, "nothing ran, nothing logged")
        assertPostgresError(try PostgresConnection(url: "not a url at all").connect(), kind: .connection)
    }

    func testReconnectsAfterTheBackendWasTerminatedWhileIdle() throws {
        let db = try makeConnection()
        let before = try backendPID(db)
        try terminateBackend(before)

        let after = try backendPID(db)  // the dead session is noticed before sending
        XCTAssertNotEqual(before, after)
        XCTAssertEqual(db.connectionGeneration, 2)
        XCTAssertEqual(try db.scalar("SHOW TimeZone", as: String.self), "UTC", "session set-up re-applied")
    }

    func testTerminationDuringAStatementThrowsConnectionThenReconnects() throws {
        let db = try makeConnection()
        let pid = try backendPID(db)
        let url = try databaseURL()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            usleep(300_000)
            let admin = PostgresConnection(url: url)
            _ = try? admin.query("SELECT pg_terminate_backend($1)", [pid])
            admin.close()
            done.signal()
        }
        let started = Date()
        XCTAssertThrowsError(try db.query("SELECT pg_sleep(10)")) { error in
            guard let error = error as? PostgresError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.kind, .connection, "\(error)")
            XCTAssertTrue(error.isConnectionFailure)
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        XCTAssertEqual(done.wait(timeout: .now() + 5), .success)
        XCTAssertFalse(db.isConnected)
        XCTAssertNotEqual(try backendPID(db), pid, "the next call reconnects")
    }

    func testConnectionLostInsideATransactionIsNotHiddenByAReconnect() throws {
        let db = try makeConnection()
        try db.execute("CREATE TEMP TABLE t (n int)")
        let pid = try backendPID(db)
        XCTAssertThrowsError(try db.transaction {
            try db.execute("INSERT INTO t VALUES (1)")
            try terminateBackend(pid)
            try db.execute("INSERT INTO t VALUES (2)")  // must not run on a fresh session
            XCTFail("not reached")
        }) { error in
            XCTAssertEqual((error as? PostgresError)?.kind, .connection, "\(error)")
        }
        XCTAssertFalse(db.isInTransaction)
        XCTAssertNotEqual(try backendPID(db), pid)
        // The temp table died with the old session: nothing leaked into the new one.
        XCTAssertEqual(try db.scalar("SELECT to_regclass('pg_temp.t') IS NULL", as: Bool.self), true)
    }

    func testAForkedChildOpensItsOwnSessionAndLeavesTheParentsAlone() throws {
        let db = try makeConnection()
        let parentPID = try backendPID(db)
        var pipeEnds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&pipeEnds), 0)
        let child = fork()
        if child == 0 {
            // Child: the inherited session must not be used (or terminated).
            var reported = (try? db.scalar("SELECT pg_backend_pid()", as: Int32.self)) ?? -1
            _ = write(pipeEnds[1], &reported, MemoryLayout<Int32>.size)
            _exit(0)
        }
        XCTAssertGreaterThan(child, 0)
        close(pipeEnds[1])
        var childBackend: Int32 = 0
        XCTAssertEqual(read(pipeEnds[0], &childBackend, MemoryLayout<Int32>.size), MemoryLayout<Int32>.size)
        close(pipeEnds[0])
        var status: Int32 = 0
        waitpid(child, &status, 0)
        XCTAssertGreaterThan(childBackend, 0, "the child could query")
        XCTAssertNotEqual(childBackend, parentPID, "the child opened its own session")
        XCTAssertEqual(try backendPID(db), parentPID, "the parent's session survived the child")
    }

    func testConnectionLostBeforeCommitIsReportedNotCommittedElsewhere() throws {
        let db = try makeConnection()
        let pid = try backendPID(db)
        XCTAssertThrowsError(try db.transaction {
            try db.execute("SELECT 1")
            try terminateBackend(pid)
        }) { error in
            XCTAssertEqual((error as? PostgresError)?.kind, .connection, "\(error)")
        }
        XCTAssertFalse(db.log.entries.contains { $0.sql == "COMMIT" }, "COMMIT was not sent to a fresh session")
        XCTAssertEqual(try db.scalar("SELECT 1", as: Int.self), 1)
    }

    func testListenNotifyReachesAnotherConnection() throws {
        let listener = try makeConnection()
        let sender = try makeConnection()
        let channel = uniqueTableName("pgtest channel \"quoted\"")
        try listener.listen(channel)
        XCTAssertEqual(listener.pendingNotifications().count, 0)

        try sender.notify(channel, payload: "session:abc123")
        try sender.transaction { try sender.notify(channel, payload: "second ✓") }

        let received = poll(listener, until: 2)
        XCTAssertEqual(received.map(\.channel), [channel, channel])
        XCTAssertEqual(received.map(\.payload), ["session:abc123", "second ✓"])
        XCTAssertEqual(received.first?.processID, try backendPID(sender))
        XCTAssertTrue(listener.log.entries.contains { $0.sql.hasPrefix("LISTEN ") })
    }

    func testListenIsReissuedAfterReconnect() throws {
        let listener = try makeConnection()
        let sender = try makeConnection()
        let channel = uniqueTableName("pgtest_reconnect")
        try listener.listen(channel)
        try terminateBackend(try backendPID(listener))

        try listener.connect()  // notices the dead session and re-opens it
        XCTAssertEqual(listener.connectionGeneration, 2)
        try sender.notify(channel, payload: "after reconnect")
        XCTAssertEqual(poll(listener, until: 1).map(\.payload), ["after reconnect"])
    }

    /// Polls pendingNotifications (never blocking) until `count` arrived or 3 s passed.
    private func poll(_ connection: PostgresConnection, until count: Int) -> [PostgresNotification] {
        var received: [PostgresNotification] = []
        let deadline = Date().addingTimeInterval(3)
        while received.count < count && Date() < deadline {
            received += connection.pendingNotifications()
            if received.count < count { usleep(10_000) }
        }
        return received
    }
}
