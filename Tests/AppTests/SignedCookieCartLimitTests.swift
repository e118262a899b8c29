import Foundation
import TestSupport
import Web
import XCTest

/// With `signed_cookies` the cart lives in the cookie, and browsers keep a cookie
/// of at most 4,096 bytes: a cart that would grow past that is refused with a
/// message, and the browser keeps its cookie, so the cart is unchanged.
final class SignedCookieCartLimitTests: AppTestCase {
    func testACartTooLargeForTheCookieIsRefusedAndKept() throws {
        let cookieApp = try makeApplication { $0.sessionEngine = .signedCookies }
        let shopper = browser(cookieApp)
        let products = try SignedCookieCart.makeProducts(database, category: categoryID, count: 1_500)
        // The cookie is compressed (as Django's): start from a cart just below the limit.
        let (seeded, lines) = SignedCookieCart.cookie(products: products, secretKey: cookieApp.services.settings.secretKey)
        shopper.sessionCookie = seeded
        XCTAssertGreaterThan(lines, 100)

        var refused: Response?
        var lastCookie: String? = seeded
        var acceptedCookies: [String] = []
        for id in products[lines...] {
            let response = shopper.post("/cart/add/\(id)/", ["quantity": "20", "override": "False"])
            if response.status == 302 {
                lastCookie = shopper.sessionCookie
                if let lastCookie { acceptedCookies.append(lastCookie) }
                XCTAssertLessThanOrEqual("sessionid=".utf8.count - 1 + (lastCookie?.utf8.count ?? 0), 4096)
                continue
            }
            refused = response
            break
        }
        let refusal = try XCTUnwrap(refused, "1,500 products never reached the cookie limit")
        XCTAssertEqual(refusal.status, 400, refusal.bodyText)
        XCTAssertTrue(refusal.bodyText.contains("too large to keep in a browser cookie"), refusal.bodyText)
        XCTAssertNil(refusal.setCookie(named: "sessionid"), "the browser keeps the cookie it has")
        XCTAssertEqual(shopper.sessionCookie, lastCookie)
        let kept = cartLines(shopper)
        XCTAssertGreaterThan(kept.count, lines)
        XCTAssertEqual(Set(kept.filter { !products[..<lines].contains($0.key) }.values), [20], "every accepted line is still there")
        // A change that shrinks the cart still works a little below the limit. Not
        // at the very edge: every change writes a new random cart token, and its
        // compressed size moves by a few bytes, about what one line takes.
        XCTAssertGreaterThanOrEqual(acceptedCookies.count, 3, "too few adds before the limit to step back from it")
        shopper.sessionCookie = acceptedCookies[acceptedCookies.count - 3]
        let belowLimit = cartLines(shopper)
        XCTAssertEqual(belowLimit.count, kept.count - 2)
        let first = try XCTUnwrap(belowLimit.keys.min())
        XCTAssertEqual(shopper.post("/cart/remove/\(first)/", [] as [(String, String)]).status, 302)
        XCTAssertEqual(cartLines(shopper).count, belowLimit.count - 1)
        XCTAssertNil(cartLines(shopper)[first])
    }
}
