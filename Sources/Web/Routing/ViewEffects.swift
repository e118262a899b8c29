/// What a view may change besides its response; it decides how a request that changes
/// its session is kept from losing another request's change (see `Application`).
public enum ViewEffects: Sendable {
    /// Anything (orders, the catalog, logins): an unsafe request holds its session's lock
    /// from the session's load to its save, so it never runs twice and never conflicts.
    case any
    /// Nothing but the session (the cart's add and remove): the request runs without the
    /// lock, its save conditional on the version it loaded and refused while another request
    /// holds the lock; when it is refused, the view simply runs again on the fresh session
    /// (the last attempt under the lock). Its first attempt is speculative: what it reads on
    /// trust, its save checks (`Session.isSpeculative`), so an add is one statement.
    case sessionOnly
}
