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
        ["cart": CartViewModels.summary(try Cart.of(context).lines())]
    }
}
