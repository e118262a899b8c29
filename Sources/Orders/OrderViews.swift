import Cart
import Foundation
import Web

/// Django's `order_create` and the confirmation page.
public enum OrderViews {
    /// The session key listing the orders this session placed (newest last).
    public static let sessionKey = "orders"
    static let rememberedOrders = 50

    /// `GET /orders/create/`: the form beside the cart; `POST`: validate, then
    /// place the order in one transaction and redirect to its confirmation.
    /// An empty cart sends the shopper back to `/cart/`.
    public static func create(_ context: RequestContext) throws -> Response {
        let cart = Cart.of(context)
        var lines = try cart.lines()
        guard !lines.isEmpty else { return .redirect(to: try context.url("cart:cart_detail")) }
        guard context.request.method == "POST" else {
            // A cart already ordered whose session was never saved (the worker died after the
            // commit, or the save failed): the shopper's way back to the order is the checkout.
            if let token = try cart.existingCheckoutToken(),
               let id = try OrderStore(database: context.database).orderID(checkoutToken: token) {
                return try placed(id, cart: cart, context)
            }
            return try page(context, lines: lines, form: OrderForm.form.unbound())
        }

        let form = OrderForm.form.bind(try context.form())
        // Products that left the cart since the shopper saw it: show the
        // checkout again (with the notices) rather than order something else.
        guard form.isValid, !cart.droppedProducts else {
            return try page(context, lines: lines, form: form)
        }

        let outcome = try OrderStore(database: context.database).place(
            fields: form.cleaned.compactMapValues(\.string),
            lines: lines.map { ($0.product.id, $0.quantity) },
            checkoutToken: try cart.checkoutToken())
        switch outcome {
        case .placed(let id), .alreadyPlaced(let id):
            return try placed(id, cart: cart, context)
        case .unavailable(let gone):
            // Changed between reading the cart and locking the products: nothing
            // was saved. Drop them, say so, and show the checkout again.
            for product in gone {
                try cart.remove(productID: product.id)
                if let name = product.name {
                    context.messages.warning("“\(name)” is no longer available and was removed from your cart. Please check your order.")
                } else {
                    context.messages.warning("A product in your cart is no longer sold and was removed from your cart. Please check your order.")
                }
            }
            lines = try cart.lines()
            guard !lines.isEmpty else { return .redirect(to: try context.url("cart:cart_detail")) }
            return try page(context, lines: lines, form: form)
        }
    }

    /// The order is committed: empty the cart, remember the order, send the shopper to its
    /// confirmation. That redirect stands even if saving the session then fails: the stored
    /// session still holds the cart and its checkout token, by which the confirmation page (and
    /// the same POST repeated) find the order.
    static func placed(_ id: Int, cart: Cart, _ context: RequestContext) throws -> Response {
        try cart.clear()
        try remember(id, context)
        var response = Response.redirect(to: try context.url("orders:order_created", ["id": id]))
        response.survivesSessionFailure = true
        return response
    }

    /// `GET /orders/{id}/created/`: only for the session that placed the order: it lists the
    /// order, or still holds the cart it was placed from (its save after the commit was lost).
    public static func created(_ context: RequestContext) throws -> Response {
        let id = try context.intParameter("id")
        let store = OrderStore(database: context.database)
        var owned = try placedOrders(context).contains(id)
        if !owned, let token = try Cart.of(context).existingCheckoutToken(), try store.orderID(checkoutToken: token) == id {
            try Cart.of(context).clear()
            try remember(id, context)
            owned = true
        }
        guard owned, let order = try store.order(id: id)
        else { throw HTTPError.notFound("No such order.") }
        return try context.render("orders/order/created", [
            "title": "Thank you",
            "order": [
                "id": order.id,
                "first_name": order.firstName, "last_name": order.lastName, "email": order.email,
                "address": order.address, "postal_code": order.postalCode, "city": order.city,
                "items": order.items.map { item in
                    [
                        "product_id": item.productID, "product_name": item.productName, "quantity": item.quantity,
                        "unit_price": PriceFormat.dollars(item.price), "line_total": PriceFormat.dollars(item.total),
                    ] as [String: Any]
                },
                "order_total": PriceFormat.dollars(order.total),
            ] as [String: Any],
        ])
    }

    /// The ids of the orders this session placed. No session, no orders (and no load).
    public static func placedOrders(_ context: RequestContext) throws -> [Int] {
        guard context.session.browserSentKey || context.session.isAccessed else { return [] }
        return try context.session.value(forKey: sessionKey)?.arrayValue?.compactMap(\.intValue) ?? []
    }

    static func remember(_ id: Int, _ context: RequestContext) throws {
        var ids = try placedOrders(context).filter { $0 != id }
        ids.append(id)
        ids = Array(ids.suffix(rememberedOrders))
        try context.session.setValue(.array(ids.map { .int($0) }), forKey: sessionKey)
    }

    static func page(_ context: RequestContext, lines: [CartLine], form: BoundForm) throws -> Response {
        try context.render("orders/order/create", [
            "title": "Checkout",
            "lines": lines.map { CartViewModels.summaryLine($0, context.services.urls) },
            "order_total": lines.totalText,
            "fields": form.viewModel["fields"] ?? [],
        ])
    }
}
