@testable import Web
import XCTest

/// A speculative save appends its conditions to its own statement, their `$n` moved past
/// the statement's parameters.
final class SessionSaveConditionTests: XCTestCase {
    func testConditionsAreRenumberedAfterTheStatementsParameters() {
        let catalog = SessionSaveCondition(sql: "EXISTS (SELECT 1 FROM t WHERE a = $1 AND b = $2)", parameters: [Int64(7), Int64(9)])
        let other = SessionSaveCondition(sql: "$1 > 0 AND $10 <> $1", parameters: [1])
        let clause = SessionSaveCondition.clause([catalog, other], after: 6)
        XCTAssertEqual(clause.sql, " AND (EXISTS (SELECT 1 FROM t WHERE a = $7 AND b = $8)) AND ($9 > 0 AND $18 <> $9)")
        XCTAssertEqual(clause.parameters.count, 3)
    }

    func testNoConditionsAddNothing() {
        let clause = SessionSaveCondition.clause([], after: 3)
        XCTAssertEqual(clause.sql, "")
        XCTAssertTrue(clause.parameters.isEmpty)
    }

    func testADollarWithoutDigitsIsLeftAlone() {
        XCTAssertEqual(SessionSaveCondition.renumbered("a $ b $$ $2", by: 3), "a $ b $$ $5")
    }
}
