import Web

/// The orders app (Django's `orders`): checkout and the order tables.
public enum OrdersApp {
    public static let migrations: [Migration] = []

    public static func registerRoutes(_ router: inout Router) {}
}
