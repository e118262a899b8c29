import Web

/// The session cart app (Django's `cart`): its URLs and its context processor.
public enum CartApp: App {
    public static let label = "cart"

    public static func routes(_ router: inout Router) {
        router.get("/cart/", name: "cart:cart_detail", CartViews.detail)
        // Their only effect is on the session: they run without its lock (`ViewEffects`).
        router.post("/cart/add/{product_id:int}/", name: "cart:cart_add", effects: .sessionOnly, CartViews.add)
        router.post("/cart/remove/{product_id:int}/", name: "cart:cart_remove", effects: .sessionOnly, CartViews.remove)
    }

    public static var contextProcessors: [ContextProcessor] { [CartApp.contextProcessor] }

    /// `cart` for every template: `is_empty`, `count`, `count_is_one`, `total`
    /// (formatted) and `lines`. An empty cart costs no SQL, and a visitor
    /// without a session cookie not even a session load.
    static func contextProcessor(_ context: RequestContext) throws -> [String: Any] {
        ["cart": CartViewModels.summary(try Cart.of(context).lines(), context.services.urls)]
    }
}
