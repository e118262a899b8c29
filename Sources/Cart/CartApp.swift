import Web

/// The session cart app (Django's `cart`): its URLs and its context processor.
public enum CartApp {
    public static func registerRoutes(_ router: inout Router) {}

    public static func registerContextProcessors(_ services: Services) {}
}
