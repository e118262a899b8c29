import Foundation
import TestSupport
import Web
import XCTest

/// The cart's add runs speculatively (`Session.isSpeculative`): it trusts the worker's cached
/// session and catalog, and its save checks both in its own statement. Each test here makes
/// one of them stale behind the worker's back and checks that the add still does what a
/// shopper expects, asking the database again.
final class SpeculativeAddTests: AppTestCase {
    /// A price changed in the database (an import, psql) since the worker cached the product:
    /// the save is refused, and the add runs again on the new price.
    func testAnAddStoresAPriceChangedSinceTheWorkerCachedIt() throws {
        let shopper = browser()
        add(shopper, teaID, quantity: 1)
        try setPrice(teaID, "9.75")
        add(shopper, teaID, quantity: 1)
        let statements = app.services.database.log.entries.map(\.sql)
        XCTAssertTrue(statements.first?.contains("UPDATE django_session") ?? false, "\(statements)")
        XCTAssertTrue(statements.contains { $0.hasPrefix("SELECT version, lists_version FROM shop_catalog_version") },
                      "the second attempt checks the catalog: \(statements)")
        let stored = try storedCart(shopper)
        XCTAssertEqual(stored[String(teaID)]?.objectValue?["price"]?.stringValue, "9.75")
        XCTAssertEqual(stored[String(teaID)]?.objectValue?["quantity"]?.intValue, 2)
    }

    /// A product the worker knows as unavailable, made available since: added, not a 404.
    func testAProductMadeAvailableSinceTheWorkerCachedItCanBeAdded() throws {
        let shopper = browser()
        let kettle = try makeProduct("Kettle", price: "30.00", available: false)
        add(shopper, teaID, quantity: 1)
        XCTAssertEqual(shopper.post("/cart/add/\(kettle)/", ["quantity": "1"]).status, 404)
        try setAvailable(kettle, true)
        add(shopper, kettle, quantity: 1)
        XCTAssertEqual(cartLines(shopper), [teaID: 1, kettle: 1])
    }

    /// And the other way: a product made unavailable since is a 404, and the rest of the cart stays.
    func testAProductMadeUnavailableSinceTheWorkerCachedItIsRefused() throws {
        let shopper = browser()
        let kettle = try makeProduct("Kettle", price: "30.00")
        add(shopper, teaID, quantity: 1)
        add(shopper, kettle, quantity: 1)
        try setAvailable(kettle, false)
        XCTAssertEqual(shopper.post("/cart/add/\(kettle)/", ["quantity": "1"]).status, 404)
        XCTAssertEqual(cartLines(shopper), [teaID: 1])
    }

    /// The session saved elsewhere and the worker not told yet (the write made without its
    /// announcement): the worker's copy is stale, its save is refused, and the add runs again
    /// on the stored session, so neither change is lost.
    func testAnAddOverASessionChangedUnannouncedKeepsBothChanges() throws {
        let shopper = browser()
        let kettle = try makeProduct("Kettle", price: "30.00")
        add(shopper, teaID, quantity: 1)
        let (key, data) = try storedSession(shopper, withLine: kettle, quantity: 3, price: "30.00")
        try database.executeScript("SET session_replication_role = replica")  // no trigger, so no NOTIFY
        try database.execute("UPDATE django_session SET session_data = $2, version = version + 1 WHERE session_key = $1",
                             [key, data])
        try database.executeScript("SET session_replication_role = origin")
        add(shopper, teaID, quantity: 1)
        XCTAssertEqual(cartLines(shopper), [teaID: 2, kettle: 3])
    }

    /// The session saved by a Django process sharing the table (its trigger notifies): the add
    /// trusts the worker's copy without reading the notification, its save is refused, and it
    /// runs again on the stored session, so neither change is lost.
    func testAnAddOverASessionSavedByDjangoKeepsBothChanges() throws {
        let shopper = browser()
        let kettle = try makeProduct("Kettle", price: "30.00")
        add(shopper, teaID, quantity: 1)
        let (key, data) = try storedSession(shopper, withLine: kettle, quantity: 2, price: "30.00")
        // As Django writes it: `version` untouched, moved (and announced) by the trigger.
        try database.execute("UPDATE django_session SET session_data = $2 WHERE session_key = $1", [key, data])
        add(shopper, teaID, quantity: 1)
        let saves = app.services.database.log.entries.filter { $0.sql.contains("UPDATE django_session") }
        XCTAssertEqual(saves.count, 2, "the speculative save, on the copy the notification outdated, refused; then the second attempt's")
        XCTAssertEqual(cartLines(shopper), [teaID: 2, kettle: 2])
    }

    /// A bad form is answered 400 whatever the speculation, and writes nothing.
    func testABadQuantityWritesNothing() throws {
        let shopper = browser()
        add(shopper, teaID, quantity: 1)
        XCTAssertEqual(shopper.post("/cart/add/\(teaID)/", ["quantity": "0"]).status, 400)
        XCTAssertEqual(try storedCart(shopper)[String(teaID)]?.objectValue?["quantity"]?.intValue, 1)
    }

    // MARK: Helpers

    /// The shopper's session key, and its stored data with one more cart line, signed as stored.
    private func storedSession(_ shopper: InProcessBrowser, withLine product: Int, quantity: Int,
                               price: String) throws -> (key: String, data: String) {
        let key = try XCTUnwrap(shopper.cookies["sessionid"])
        var changed = try storedSession(shopper)
        var cart = changed["cart"]?.objectValue ?? [:]
        cart[String(product)] = .object(["quantity": .int(quantity), "price": .string(price)])
        changed["cart"] = .object(cart)
        return (key, SessionDataSigning(secretKey: app.services.settings.secretKey).encode(changed))
    }

    private func storedSession(_ shopper: InProcessBrowser) throws -> SessionData {
        let key = try XCTUnwrap(shopper.cookies["sessionid"])
        let text = try XCTUnwrap(database.scalar("SELECT session_data FROM django_session WHERE session_key = $1", [key], as: String.self))
        return try XCTUnwrap(SessionDataSigning(secretKey: app.services.settings.secretKey).decode(text))
    }

    private func storedCart(_ shopper: InProcessBrowser) throws -> [String: SessionValue] {
        try XCTUnwrap(storedSession(shopper)["cart"]?.objectValue)
    }
}
