import Foundation

/// Saves the session after the view and sets its cookies, as Django's
/// SessionMiddleware.process_response does.
public enum SessionMiddleware {
    /// The cookie beside `sessionid` that echoes the saved session's version: a
    /// hint for the workers' caches (one newer than a cached copy sends the read
    /// to the database), never trusted to vouch for a copy.
    public static let versionCookieSuffix = "_version"

    static func finish(_ context: RequestContext, response: inout Response) throws {
        let session = context.session
        let settings = context.settings
        try context.messages.persist()
        if let failure = session.failure { throw failure }
        let saveEveryRequest = settings.sessionSaveEveryRequest && session.browserSentKey
        // A view that never touched the session costs no session work at all.
        guard session.isAccessed || saveEveryRequest else { return }

        appendVary(&response, "Cookie")
        // An emptied (or unknown) session: forget the cookie, as Django does, and the
        // stored session too, so a replayed cookie cannot bring the old data back.
        let emptied = session.browserSentKey && session.isEmpty
        let forget = emptied && (session.isModified || session.key == nil)
        let save = !emptied && (session.isModified || saveEveryRequest) && !session.isEmpty && response.status < 500
        // A read-only request writes nothing and takes no lock.
        guard forget || save || !session.keysToDelete.isEmpty else { return }

        try session.writing {
            try session.deleteStoredKeys()
            if forget {
                try session.deleteStoredSession()
                for name in cookieNames(settings) {
                    response.setCookie(sessionCookie(name, value: "", maxAge: 0, settings))
                }
            }
            guard save else { return }
            let record = try session.save(expireDate: expireDate(age: settings.sessionCookieAge))
            let maxAge = settings.sessionExpireAtBrowserClose ? nil : settings.sessionCookieAge
            let names = cookieNames(settings)
            response.setCookie(sessionCookie(names[0], value: record.key, maxAge: maxAge, settings))
            if let version = record.version {
                response.setCookie(sessionCookie(names[1], value: String(version), maxAge: maxAge, settings))
            }
        }
    }

    /// Now plus the cookie's age, rounded up to the whole second (the cookie's own
    /// resolution), so a stored session never expires before its cookie. Saves of one
    /// session within a second then store the same `expire_date`, and PostgreSQL
    /// rewrites the row in place: a HOT update, with no new entries in its two indexes
    /// (pgbench of the save's `UPDATE` alone, without waiting for the disk: 20–21k → 23–29k tps).
    static func expireDate(age: Int, now: Date = Date()) -> Date {
        Date(timeIntervalSince1970: (now.timeIntervalSince1970 + TimeInterval(age)).rounded(.up))
    }

    /// The session cookie and its version cookie.
    static func cookieNames(_ settings: Settings) -> [String] {
        [settings.sessionCookieName, settings.sessionCookieName + versionCookieSuffix]
    }

    /// Both cookies carry the same attributes, deletions included (a client may refuse
    /// to let a cookie without HttpOnly replace one with it).
    static func sessionCookie(_ name: String, value: String, maxAge: Int?, _ settings: Settings) -> SetCookie {
        SetCookie(name: name, value: value, maxAge: maxAge, domain: settings.sessionCookieDomain,
                  secure: settings.sessionCookieSecure, httpOnly: true, sameSite: "Lax")
    }

    static func appendVary(_ response: inout Response, _ header: String) {
        if let index = response.headers.firstIndex(where: { Response.sameName($0.name, "Vary") }) {
            if !response.headers[index].value.lowercased().contains(header.lowercased()) {
                response.headers[index].value += ", " + header
            }
        } else {
            response.headers.append(("Vary", header))
        }
    }
}
