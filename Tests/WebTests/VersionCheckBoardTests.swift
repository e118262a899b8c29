import Foundation
@testable import Web
import XCTest

/// The board's rule and its shared memory, without a database.
final class VersionCheckBoardTests: XCTestCase {
    typealias Moment = VersionCheckBoard.Moment
    typealias Answer = VersionCheckBoard.Answer
    let received: Int64 = 1_764_800_000_123  // ms
    var receivedNanoseconds: Int64 { received * 1_000_000 }

    func answer(askedAt wall: Int64, offset: Int64 = 7) -> Answer {
        Answer(askedAt: Moment(wall: wall, offset: offset), version: 3, listsVersion: 2)
    }

    func testAnAnswerMustBeAskedAfterTheLatestTheRequestCanHaveArrived() {
        let now = Moment(wall: receivedNanoseconds + 5_000_000, offset: 7)
        // `$msec` is truncated: the request may have arrived up to 1 ms later, and a clock step
        // back of up to the tolerance goes unseen.
        let earliest = receivedNanoseconds + 1_000_000 + VersionCheckBoard.tolerance
        XCTAssertTrue(VersionCheckBoard.proves(answer(askedAt: earliest), forRequestReceivedAt: received, now: now))
        XCTAssertFalse(VersionCheckBoard.proves(answer(askedAt: earliest - 1), forRequestReceivedAt: received, now: now))
        XCTAssertFalse(VersionCheckBoard.proves(answer(askedAt: receivedNanoseconds), forRequestReceivedAt: received, now: now))
        XCTAssertFalse(VersionCheckBoard.proves(answer(askedAt: receivedNanoseconds - 3_000_000), forRequestReceivedAt: received, now: now))
    }

    /// A step of the wall clock between the answer and now (NTP, an operator) makes it unusable:
    /// stepped back, an earlier question would look later than the request.
    func testAClockStepSinceTheAnswerMakesItUnusable() {
        let asked = receivedNanoseconds + 2_000_000
        let tolerance = VersionCheckBoard.tolerance
        for (offsetNow, usable) in [(7, true), (7 + tolerance, true), (7 - tolerance, true),
                                    (7 + tolerance + 1, false), (7 - 1_000_000_000, false), (7 + 50_000_000, false)] {
            let now = Moment(wall: asked + 1_000_000, offset: offsetNow)
            XCTAssertEqual(VersionCheckBoard.proves(answer(askedAt: asked), forRequestReceivedAt: received, now: now), usable, "offset \(offsetNow)")
        }
    }

    func testNonsenseArrivalTimesProveNothing() {
        let now = Moment(wall: Int64.max - 1, offset: 7)
        for bogus: Int64 in [0, -5, Int64.max / 1_000, Int64.max] {
            XCTAssertFalse(VersionCheckBoard.proves(answer(askedAt: Int64.max - 1), forRequestReceivedAt: bogus, now: now), "\(bogus)")
        }
    }

    func testTheBoardKeepsTheLatestAskedAnswer() throws {
        let board = try XCTUnwrap(VersionCheckBoard())
        XCTAssertNil(board.latest())
        let first = Answer(askedAt: Moment(wall: 2_000, offset: 1), version: 10, listsVersion: 4)
        board.publish(first)
        XCTAssertEqual(board.latest(), first)
        board.publish(Answer(askedAt: Moment(wall: 1_500, offset: 1), version: 9, listsVersion: 4))  // asked earlier: not kept
        XCTAssertEqual(board.latest(), first)
        let later = Answer(askedAt: Moment(wall: 2_500, offset: 1), version: 11, listsVersion: 5, sessionsHeardSince: 2_400)
        board.publish(later)
        XCTAssertEqual(board.latest(), later)
    }

    /// The mapping is shared across fork(): what a child publishes, the parent reads.
    func testAnAnswerPublishedInAChildProcessIsReadInTheParent() throws {
        let board = try XCTUnwrap(VersionCheckBoard())
        let published = Answer(askedAt: Moment(wall: 123_456_789, offset: 42), version: 77, listsVersion: 5, sessionsHeardSince: 9)
        let child = fork()
        if child == 0 {
            board.publish(published)
            _exit(0)
        }
        XCTAssertGreaterThan(child, 0)
        var status: Int32 = 0
        XCTAssertEqual(waitpid(child, &status, 0), child)
        XCTAssertEqual(board.latest(), published)
    }

    /// A worker killed in the middle of publishing (the master's SIGKILL at REQUEST_TIMEOUT, the
    /// OOM killer) would leave the board locked for good; the master, reaping it, unlocks it, and
    /// what the dead worker half wrote is never taken as proof.
    func testTheMasterFreesTheBoardOfAWorkerKilledWhilePublishing() throws {
        let board = try XCTUnwrap(VersionCheckBoard())
        let old = Answer(askedAt: Moment(wall: 1_000, offset: 1), version: 5, listsVersion: 5)
        board.publish(old)
        let child = fork()
        if child == 0 {
            // Dies after claiming the board, before its answer is whole.
            guard board.claim(askedAt: 9_000) != nil else { _exit(1) }
            _exit(0)
        }
        XCTAssertGreaterThan(child, 0)
        var status: Int32 = 0
        XCTAssertEqual(waitpid(child, &status, 0), child)
        XCTAssertEqual(status, 0, "the child could not claim the board")
        XCTAssertNil(board.latest(), "a write under way hides the answer")
        board.publish(Answer(askedAt: Moment(wall: 9_500, offset: 1), version: 6, listsVersion: 6))
        XCTAssertNil(board.latest(), "nobody can publish while the dead worker's write holds the board")

        board.workerExited(pid: child + 1)  // another pid: a live writer's claim is not taken away
        XCTAssertNil(board.latest())
        board.workerExited(pid: child)
        let left = try XCTUnwrap(board.latest())
        XCTAssertEqual(left.askedAt.wall, 0, "whatever the dead worker wrote proves nothing")
        XCTAssertFalse(VersionCheckBoard.proves(left, forRequestReceivedAt: 1, now: Moment(wall: 5_000_000, offset: 1)))

        let next = Answer(askedAt: Moment(wall: 9_500, offset: 1), version: 6, listsVersion: 6, sessionsHeardSince: 3)
        board.publish(next)
        XCTAssertEqual(board.latest(), next, "the workers share their checks again")
        board.workerExited(pid: child)  // reaped twice, or late: changes nothing
        XCTAssertEqual(board.latest(), next)
    }

    /// A request that arrived a while ago, `ago` milliseconds, as nginx's `$msec` gives it.
    func arrival(millisecondsAgo ago: Int64) -> Int64 { Moment.now().wall / 1_000_000 - ago }

    /// A request with no answer late enough sleeps for the question another worker has in flight,
    /// asked after it arrived, and takes its answer when that worker publishes it (from another
    /// process, as the pool's workers are).
    func testARequestWaitsForAQuestionInFlightAskedAfterItArrived() throws {
        let board = try XCTUnwrap(VersionCheckBoard())
        let received = arrival(millisecondsAgo: 10)
        let asked = Moment.now()
        board.announce(asking: asked)
        XCTAssertNil(board.answer(forRequestReceivedAt: received), "no answer yet")
        let child = fork()
        if child == 0 {
            usleep(50_000)
            board.publish(Answer(askedAt: asked, version: 42, listsVersion: 7))
            _exit(0)
        }
        XCTAssertGreaterThan(child, 0)
        let answer = board.awaitAnswer(forRequestReceivedAt: received, limit: 10_000_000_000)
        var status: Int32 = 0
        XCTAssertEqual(waitpid(child, &status, 0), child)
        XCTAssertEqual(answer?.version, 42, "the answer in flight, waited for")
        XCTAssertEqual(answer?.listsVersion, 7)
    }

    /// A question asked before the request may have arrived cannot prove it: the request does not
    /// wait for it, and asks for itself (nil) even though a proving answer comes later.
    func testARequestDoesNotWaitForAQuestionAskedBeforeItArrived() throws {
        let board = try XCTUnwrap(VersionCheckBoard())
        board.announce(asking: Moment.now())
        let received = arrival(millisecondsAgo: 0)  // with `$msec`'s millisecond, after the question
        let child = fork()
        if child == 0 {
            usleep(100_000)
            board.publish(Answer(askedAt: Moment.now(), version: 42, listsVersion: 7))
            _exit(0)
        }
        XCTAssertGreaterThan(child, 0)
        let answer = board.awaitAnswer(forRequestReceivedAt: received, limit: 10_000_000_000)
        var status: Int32 = 0
        XCTAssertEqual(waitpid(child, &status, 0), child)
        XCTAssertNil(answer, "it asks for itself at once, without waiting for a later answer")
        XCTAssertEqual(board.answer(forRequestReceivedAt: received)?.version, 42, "the later answer did prove it, had it waited")
    }

    /// The question's worker may die, or its statement fail: nothing is published, and the request
    /// sleeps no longer than its limit before it asks for itself.
    func testAQuestionNeverAnsweredIsWaitedForOnlyUpToTheLimit() throws {
        let board = try XCTUnwrap(VersionCheckBoard())
        let received = arrival(millisecondsAgo: 10)
        board.announce(asking: Moment.now())
        let started = Moment.monotonicNow()
        XCTAssertNil(board.awaitAnswer(forRequestReceivedAt: received, limit: 30_000_000))
        XCTAssertGreaterThanOrEqual(Moment.monotonicNow() - started, 30_000_000, "it did wait for the question in flight")
    }

    func testNginxsMsecIsReadExactly() {
        XCTAssertEqual(Request(cgiParameters: ["SHOP_REQUEST_TIME": "1764800000.123"], body: []).receivedMilliseconds, 1_764_800_000_123)
        for bogus in ["", "1764800000", "1764800000.12", "1764800000.1234", "1764800000.12a", "-1764800000.123",
                      "1764800000..123", "99999999999999999999.123", "0.000", " 1764800000.123"] {
            XCTAssertNil(Request(cgiParameters: ["SHOP_REQUEST_TIME": bogus], body: []).receivedMilliseconds, bogus)
        }
        XCTAssertNil(Request(cgiParameters: [:], body: []).receivedMilliseconds)
    }
}
