import Foundation
import Shop
import Web

/// One line of the cart: a product (as it is now) and how many.
public struct CartLine {
    public let product: Product
    public let quantity: Int

    /// The product's current price: the cart never shows or charges the price at add time.
    public var unitPrice: Decimal { product.price }
    public var total: Decimal { product.price * Decimal(quantity) }
    /// The line's total in whole cents, when the price has them (see `Product.priceInCents`).
    public var totalInCents: Int? {
        guard let cents = product.priceInCents else { return nil }
        let (total, overflow) = cents.multipliedReportingOverflow(by: quantity)
        return overflow ? nil : total
    }

    /// The unit price and the line total as the pages show them.
    public var unitPriceText: String { product.priceInCents.map { PriceFormat.dollars(cents: $0) } ?? PriceFormat.dollars(unitPrice) }
    public var totalText: String { totalInCents.map { PriceFormat.dollars(cents: $0) } ?? PriceFormat.dollars(total) }
}

extension [CartLine] {
    /// Django's `get_total_price()`: exact, at current prices.
    public var total: Decimal { reduce(Decimal(0)) { $0 + $1.total } }

    /// The lines' total as the pages show it: added up in cents when every line has them.
    public var totalText: String {
        var cents = 0
        for line in self {
            guard let lineCents = line.totalInCents else { return PriceFormat.dollars(total) }
            let (sum, overflow) = cents.addingReportingOverflow(lineCents)
            if overflow { return PriceFormat.dollars(total) }
            cents = sum
        }
        return PriceFormat.dollars(cents: cents)
    }
}

/// The session cart of Django's `cart` app. The session holds, under "cart",
/// an object keyed by product id (a string): `{"12": {"quantity": 2, "price": "8.50"}}`
/// (the price at add time, as Django keeps it; display and totals use the
/// current price). Under "cart_token" it keeps a random token that changes on
/// every add and remove: checkout stores it on the order (unique), so one cart
/// can never become two orders (see `OrderStore`).
///
/// `Cart.of(context)` is a handle made on demand; what it loads is kept in the
/// request's memo (`CartState`, which holds no reference back to the request),
/// so the view and the context processor share one products query.
public struct Cart {
    public static let sessionKey = "cart"
    public static let tokenKey = "cart_token"
    /// A line never holds more than this (repeated adds of 20 stop here; 400 beyond).
    public static let maxLineQuantity = 1_000

    private let context: RequestContext
    private let state: CartState

    private init(context: RequestContext) {
        self.context = context
        state = context.memo.value(CartState.self) { CartState() }
    }

    /// The request's cart.
    public static func of(_ context: RequestContext) -> Cart { Cart(context: context) }

    /// Whether the lines were already loaded in this request.
    public var isLoaded: Bool { state.loadedLines != nil }

    /// True when loading the lines in this request dropped products that are
    /// gone or no longer available (each with a warning message).
    public var droppedProducts: Bool { state.droppedProducts }

    // MARK: Reading

    /// The stored lines. A visitor without a session cookie costs no session load.
    private func entries() throws -> [String: SessionValue] {
        let session = context.session
        guard session.browserSentKey || session.isAccessed else { return [:] }
        return try session.value(forKey: Cart.sessionKey)?.objectValue ?? [:]
    }

    /// Product id → quantity of a well-formed stored line, else nil.
    private static func parse(_ key: String, _ value: SessionValue) -> (id: Int, quantity: Int)? {
        guard let id = Int(key), id > 0,
              let quantity = value.objectValue?["quantity"]?.intValue,
              quantity >= 1, quantity <= maxLineQuantity
        else { return nil }
        return (id, quantity)
    }

    /// The lines with their products, loaded in one query (none for an empty
    /// cart). Products deleted or made unavailable leave the cart, with a
    /// warning each. Ordered by product name.
    public func lines() throws -> [CartLine] {
        if let loadedLines = state.loadedLines { return loadedLines }
        // The catalog's check before the session's load: one round trip serves both. Not when
        // the session is loaded already (the admin's staff gate did): an empty cart costs nothing.
        if context.session.browserSentKey && !context.session.isLoaded { try Catalog.checkCurrent(context) }
        let stored = try entries()
        var quantities = [Int: Int](minimumCapacity: stored.count)
        var kept = stored
        for (key, value) in stored {
            if let line = Cart.parse(key, value) { quantities[line.id] = line.quantity } else { kept[key] = nil }
        }
        var lines: [CartLine] = []
        if !quantities.isEmpty {
            let byID = try products(ids: quantities.keys.sorted())
            for (id, quantity) in quantities.sorted(by: { $0.key < $1.key }) {
                if let product = byID[id], product.available {
                    lines.append(CartLine(product: product, quantity: quantity))
                    continue
                }
                kept[String(id)] = nil
                state.droppedProducts = true
                if let product = byID[id] {
                    context.messages.warning("“\(product.name)” is no longer available and was removed from your cart.")
                } else {
                    context.messages.warning("A product in your cart is no longer sold and was removed from your cart.")
                }
            }
        }
        if kept.count != stored.count {
            // A clean-up, not the shopper's change: the checkout token stays.
            try store(kept, changedByShopper: false)
        }
        lines.sort { ($0.product.name, $0.product.id) < ($1.product.name, $1.product.id) }
        state.loadedLines = lines
        return lines
    }

    /// The cart's products, current as of this request, whatever their
    /// availability: the worker's catalog cache (checked against the catalog's
    /// version), and one query for the ids it does not hold.
    private func products(ids: [Int]) throws -> [Int: Product] {
        try Catalog.products(ids: ids, context)
    }

    /// Django's `len(cart)`: the number of items.
    public func count() throws -> Int { try lines().reduce(0) { $0 + $1.quantity } }

    /// The stored quantity of a product (no SQL), or 0.
    public func quantity(of productID: Int) throws -> Int {
        guard let value = try entries()[String(productID)] else { return 0 }
        return Cart.parse(String(productID), value)?.quantity ?? 0
    }

    // MARK: Changing

    public enum AddError: Error { case tooMany }

    /// Adds `quantity` of `product`, or sets the line to `quantity` when `override`.
    /// Throws `AddError.tooMany` (the cart unchanged) beyond `maxLineQuantity`.
    public func add(_ product: Product, quantity: Int, override: Bool) throws {
        var stored = try entries()
        let key = String(product.id)
        let current = stored[key].flatMap { Cart.parse(key, $0)?.quantity } ?? 0
        let (sum, overflow) = current.addingReportingOverflow(quantity)
        let updated = override ? quantity : sum
        guard !overflow, updated >= 1, updated <= Cart.maxLineQuantity else { throw AddError.tooMany }
        let price = product.priceInCents.map(PriceFormat.plain(cents:)) ?? PriceFormat.plain(product.price)
        stored[key] = .object(["quantity": .int(updated), "price": .string(price)])
        try store(stored, changedByShopper: true)
    }

    /// Drops a line; false when the product was not in the cart.
    @discardableResult
    public func remove(productID: Int) throws -> Bool {
        var stored = try entries()
        guard stored.removeValue(forKey: String(productID)) != nil else { return false }
        try store(stored, changedByShopper: true)
        return true
    }

    /// Empties the cart (after checkout).
    public func clear() throws {
        try context.session.removeValue(forKey: Cart.sessionKey)
        try context.session.removeValue(forKey: Cart.tokenKey)
        state.loadedLines = []
    }

    /// The token the session holds for the cart's contents, without making one.
    public func existingCheckoutToken() throws -> String? {
        guard context.session.browserSentKey || context.session.isAccessed else { return nil }
        guard let token = try context.session.value(forKey: Cart.tokenKey)?.stringValue, Cart.isWellFormedToken(token) else { return nil }
        return token
    }

    /// The token of the cart's current contents, made now when the session has none.
    public func checkoutToken() throws -> String {
        if let token = try context.session.value(forKey: Cart.tokenKey)?.stringValue, Cart.isWellFormedToken(token) {
            return token
        }
        let token = Cart.newToken()
        try context.session.setValue(.string(token), forKey: Cart.tokenKey)
        return token
    }

    private func store(_ entries: [String: SessionValue], changedByShopper: Bool) throws {
        let session = context.session
        if entries.isEmpty {
            try session.removeValue(forKey: Cart.sessionKey)
            try session.removeValue(forKey: Cart.tokenKey)
        } else {
            try session.setValue(.object(entries), forKey: Cart.sessionKey)
            if changedByShopper { try session.setValue(.string(Cart.newToken()), forKey: Cart.tokenKey) }
        }
        if changedByShopper { state.loadedLines = nil }
    }

    /// 32 characters from the system's CSPRNG.
    static func newToken() -> String {
        RandomString.make(length: 32, alphabet: TokenAlphabet.lowercaseAlphanumeric)
    }

    static func isWellFormedToken(_ token: String) -> Bool {
        token.utf8.count == 32 && TokenAlphabet.isLowercaseAlphanumeric(token)
    }
}

/// What one request's cart has loaded: plain data, no reference to the request.
final class CartState {
    var loadedLines: [CartLine]?
    var droppedProducts = false
}
