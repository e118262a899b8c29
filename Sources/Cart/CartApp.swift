import Web

/// The session cart app (Django's `cart`): its URLs and its context processor.
public enum CartApp {
    public static func registerRoutes(_ router: inout Router) {
        router.get("/cart/", CartViews.detail)
        router.post("/cart/add/{product_id:int}/", CartViews.add)
        router.post("/cart/remove/{product_id:int}/", CartViews.remove)
    }

    public static func registerContextProcessors(_ services: Services) {
        services.contextProcessors.append(CartApp.contextProcessor)
    }

    /// `cart` for every template: `is_empty`, `count`, `count_is_one`, `total`
    /// (formatted) and `lines`. An empty cart costs no SQL, and a visitor
    /// without a session cookie not even a session load.
    static func contextProcessor(_ context: RequestContext) throws -> [String: Any] {
        let cart = Cart.of(context)
        let loadedBefore = cart.isLoaded
        let lines = try cart.lines()
        var values: [String: Any] = ["cart": CartViewModels.summary(lines)]
        if !loadedBefore && cart.droppedProducts {
            // The messages processor ran before this one: show the notices the
            // load just added on this page too (consuming them, so they are not repeated).
            let list = context.messages.consume()
            values["messages"] = list.map { ["level": $0.level.rawValue, "tags": $0.level.rawValue, "message": $0.text] }
            values["has_messages"] = !list.isEmpty
        }
        return values
    }
}
