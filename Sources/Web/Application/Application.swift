import Foundation
import Postgres

/// The request pipeline of one worker, as Django's middleware stack:
/// allowed hosts, body limit, routing, CSRF, the view, then messages and the
/// session are saved and the cookies set. `handle` never throws: every error
/// becomes a page (4xx for the client's faults, 503 while the database is
/// unreachable, a logged 500 with a request id otherwise).
public final class Application {
    public let services: Services
    private let router: Router

    public init(services: Services, router: Router) {
        self.services = services
        self.router = router
        services.urls = router.urls
    }

    /// Sees each request's context as it is made (the lifetime tests keep a weak
    /// reference to check that nothing of a request outlives it).
    public var contextCreated: ((RequestContext) -> Void)?

    /// How many SQL statements the last request ran (for the access log).
    public var statementCount: Int { services.database.log.count }

    public func handle(_ request: Request) -> Response {
        services.database.log.reset()
        var response = dispatch(request)
        for (name, value) in Application.securityHeaders where response.header(name) == nil {
            response.headers.append((name, value))
        }
        // Django's CommonMiddleware: a whole response says its length, a HEAD the GET's; so
        // nginx passes it on instead of chunking, and a client knows when the page is complete.
        if Application.mayHaveBody(response.status) && response.header("Content-Length") == nil {
            response.headers.append(("Content-Length", String(response.body.count)))
        }
        if request.method == "HEAD" { response.body = [] }
        return response
    }

    /// 1xx, 204 and 304 have no body, so no length either (RFC 9110 8.6).
    static func mayHaveBody(_ status: Int) -> Bool { status >= 200 && status != 204 && status != 304 }

    /// Django's SecurityMiddleware and XFrameOptionsMiddleware defaults.
    static let securityHeaders = [
        ("X-Frame-Options", "DENY"), ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"), ("Cross-Origin-Opener-Policy", "same-origin"),
    ]

    private func dispatch(_ request: Request) -> Response {
        // Whatever happened, the session's lock is not kept past the response.
        defer { services.sessionStore.releaseLocks() }
        guard isAllowedHost(request.host) else {
            return errorPage(400, "Invalid HTTP_HOST header: '\(request.headers["host"] ?? "")'.", context: nil)
        }
        if request.bodyTooLarge {
            return errorPage(413, "The request body is too large.", context: nil)
        }
        let view: View
        let parameters: [String: String]
        let effects: ViewEffects
        switch router.match(method: request.method, path: request.path) {
        case .found(let found, let captured, let declared):
            view = found
            parameters = captured
            effects = declared
        case .appendSlash where request.method == "GET" || request.method == "HEAD":
            guard let location = AppendSlash.location(for: request) else {
                return errorPage(414, "The address is too long to redirect.", context: nil)
            }
            return .redirect(to: location, status: 301)
        case .methodNotAllowed(let allowed):
            var response = errorPage(405, "Method \(request.method) is not allowed here.", context: nil)
            response.headers.append(("Allow", allowed.sorted().joined(separator: ", ")))
            return response
        case .appendSlash, .notFound:
            let context = makeContext(request, parameters: [:])
            defer { context.memo.removeAll() }
            return errorPage(404, "The page \(request.path) does not exist.", context: context)
        }

        // A safe request has no effect but on its session, nor has a view declared
        // `.sessionOnly` (the cart's add): when its session write finds that another
        // request of the same session saved first (or holds the session's lock), it
        // simply runs again on the fresh session. Any other unsafe request holds the
        // session's lock instead, so its write cannot conflict; so does a session-only
        // view's last attempt, so it always ends. A session-only view's first attempt is
        // speculative (`Session.isSpeculative`): what it read on trust, its save confirms.
        let reruns = !request.isUnsafeMethod || effects == .sessionOnly
        var attempt = 1
        while true {
            let lastAttempt = attempt == Application.sessionConflictAttempts
            let sessionOnly = request.isUnsafeMethod && effects == .sessionOnly
            let locking: SessionLocking? = sessionOnly && !lastAttempt ? SessionLocking.none : nil
            let context = makeContext(request, parameters: parameters, sessionLocking: locking,
                                      speculative: sessionOnly && attempt == 1)
            // Whatever an app memoized for this request goes with it, even a value that
            // (by mistake) holds the context: the cycle is broken here.
            defer { context.memo.removeAll() }
            var response: Response
            do {
                if request.isUnsafeMethod, let reason = try CSRFCheck.rejection(context) {
                    return errorPage(403, "CSRF verification failed. Request aborted. \(reason)", context: context)
                }
                response = try view(context)
            } catch {
                response = errorResponse(for: error, request: request, context: context)
            }
            do {
                do {
                    try SessionMiddleware.finish(context, response: &response)
                    // A 404 or 400 from a speculative attempt may rest on a stale read: asked again.
                    if context.session.isSpeculative && !context.session.speculationConfirmed {
                        attempt += 1
                        continue
                    }
                } catch let conflict as SessionConflict where reruns && (!lastAttempt || !request.isUnsafeMethod) {
                    if !lastAttempt {
                        attempt += 1
                        continue
                    }
                    // Still racing: the page was right when it was made; only
                    // its session change (a message shown, say) is dropped.
                    Log.error("\(request.method) \(request.fullPath): \(conflict), its change dropped after \(attempt) attempts")
                }
                if context.csrf.cookieNeedsUpdate, let secret = context.csrf.cookieValue {
                    response.setCookie(SetCookie(name: CSRF.cookieName, value: secret, maxAge: 31_449_600,
                                                 secure: services.settings.csrfCookieSecure, sameSite: "Lax"))
                    SessionMiddleware.appendVary(&response, "Cookie")
                }
            } catch where response.survivesSessionFailure {
                // The view committed something the shopper must be told of (an order): its
                // answer stands; the stored session is left as it was, which the view recovers.
                Log.error("\(request.method) \(LogText.printable(request.fullPath)): session not saved: \(error); answering \(response.status) as the view did")
            } catch {
                response = errorResponse(for: error, request: request, context: nil)
            }
            return response
        }
    }

    static let sessionConflictAttempts = 3

    private func makeContext(_ request: Request, parameters: [String: String], sessionLocking: SessionLocking? = nil,
                             speculative: Bool = false) -> RequestContext {
        let context = RequestContext(request: request, services: services, parameters: parameters, sessionLocking: sessionLocking,
                                     speculative: speculative)
        contextCreated?(context)
        return context
    }

    private func isAllowedHost(_ host: String) -> Bool {
        let host = ASCIICase.lowercased(host)
        for pattern in services.settings.allowedHosts {
            let pattern = ASCIICase.lowercased(pattern)
            if pattern == "*" || pattern == host { return true }
            // ".example.com" matches example.com and its subdomains, as in Django.
            if pattern.hasPrefix("."), host == pattern.dropFirst() || host.hasSuffix(pattern) { return true }
        }
        return false
    }

    /// Every error line names the request (method, path, request id: nginx's X-Request-ID when
    /// it sends one, else a fresh one, also shown on the page). A database outage is logged once,
    /// then counted (`DatabaseOutageLog`); a statement cancelled by statement_timeout (set below
    /// REQUEST_TIMEOUT) is a 503 too: the database is too busy or locked, try again.
    private func errorResponse(for error: Error, request: Request, context: RequestContext?) -> Response {
        if let error = error as? HTTPError {
            return errorPage(error.status, error.message, context: context)
        }
        if error is SessionConflict {
            // Only when a write bypassed the session's lock (a lost connection, a manual edit).
            return errorPage(409, "Your session changed while this request ran. Please go back and try again.", context: nil)
        }
        let requestID = request.headers["x-request-id"].map(LogText.printable)
            ?? String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let name = "\(request.method) \(LogText.printable(request.fullPath)) (request id \(requestID))"
        switch error {
        case let error as PostgresError where error.isConnectionFailure:
            services.databaseOutage.failed(name, error: error)
            return errorPage(503, "The shop cannot reach its database right now. Please try again in a moment.", context: nil)
        case let error as PostgresError where error.sqlState == "57014":
            Log.error("\(name): statement cancelled: \(error)")
            return errorPage(503, "The shop is too busy to answer right now (request id \(requestID)). Please try again in a moment.", context: nil)
        default:
            Log.error("\(name) failed: \(error)")
            return errorPage(500, "Something went wrong on our side (request id \(requestID)).", context: nil)
        }
    }

    private func errorPage(_ status: Int, _ message: String, context: RequestContext?) -> Response {
        ErrorPages.response(status: status, message: message, context: context, services: services)
    }
}
