/// What apps compute once per request and share between a view and the
/// context processors (the catalog snapshot, the cart's loaded lines), one
/// value per type.
///
/// A memo value is state, not a handle: it must not keep the `RequestContext`
/// (or anything that does), or context and value keep each other alive and the
/// worker leaks every request (it did: the cart held its context). To make such
/// a cycle harmless even if one is written by mistake, the application empties
/// the memo when the response is finished, and `RequestLifetimeTests` checks
/// that nothing of a request outlives it.
///
/// A request holds a handful of these (the cart page: the catalog's proof, the cart's lines,
/// the session's), so they are kept in a list searched by type: as a dictionary, each request
/// allocated its storage three times as it grew and hashed every type it looked up.
public final class RequestMemo {
    private var values: [(type: ObjectIdentifier, value: AnyObject)] = []

    init() {}

    /// The request's value of type `T`, made by `make` on first use.
    public func value<T: AnyObject>(_ type: T.Type = T.self, make: () throws -> T) rethrows -> T {
        if let existing = existing(type) { return existing }
        let made = try make()
        if values.isEmpty { values.reserveCapacity(4) }
        values.append((ObjectIdentifier(type), made))
        return made
    }

    /// The value of type `T` if one was made in this request.
    public func existing<T: AnyObject>(_ type: T.Type) -> T? {
        let wanted = ObjectIdentifier(type)
        for entry in values where entry.type == wanted { return entry.value as? T }
        return nil
    }

    /// Called once the response is complete.
    func removeAll() { values.removeAll() }
}
