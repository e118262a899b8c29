import Foundation
import Postgres
import Web

/// A `signed_cookies` session cookie already holding a large cart, signed as
/// the shop (and Django) sign it. The cookie is compressed, so reaching the
/// browsers' 4 KB by adding products one request at a time takes hundreds of
/// requests; tests of the limit start from a cart just below it instead.
public enum SignedCookieCart {
    /// `count` available products of `category` in one statement; their ids, in order.
    public static func makeProducts(_ database: PostgresConnection, category: Int, count: Int) throws -> [Int] {
        try database.query("""
            INSERT INTO shop_product (category_id, name, slug, price)
            SELECT $1, 'Tea ' || i, 'tea-' || i, (i % 90 + 1) + (i * 37 % 100) / 100.0 FROM generate_series(1, $2) AS i
            RETURNING id
            """, [category, count]).map { try $0.get("id", as: Int.self) }.sorted()
    }

    /// The cookie with a cart of the first products (varied quantities), grown
    /// until the cookie passes `bytes`; and how many lines it holds.
    public static func cookie(products: [Int], secretKey: String, bytes: Int = 3_700) -> (cookie: String, lines: Int) {
        let signing = Signing(secretKey: secretKey, salt: "django.contrib.sessions.backends.signed_cookies")
        var cart: [String: SessionValue] = [:]
        var cookie = ""
        for (index, id) in products.enumerated() {
            cart[String(id)] = ["quantity": .int(index * 7 % 20 + 1), "price": "1.00"]
            cookie = signing.signObject(json: SessionCoding.encodeBytes(["cart": .object(cart)]), compress: true,
                                        timestamp: Int(Date().timeIntervalSince1970))
            if cookie.utf8.count > bytes { return (cookie, index + 1) }
        }
        return (cookie, products.count)
    }
}
