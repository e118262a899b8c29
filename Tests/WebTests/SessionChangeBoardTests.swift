import Foundation
@testable import Web
import XCTest

/// The pool's shared memory for session changes: what one worker publishes, the others
/// collect, and what they must drop when they cannot be sure.
final class SessionChangeBoardTests: XCTestCase {
    private let expiry = Date(timeIntervalSince1970: 1_900_000_000)

    private func collected(_ seat: SessionChangeBoard.Seat) -> (changes: [SessionChangeBoard.Change], droppedAll: Bool) {
        var changes: [SessionChangeBoard.Change] = []
        var droppedAll = false
        seat.collect(dropAll: { droppedAll = true }) { changes.append($0) }
        return (changes, droppedAll)
    }

    func testASaveReachesTheOtherWorkersNotItsOwn() throws {
        let board = try XCTUnwrap(SessionChangeBoard(rings: 3))
        let a = try XCTUnwrap(board.seat(0)), b = try XCTUnwrap(board.seat(1)), c = try XCTUnwrap(board.seat(2))
        XCTAssertNil(board.seat(3))
        a.beginWrite("k1")
        a.publish(key: "k1", version: 4, expireDate: expiry, data: "signed:data")
        let expected = SessionChangeBoard.Change(key: "k1", version: 4, expireDate: expiry, data: "signed:data")
        XCTAssertEqual(collected(b).changes, [expected])
        XCTAssertEqual(collected(c).changes, [expected])
        XCTAssertEqual(collected(a).changes, [], "a worker's own changes are already in its cache")
        XCTAssertEqual(collected(b).changes, [], "each change is collected once")
        XCTAssertEqual(a.pool, b.pool)
    }

    /// A worker reads only the changes of sessions it holds, past their key.
    func testChangesOfSessionsAWorkerDoesNotHoldAreSkipped() throws {
        let board = try XCTUnwrap(SessionChangeBoard(rings: 2))
        let a = try XCTUnwrap(board.seat(0)), b = try XCTUnwrap(board.seat(1))
        a.publish(key: "held", version: 2, expireDate: expiry, data: "x")
        a.publish(key: "other", version: 2, expireDate: expiry, data: "y")
        var changes: [String] = []
        b.collect(dropAll: {}, holds: { $0 == "held" }) { changes.append($0.key) }
        XCTAssertEqual(changes, ["held"])
    }

    func testAKeyIsBusyFromBeforeItsStatementUntilItsChangeIsPublished() throws {
        let board = try XCTUnwrap(SessionChangeBoard(rings: 2))
        let a = try XCTUnwrap(board.seat(0)), b = try XCTUnwrap(board.seat(1))
        a.beginWrite("k1")
        _ = collected(b)
        XCTAssertTrue(b.isBeingWritten("k1"), "committed but not yet announced: the copy is not served")
        XCTAssertFalse(b.isBeingWritten("k2"))
        a.publish(key: "k1", version: 2, expireDate: expiry, data: "x")
        XCTAssertEqual(collected(b).changes.map(\.key), ["k1"])
        XCTAssertFalse(b.isBeingWritten("k1"))
        // A refused save changes nothing and announces nothing.
        a.beginWrite("k1")
        a.endWrite()
        XCTAssertEqual(collected(b).changes, [])
        XCTAssertFalse(b.isBeingWritten("k1"))
    }

    func testDataTooLongAndDeletionsAreAnnouncedAsDrops() throws {
        let board = try XCTUnwrap(SessionChangeBoard(rings: 2))
        let a = try XCTUnwrap(board.seat(0)), b = try XCTUnwrap(board.seat(1))
        a.publish(key: "long", version: 3, expireDate: expiry, data: String(repeating: "x", count: SessionChangeBoard.maxDataLength + 1))
        a.publish(key: "gone", version: 0, expireDate: expiry, data: nil)
        a.publish(key: "fits", version: 5, expireDate: expiry, data: String(repeating: "y", count: SessionChangeBoard.maxDataLength))
        let changes = collected(b).changes
        XCTAssertEqual(changes.map(\.key), ["long", "gone", "fits"])
        XCTAssertEqual(changes.map(\.version), [0, 0, 5])
        XCTAssertEqual(changes.map { $0.data?.count }, [nil, nil, SessionChangeBoard.maxDataLength])
    }

    /// A worker that fell a whole ring behind cannot know what it missed: it drops everything.
    func testAWorkerTooFarBehindDropsEverything() throws {
        let board = try XCTUnwrap(SessionChangeBoard(rings: 2))
        let a = try XCTUnwrap(board.seat(0)), b = try XCTUnwrap(board.seat(1))
        for index in 0..<SessionChangeBoard.entriesPerRing {
            a.publish(key: "k\(index)", version: 1, expireDate: expiry, data: "d")
        }
        let full = collected(b)
        XCTAssertFalse(full.droppedAll, "a whole ring is still readable")
        XCTAssertEqual(full.changes.count, SessionChangeBoard.entriesPerRing)
        for index in 0...SessionChangeBoard.entriesPerRing {
            a.publish(key: "k\(index)", version: 2, expireDate: expiry, data: "d")
        }
        let lapped = collected(b)
        XCTAssertTrue(lapped.droppedAll)
        XCTAssertEqual(lapped.changes, [])
        a.publish(key: "next", version: 3, expireDate: expiry, data: "d")
        XCTAssertEqual(collected(b).changes.map(\.key), ["next"], "then it follows again")
    }

    /// A worker that died saving may have committed without announcing: every worker drops
    /// every copy, once. One that died between requests changes nothing.
    func testAWorkerThatDiedSavingMakesEveryoneDropEverything() throws {
        let board = try XCTUnwrap(SessionChangeBoard(rings: 3))
        let a = try XCTUnwrap(board.seat(0)), b = try XCTUnwrap(board.seat(1))
        board.workerExited(slot: 0)
        XCTAssertFalse(collected(b).droppedAll)
        a.beginWrite("k1")
        board.workerExited(slot: 0)
        let after = collected(b)
        XCTAssertTrue(after.droppedAll)
        XCTAssertFalse(b.isBeingWritten("k1"), "the master cleared the dead worker's mark")
        XCTAssertFalse(collected(b).droppedAll)
    }
}
