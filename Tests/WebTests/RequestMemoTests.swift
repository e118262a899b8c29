@testable import Web
import XCTest

/// What a request computes once and shares (`RequestMemo`): one value per type, made on first
/// use, and let go of when the response is done.
final class RequestMemoTests: XCTestCase {
    private final class Lines {}
    private final class Proof {}
    private final class Session {}
    private final class User {}
    private final class Fifth {}

    func testEachTypeHasOneValueMadeOnce() {
        let memo = RequestMemo()
        XCTAssertNil(memo.existing(Lines.self))
        var made = 0
        let lines = memo.value(Lines.self) { made += 1; return Lines() }
        XCTAssertTrue(memo.value(Lines.self) { made += 1; return Lines() } === lines)
        XCTAssertEqual(made, 1, "made on first use only")
        // More types than the list first has room for, each found as its own.
        let proof = memo.value { Proof() }, session = memo.value { Session() }
        let user = memo.value { User() }, fifth = memo.value { Fifth() }
        XCTAssertTrue(memo.existing(Lines.self) === lines)
        XCTAssertTrue(memo.existing(Proof.self) === proof)
        XCTAssertTrue(memo.existing(Session.self) === session)
        XCTAssertTrue(memo.existing(User.self) === user)
        XCTAssertTrue(memo.existing(Fifth.self) === fifth)
    }

    func testTheValuesAreLetGoOfWhenTheResponseIsDone() {
        let memo = RequestMemo()
        weak var lines: Lines?
        do { lines = memo.value { Lines() } }
        XCTAssertNotNil(lines, "held while the request runs")
        memo.removeAll()
        XCTAssertNil(lines)
        XCTAssertNil(memo.existing(Lines.self))
    }
}
