import Foundation

/// Django's `django.contrib.auth` for the request: who is logged in, and
/// `authenticate`/`login`/`logout`. The login lives in the session under
/// Django's own keys, so a Django shop sharing the sessions sees the same user.
public enum Auth {
    static let userIDKey = "_auth_user_id"
    static let backendKey = "_auth_user_backend"
    static let hashKey = "_auth_user_hash"
    static let backend = "django.contrib.auth.backends.ModelBackend"

    /// The request's user, looked up once per request: nil for an anonymous
    /// visitor (no SQL, and no session load without a session cookie), for an
    /// inactive user, and for a session whose hash no longer matches the
    /// password (changed elsewhere): that session is flushed, as Django does.
    public static func user(_ context: RequestContext) throws -> User? {
        let state = context.memo.value(AuthState.self) { AuthState() }
        if let known = state.user { return known }
        let session = context.session
        guard session.browserSentKey || session.isAccessed,
              let stored = try session.value(forKey: userIDKey),
              let id = stored.stringValue.flatMap({ Int($0) }) ?? stored.intValue
        else { return nil }
        guard try session.value(forKey: backendKey)?.stringValue == backend,
              let user = try Users(database: context.database).find(id: id), user.isActive
        else { return nil }
        let expected = user.sessionAuthHash(secretKey: context.settings.secretKey)
        guard let hash = try session.value(forKey: hashKey)?.stringValue, ConstantTime.equals(hash, expected) else {
            try session.flush()
            return nil
        }
        state.user = user
        return user
    }

    /// The user whose password this is, or nil (unknown, wrong password, or
    /// inactive). A hash with fewer iterations than new ones is re-hashed.
    public static func authenticate(username: String, password: String, _ context: RequestContext) throws -> User? {
        let users = Users(database: context.database)
        let iterations = context.settings.passwordIterations
        guard var user = try users.find(username: username) else {
            PasswordHasher.spendVerificationTime(iterations: iterations)
            return nil
        }
        guard PasswordHasher.verify(password, against: user.password), user.isActive else { return nil }
        if PasswordHasher.mustUpdate(user.password, iterations: iterations) {
            user.password = PasswordHasher.encode(password, iterations: iterations)
            try users.setPassword(userID: user.id, encoded: user.password)
        }
        return user
    }

    /// Django's `login()`: against session fixation the key changes (another
    /// user's session is flushed), the CSRF secret is rotated, and `last_login` set.
    public static func login(_ user: User, _ context: RequestContext) throws {
        let session = context.session
        let hash = user.sessionAuthHash(secretKey: context.settings.secretKey)
        if let current = try session.value(forKey: userIDKey) {
            let sameUser = (current.stringValue ?? current.intValue.map(String.init)) == String(user.id)
            let sameHash = ConstantTime.equals(try session.value(forKey: hashKey)?.stringValue ?? "", hash)
            if !sameUser || !sameHash { try session.flush() } else { try session.cycleKey() }
        } else {
            try session.cycleKey()
        }
        try session.setValue(.string(String(user.id)), forKey: userIDKey)
        try session.setValue(.string(backend), forKey: backendKey)
        try session.setValue(.string(hash), forKey: hashKey)
        context.csrf.rotate()
        try Users(database: context.database).updateLastLogin(userID: user.id)
        context.memo.value(AuthState.self) { AuthState() }.user = user
    }

    /// Django's `logout()`: the session is emptied and its key forgotten.
    public static func logout(_ context: RequestContext) throws {
        try context.session.flush()
        context.memo.value(AuthState.self) { AuthState() }.user = nil
    }

    /// Middleware for a route group only staff may see: anyone else is sent to
    /// the login route with `next` set to the page they asked for.
    public static func staffRequired(loginRoute: String) -> Middleware {
        return { context, next in
            if let user = try user(context), user.isStaff { return try next(context) }
            let login = try context.url(loginRoute)
            return .redirect(to: login + "?next=" + QueryString.escape(context.request.fullPath, safe: "/"))
        }
    }
}

/// The request's user, once looked up (no reference back to the request).
final class AuthState {
    var user: User?
}

extension RequestContext {
    /// The logged-in user, or nil (`request.user` in Django).
    public func user() throws -> User? { try Auth.user(self) }
}
