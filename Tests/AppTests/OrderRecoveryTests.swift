import Foundation
import Postgres
import TestSupport
import Web
import XCTest

/// An order committed whose session was then not saved (the save failed, or the worker died
/// before it): the shopper still reaches the confirmation, and nothing is ordered twice.
final class OrderRecoveryTests: AppTestCase {
    static let valid: [(String, String)] = [
        ("first_name", "Ann"), ("last_name", "Smith"), ("email", "ann@example.com"),
        ("address", "1 Main Street"), ("postal_code", "12345"), ("city", "Springfield"),
    ]

    /// From now on every write to django_session fails, as when its storage fails after the
    /// order's commit.
    func breakSessionSaves() throws {
        try database.executeScript("""
            CREATE FUNCTION refuse_session_write() RETURNS trigger LANGUAGE plpgsql AS
              $$ BEGIN RAISE EXCEPTION 'session storage is failing'; END $$;
            CREATE TRIGGER refuse_session_write BEFORE INSERT OR UPDATE OR DELETE ON django_session
              FOR EACH ROW EXECUTE FUNCTION refuse_session_write();
            """)
    }

    func repairSessionSaves() throws {
        try database.executeScript("DROP TRIGGER refuse_session_write ON django_session; DROP FUNCTION refuse_session_write();")
    }


    func checkoutWithFailingSessionSave() throws -> (InProcessBrowser, orderID: Int) {
        let shopper = browser()
        add(shopper, teaID, quantity: 2)
        _ = shopper.get("/orders/create/")
        try breakSessionSaves()
        let response = shopper.post("/orders/create/", Self.valid)
        try repairSessionSaves()
        XCTAssertEqual(response.status, 302, "the order is placed: a failed session save must not hide it\n\(response.bodyText)")
        let location = try XCTUnwrap(response.header("Location"))
        let match = try XCTUnwrap(location.wholeMatch(of: /\/orders\/(\d+)\/created\//), location)
        XCTAssertEqual(try orderCount(), 1)
        return (shopper, try XCTUnwrap(Int(match.output.1)))
    }

    func testAFailedSessionSaveAfterTheCommitStillLeadsToTheConfirmation() throws {
        let (shopper, id) = try checkoutWithFailingSessionSave()
        let confirmation = shopper.get("/orders/\(id)/created/")
        XCTAssertEqual(confirmation.status, 200)
        XCTAssertTrue(confirmation.bodyText.contains("id=\"order-number\">\(id)<"), confirmation.bodyText)
        // Now the session knows the order and the cart is empty.
        XCTAssertEqual(shopper.get("/orders/\(id)/created/").status, 200)
        XCTAssertEqual(shopper.get("/orders/create/").header("Location"), "/cart/")
        XCTAssertEqual(browser().get("/orders/\(id)/created/").status, 404, "still only for its shopper")
        XCTAssertEqual(try orderCount(), 1)
    }

    func testTheSamePostRepeatedAfterAFailedSaveLandsOnTheSameOrder() throws {
        let (shopper, id) = try checkoutWithFailingSessionSave()
        let again = shopper.post("/orders/create/", Self.valid)
        XCTAssertEqual(again.status, 302)
        XCTAssertEqual(again.header("Location"), "/orders/\(id)/created/")
        XCTAssertEqual(shopper.get("/orders/\(id)/created/").status, 200)
        XCTAssertEqual(try orderCount(), 1, "the checkout token keeps it one order")
    }

    func testTheCheckoutPageOfAnOrderedCartLeadsToItsConfirmation() throws {
        let (shopper, id) = try checkoutWithFailingSessionSave()
        let checkout = shopper.get("/orders/create/")
        XCTAssertEqual(checkout.status, 302)
        XCTAssertEqual(checkout.header("Location"), "/orders/\(id)/created/")
        XCTAssertEqual(shopper.get("/orders/\(id)/created/").status, 200)
        XCTAssertEqual(try orderCount(), 1)
    }
}
