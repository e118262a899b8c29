import Web

/// The admin's log-in and log-out (Django's `AdminSite.login`/`logout`).
enum LoginViews {
    static let invalidLogin = "Please enter the correct username and password for a staff account. Note that both fields may be case-sensitive."
    static let throttled = "Too many failed login attempts. Please try again in \(LoginThrottle.windowMinutes) minutes."

    /// `GET /admin/login/` shows the form (staff already logged in go on to
    /// `next`); `POST` checks the throttle, then the credentials, and logs in.
    static func login(_ context: RequestContext) throws -> Response {
        let index = try context.url("admin:index")
        let nextParameter = context.request.method == "POST" ? try context.form()["next"] : context.query["next"]
        let next = SafeRedirect.target(nextParameter, fallback: index)
        if context.request.method != "POST" {
            if let user = try context.user(), user.isStaff { return .redirect(to: next) }
            return try page(context, username: "", next: nextParameter, error: nil)
        }

        let form = try context.form()
        let username = form["username"] ?? ""
        let password = form["password"] ?? ""
        guard !username.isEmpty, !password.isEmpty, username.count <= 150, password.utf8.count <= 4096 else {
            return try page(context, username: username, next: nextParameter, error: invalidLogin)
        }
        let throttle = LoginThrottle(database: context.database)
        let address = context.request.remoteAddress
        if try throttle.isBlocked(username: username, address: address) {
            return try page(context, username: username, next: nextParameter, error: throttled, status: 429)
        }
        guard let user = try Auth.authenticate(username: username, password: password, context), user.isStaff else {
            try throttle.recordFailure(username: username, address: address)
            return try page(context, username: username, next: nextParameter, error: invalidLogin)
        }
        try throttle.reset(username: username)
        try Auth.login(user, context)
        return .redirect(to: next)
    }

    /// `POST /admin/logout/`: ends the session, then the "Logged out" page.
    static func logout(_ context: RequestContext) throws -> Response {
        try Auth.logout(context)
        return try AdminSite.render(context, "admin/logged_out", title: "Logged out", values: [
            "login_url": try context.url("admin:login"),
        ])
    }

    private static func page(_ context: RequestContext, username: String, next: String?, error: String?,
                             status: Int = 200) throws -> Response {
        try AdminSite.render(context, "admin/login", title: "Log in", values: [
            "action": try context.url("admin:login"),
            "username": username,
            "next": next.flatMap { SafeRedirect.isSafePath($0) ? $0 : nil } ?? "",
            "error": error ?? "",
            "has_error": error != nil,
        ], status: status)
    }
}
