import Foundation
import Postgres
import XCTest

/// `catchUpNotifications(since:)`: after it, every notification committed
/// before the mark was taken is in `pendingNotifications()`, with no SQL
/// statement run (a protocol Sync, or nothing when a reply came since).
final class NotificationCatchUpTests: PostgresTestCase {
    func testEveryNotificationCommittedBeforeTheMarkIsThereAtOnce() throws {
        let listener = try makeConnection()
        let sender = try makeConnection()
        let channel = "catch_up_\(getpid())"
        try listener.listen(channel)
        for round in 0..<50 {
            try sender.notify(channel, payload: "saved \(round)")  // committed when this returns
            let mark = listener.idleReplyCount
            listener.log.reset()
            XCTAssertTrue(try listener.catchUpNotifications(since: mark))
            XCTAssertEqual(listener.pendingNotifications().map(\.payload), ["saved \(round)"], "round \(round): no waiting, no polling")
            XCTAssertEqual(listener.log.count, 0, "a Sync is not a statement")
            XCTAssertEqual(listener.idleReplyCount, mark + 1)
            // A reply since the mark is proof enough: no second round trip.
            XCTAssertTrue(try listener.catchUpNotifications(since: mark))
            XCTAssertEqual(listener.idleReplyCount, mark + 1)
        }
    }

    /// What a shared catalog check passes on (`queuedNotifications`): a statement's reply has
    /// brought every notification committed before it was sent, already read, with no further
    /// read of the socket.
    func testAStatementsReplyHasQueuedEveryNotificationCommittedBeforeIt() throws {
        let listener = try makeConnection()
        let sender = try makeConnection()
        let channel = "queued_\(getpid())"
        try listener.listen(channel)
        XCTAssertEqual(listener.queuedNotifications().count, 0)
        for round in 0..<50 {
            try sender.notify(channel, payload: "saved \(round)")
            XCTAssertEqual(try listener.scalar("SELECT 1", as: Int.self), 1)
            XCTAssertEqual(listener.queuedNotifications().map(\.payload), ["saved \(round)"], "round \(round)")
        }
    }

    func testInsideATransactionNothingCanBeProved() throws {
        let listener = try makeConnection()
        try listener.listen("catch_up_tx_\(getpid())")
        try listener.transaction {
            XCTAssertFalse(try listener.catchUpNotifications(since: listener.idleReplyCount))
        }
        XCTAssertTrue(try listener.catchUpNotifications(since: listener.idleReplyCount))
    }
}
