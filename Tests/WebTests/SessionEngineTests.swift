import Foundation
import Postgres
import TestSupport
@testable import Web
import XCTest

/// The behaviour every session engine must have, through the whole request
/// pipeline (views, session middleware, cookies), with a browser that carries
/// cookies from one response to the next request. Each engine runs it in one of
/// the small subclasses below, which say how to reach into their storage.
class SessionEngineTestCase: DatabaseTestCase {
    /// The engine under test; the subclasses override it.
    class var engine: SessionEngineName { .database }
    /// Whether a key the server deleted (flush, cycleKey) can no longer be used.
    /// Not so for signed cookies: nothing is kept on the server (as in Django).
    var revokesOldKeys: Bool { true }

    var settings: Settings!
    var app: Application!
    var browser: InProcessBrowser!

    override func setUpWithError() throws {
        try super.setUpWithError()
        if Self.self == SessionEngineTestCase.self { throw XCTSkip("the suite runs in each engine's subclass") }
        settings = try TestSite.settings(engine: Self.engine)
        if Self.engine == .file {
            settings.sessionFilePath = NSTemporaryDirectory() + "shop-web-tests-sessions-\(getpid())-\(UUID().uuidString)"
        }
        app = try TestSite.application(settings: settings)
        browser = InProcessBrowser()
    }

    override func tearDownWithError() throws {
        app?.services.database.close()
        if Self.engine == .file, let path = settings?.sessionFilePath {
            try? FileManager.default.removeItem(atPath: path)
        }
        try super.tearDownWithError()
    }

    /// A new worker with the current settings (its own connection and store).
    func newWorker() throws -> Application { try TestSite.application(settings: settings) }

    var store: SessionStore { app.services.sessionStore }

    // MARK: Hooks into each engine's storage

    /// When the stored session named by `cookie` expires; nil when it is not stored.
    func storedExpiry(cookie: String) throws -> Date? {
        try store.load(key: cookie, version: nil)?.expireDate
    }

    /// Makes the stored session expire at `date`; returns the cookie value that now names it.
    func setStoredExpiry(cookie: String, to date: Date) throws -> String {
        XCTFail("setStoredExpiry not implemented for \(Self.engine)")
        return cookie
    }

    /// Whether the cookie value has the engine's form.
    func assertWellFormedCookie(_ value: String?, file: StaticString = #filePath, line: UInt = #line) {
        guard let value else { return XCTFail("no session cookie", file: file, line: line) }
        XCTAssertTrue(SessionKey.isValid(value), "session key \(value) is not 32 [a-z0-9]", file: file, line: line)
    }

    func read(_ name: String, with application: Application? = nil) -> String {
        browser.get("/session/get/\(name)/", on: application ?? app).bodyText
    }

    func set(_ name: String, _ value: String, with application: Application? = nil) {
        let response = browser.get("/session/set/\(name)/\(value)/", on: application ?? app)
        XCTAssertEqual(response.status, 200, response.bodyText)
    }

    // MARK: The suite

    func testSetThenReadBackOnTheNextRequest() throws {
        XCTAssertNil(browser.sessionCookie)
        let response = browser.get("/session/set/color/blue/", on: app)
        XCTAssertEqual(response.status, 200)
        XCTAssertNotNil(response.setCookie(named: "sessionid"), "the first stored value creates the session")
        assertWellFormedCookie(browser.sessionCookie)
        XCTAssertEqual(read("color"), "blue")
        set("size", "large")
        XCTAssertEqual(read("color"), "blue")
        XCTAssertEqual(read("size"), "large")
        XCTAssertEqual(read("missing"), "<none>")
    }

    func testValuesOfEveryJSONKindRoundTrip() throws {
        browser.get("/session/setjson/", on: app)
        let text = browser.get("/session/getjson/", on: app).bodyText
        XCTAssertEqual(SessionCoding.decode(text)?["rich"], TestSite.richValue)
    }

    func testOverwriteKeepsTheKey() throws {
        set("n", "1")
        let first = browser.sessionCookie
        set("n", "2")
        XCTAssertEqual(read("n"), "2")
        if revokesOldKeys { XCTAssertEqual(browser.sessionCookie, first, "a save keeps the session key") }
    }

    func testDeleteAKey() throws {
        set("a", "1")
        set("b", "2")
        let response = browser.get("/session/delete/a/", on: app)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(read("a"), "<none>")
        XCTAssertEqual(read("b"), "2")
        // Deleting the last key empties the session: the cookie goes.
        browser.get("/session/delete/b/", on: app)
        XCTAssertNil(browser.sessionCookie)
        XCTAssertEqual(read("b"), "<none>")
    }

    func testFlushDeletesTheCookieAndTheOldKey() throws {
        set("user", "alice")
        let old = try XCTUnwrap(browser.sessionCookie)
        let response = browser.get("/session/flush/", on: app)
        let deletion = try XCTUnwrap(response.setCookie(named: "sessionid"), "flush deletes the cookie")
        XCTAssertEqual(deletion.value, "")
        XCTAssertEqual(deletion.attributes["max-age"], "0")
        XCTAssertNil(browser.sessionCookie)
        XCTAssertEqual(read("user"), "<none>")

        if revokesOldKeys {
            XCTAssertNil(try store.load(key: old, version: nil), "the flushed session is gone from the store")
            // Replaying the old cookie (a thief's copy) gets nothing, and no session is adopted.
            browser.sessionCookie = old
            XCTAssertEqual(read("user"), "<none>")
            set("user", "mallory")
            XCTAssertNotEqual(browser.sessionCookie, old, "a flushed key is never adopted again")
            assertWellFormedCookie(browser.sessionCookie)
        }
    }

    func testCycleKeyKeepsTheDataUnderANewKey() throws {
        set("cart", "3")
        let old = try XCTUnwrap(browser.sessionCookie)
        let response = browser.get("/session/cycle/", on: app)
        XCTAssertEqual(response.status, 200)
        let new = try XCTUnwrap(browser.sessionCookie)
        // A signed cookie has no server-side key to fixate: re-signed in the same second it is the same text.
        if revokesOldKeys { XCTAssertNotEqual(new, old) }
        assertWellFormedCookie(new)
        XCTAssertEqual(read("cart"), "3")

        if revokesOldKeys {
            XCTAssertNil(try store.load(key: old, version: nil), "the old key no longer loads")
            browser.sessionCookie = old
            XCTAssertEqual(read("cart"), "<none>")
        }
    }

    func testAnExpiredSessionIsNotLoaded() throws {
        set("cart", "5")
        let old = try XCTUnwrap(browser.sessionCookie)
        browser.sessionCookie = try setStoredExpiry(cookie: old, to: Date().addingTimeInterval(-5))
        let expired = try XCTUnwrap(browser.sessionCookie)
        XCTAssertNil(try store.load(key: expired, version: nil))
        let response = browser.get("/session/get/cart/", on: app)
        XCTAssertEqual(response.bodyText, "<none>")
        XCTAssertEqual(response.status, 200)
        set("cart", "1")
        XCTAssertNotEqual(browser.sessionCookie, expired, "an expired key is never adopted")
        XCTAssertNotEqual(browser.sessionCookie, old)
        XCTAssertEqual(read("cart"), "1")
    }

    func testAForgedKeyYieldsANewEmptySession() throws {
        set("secret", "mine")
        let forged = SessionKey.generate() // well-formed, unknown to the server
        let visitor = InProcessBrowser()
        visitor.sessionCookie = forged
        XCTAssertEqual(visitor.get("/session/get/secret/", on: app).bodyText, "<none>")
        visitor.get("/session/set/secret/theirs/", on: app)
        let assigned = try XCTUnwrap(visitor.sessionCookie)
        XCTAssertNotEqual(assigned, forged, "a forged key is never adopted")
        assertWellFormedCookie(assigned)
        XCTAssertNil(try store.load(key: forged, version: nil))
        XCTAssertEqual(read("secret"), "mine", "the first visitor's session is untouched")
    }

    func testMalformedKeysYieldANewEmptySession() throws {
        let malformed = [
            "../../etc/passwd",
            String(repeating: "a", count: 31),
            String(repeating: "a", count: 33),
            SessionKey.generate().uppercased(),
            String(repeating: "x", count: 4096),
            "abcdefghijklmnopqrstuvwxyz01234%",
            "",
        ]
        for value in malformed {
            let visitor = InProcessBrowser()
            visitor.sessionCookie = value
            let response = visitor.get("/session/get/a/", on: app)
            XCTAssertEqual(response.status, 200, "cookie \(value.prefix(40))")
            XCTAssertEqual(response.bodyText, "<none>")
            XCTAssertEqual(visitor.get("/session/set/a/b/", on: app).status, 200)
            let assigned = try XCTUnwrap(visitor.sessionCookie)
            XCTAssertNotEqual(assigned, value)
            assertWellFormedCookie(assigned)
            XCTAssertEqual(visitor.get("/session/get/a/", on: app).bodyText, "b")
        }
    }

    func testAVisitorWhoOnlyBrowsesGetsNoSessionCookie() throws {
        let before = try sessionRowCount()
        for path in ["/noop/", "/session/get/a/", "/page/"] {
            let response = browser.get(path, on: app)
            XCTAssertEqual(response.status, 200, path)
            XCTAssertNil(response.setCookie(named: "sessionid"), "\(path) set a session cookie")
            XCTAssertNil(response.setCookie(named: "sessionid_version"))
        }
        XCTAssertNil(browser.sessionCookie)
        XCTAssertEqual(try sessionRowCount(), before, "browsing writes no session")
    }

    func testAnUnmodifiedSessionIsNotSavedAgain() throws {
        set("a", "1")
        let response = browser.get("/session/get/a/", on: app)
        XCTAssertEqual(response.bodyText, "1")
        XCTAssertNil(response.setCookie(named: "sessionid"), "reading does not save")
        XCTAssertEqual(response.header("Vary"), "Cookie")
    }

    func testSaveEveryRequestSavesAnUnmodifiedSession() throws {
        settings.sessionSaveEveryRequest = true
        app = try newWorker()
        set("a", "1")
        let cookie = try XCTUnwrap(browser.sessionCookie)
        browser.sessionCookie = try setStoredExpiry(cookie: cookie, to: Date().addingTimeInterval(100))
        let before = try XCTUnwrap(try storedExpiry(cookie: try XCTUnwrap(browser.sessionCookie)))
        XCTAssertLessThan(before.timeIntervalSinceNow, 200)

        let response = browser.get("/noop/", on: app)
        let saved = try XCTUnwrap(response.setCookie(named: "sessionid"), "the session is saved although unmodified")
        XCTAssertEqual(saved.attributes["max-age"], String(settings.sessionCookieAge))
        let after = try XCTUnwrap(try storedExpiry(cookie: try XCTUnwrap(browser.sessionCookie)))
        XCTAssertGreaterThan(after.timeIntervalSinceNow, Double(settings.sessionCookieAge) - 60, "the expiry moved forward")
        XCTAssertEqual(read("a"), "1")

        // A visitor without a session still gets none.
        let stranger = InProcessBrowser()
        XCTAssertNil(stranger.get("/noop/", on: app).setCookie(named: "sessionid"))
    }

    func testTwoBrowsersKeepSeparateSessions() throws {
        let other = InProcessBrowser()
        set("who", "first")
        other.get("/session/set/who/second/", on: app)
        XCTAssertNotEqual(browser.sessionCookie, other.sessionCookie)
        XCTAssertEqual(read("who"), "first")
        XCTAssertEqual(other.get("/session/get/who/", on: app).bodyText, "second")
    }

    func testASecondWorkerSeesEverySave() throws {
        let second = try newWorker()
        defer { second.services.database.close() }
        for step in 1...6 {
            let worker = step % 2 == 0 ? second : app!
            let previous = read("n", with: worker)
            XCTAssertEqual(previous, step == 1 ? "<none>" : String(step - 1), "step \(step)")
            set("n", String(step), with: worker)
        }
    }
}

// MARK: - The engines

final class SessionDatabaseEngineTests: SessionEngineTestCase {
    override class var engine: SessionEngineName { .database }

    override func setStoredExpiry(cookie: String, to date: Date) throws -> String {
        let updated = try checkConnection().execute("UPDATE django_session SET expire_date = $1 WHERE session_key = $2", [date, cookie])
        XCTAssertEqual(updated, 1)
        return cookie
    }

    override func storedExpiry(cookie: String) throws -> Date? {
        try checkConnection().scalar("SELECT expire_date FROM django_session WHERE session_key = $1", [cookie], as: Date.self)
    }

    func testTheSessionIsARowOfDjangoSession() throws {
        set("a", "1")
        let key = try XCTUnwrap(browser.sessionCookie)
        let data = try checkConnection().scalar("SELECT session_data FROM django_session WHERE session_key = $1", [key], as: String.self)
        XCTAssertEqual(data.flatMap(SessionDataSigning(secretKey: settings.secretKey).decode), ["a": "1"], "signed as Django signs it")
        XCTAssertNil(data.flatMap(SessionCoding.decode), "not plain JSON")
    }

    func testTheRowExpiresWithTheCookieRoundedUpToTheSecond() throws {
        let before = Date()
        set("a", "1")
        let after = Date()
        let stored = try XCTUnwrap(try storedExpiry(cookie: try XCTUnwrap(browser.sessionCookie)))
        let age = TimeInterval(settings.sessionCookieAge)
        XCTAssertEqual(stored.timeIntervalSince1970, stored.timeIntervalSince1970.rounded(), "whole seconds: \(stored)")
        XCTAssertGreaterThanOrEqual(stored, before + age, "never before the cookie")
        XCTAssertLessThanOrEqual(stored, after + age + 1)
    }

    /// Saves within one second keep `expire_date`, so PostgreSQL rewrites the row in
    /// place (HOT) instead of adding entries to both its indexes on every save.
    func testSavesWithinASecondAreHOTUpdates() throws {
        set("a", "0")
        // Start at the top of a second: the saves below take milliseconds.
        Thread.sleep(forTimeInterval: 1 - Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 1) + 0.01)
        let before = try hotUpdates()
        for value in 1...5 { set("a", String(value)) }
        let hot = try hotUpdates() - before
        XCTAssertGreaterThanOrEqual(hot, 4, "of 5 saves within a second, \(hot) were HOT updates")
        XCTAssertEqual(read("a"), "5")
    }

    /// HOT updates of `django_session` so far, the app's connection's own included.
    private func hotUpdates() throws -> Int64 {
        // Statistics reach the shared counters when a backend goes idle, at most once a second.
        try app.services.database.query("SELECT pg_stat_force_next_flush()")
        return try XCTUnwrap(try checkConnection().scalar(
            "SELECT n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'django_session'", as: Int64.self))
    }
}

final class SessionCachedDatabaseEngineTests: SessionEngineTestCase {
    override class var engine: SessionEngineName { .cachedDatabase }

    /// Changes the row behind the workers' caches, then starts a new worker:
    /// an edit that bypasses the store is not something a warm cache sees.
    override func setStoredExpiry(cookie: String, to date: Date) throws -> String {
        let updated = try checkConnection().execute("UPDATE django_session SET expire_date = $1 WHERE session_key = $2", [date, cookie])
        XCTAssertEqual(updated, 1)
        app.services.database.close()
        app = try newWorker()
        return cookie
    }

    override func storedExpiry(cookie: String) throws -> Date? {
        try checkConnection().scalar("SELECT expire_date FROM django_session WHERE session_key = $1", [cookie], as: Date.self)
    }

    func testAReadServedFromTheCacheRunsNoSQL() throws {
        set("a", "1")
        XCTAssertNotNil(browser.cookies["sessionid_version"], "the version cookie comes with the session cookie")
        XCTAssertGreaterThan(app.statementCount, 0, "the save ran SQL")
        for _ in 0..<3 {
            XCTAssertEqual(read("a"), "1")
            XCTAssertEqual(app.statementCount, 0, "a warm read costs no SQL: \(app.services.database.log.entries.map(\.sql))")
        }
        // The cookie does not vouch for the entry, the server's notifications do: none needed.
        browser.cookies.removeValue(forKey: "sessionid_version")
        XCTAssertEqual(read("a"), "1")
        XCTAssertEqual(app.statementCount, 0)
    }

    func testASaveByAnotherWorkerIsNeverServedStale() throws {
        let workerB = try newWorker()
        defer { workerB.services.database.close() }
        set("a", "1")
        XCTAssertEqual(read("a"), "1") // cached in worker A
        let versionBefore = browser.cookies["sessionid_version"]
        set("a", "2", with: workerB)
        XCTAssertNotEqual(browser.cookies["sessionid_version"], versionBefore, "every save bumps the version")
        XCTAssertEqual(read("a"), "2", "worker A must not serve its stale copy")
        XCTAssertEqual(read("a", with: workerB), "2")
        set("a", "3")
        XCTAssertEqual(read("a", with: workerB), "3")
    }

    func testADeletionByAnotherWorkerReachesTheCache() throws {
        let workerB = try newWorker()
        defer { workerB.services.database.close() }
        set("user", "alice")
        XCTAssertEqual(read("user"), "alice") // cached in worker A
        let stolen = browser.cookies // a copy of the cookies, version included

        browser.get("/session/flush/", on: workerB)
        XCTAssertNil(browser.sessionCookie)
        // The NOTIFY travels asynchronously; give it a moment.
        Thread.sleep(forTimeInterval: 0.2)

        let thief = InProcessBrowser()
        thief.cookies = stolen
        XCTAssertEqual(thief.get("/session/get/user/", on: app).bodyText, "<none>", "worker A dropped its cached copy")
        XCTAssertNil(try store.load(key: try XCTUnwrap(stolen["sessionid"]), version: nil))
    }

    func testTheCacheHonoursTheExpiryItself() throws {
        settings.sessionCookieAge = 1
        app = try newWorker()
        set("a", "1")
        XCTAssertEqual(read("a"), "1")
        // Stored expiries are whole seconds, rounded up: this one is 1–2 s away.
        let expiry = try XCTUnwrap(try storedExpiry(cookie: try XCTUnwrap(browser.sessionCookie)))
        Thread.sleep(until: expiry + 0.2)
        XCTAssertEqual(read("a"), "<none>")
    }
}

final class SessionFileEngineTests: SessionEngineTestCase {
    override class var engine: SessionEngineName { .file }

    var directory: String { settings.sessionFilePath }

    func filePath(_ key: String) -> String { directory + "/sessionid" + key }

    override func setStoredExpiry(cookie: String, to date: Date) throws -> String {
        let path = filePath(cookie)
        // Read and rewritten with Foundation's parser: the file is plain JSON.
        var stored = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        stored["expire_date"] = date.timeIntervalSince1970
        try JSONSerialization.data(withJSONObject: stored).write(to: URL(fileURLWithPath: path))
        return cookie
    }

    override func storedExpiry(cookie: String) throws -> Date? {
        guard let data = FileManager.default.contents(atPath: filePath(cookie)) else { return nil }
        let stored = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        return Date(timeIntervalSince1970: try XCTUnwrap((stored["expire_date"] as? NSNumber)?.doubleValue))
    }

    func sessionFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    func testOneFilePerSessionWithPrivatePermissions() throws {
        set("a", "1")
        let key = try XCTUnwrap(browser.sessionCookie)
        XCTAssertEqual(try sessionFiles(), ["sessionid" + key], "no temporary files are left behind")
        let attributes = try FileManager.default.attributesOfItem(atPath: filePath(key))
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let directoryAttributes = try FileManager.default.attributesOfItem(atPath: directory)
        XCTAssertEqual((directoryAttributes[.posixPermissions] as? NSNumber)?.intValue, 0o700)
        set("b", "2")
        XCTAssertEqual(try sessionFiles(), ["sessionid" + key])
    }

    func testAnExpiredFileIsDeletedWhenRead() throws {
        set("a", "1")
        let key = try XCTUnwrap(browser.sessionCookie)
        _ = try setStoredExpiry(cookie: key, to: Date().addingTimeInterval(-1))
        XCTAssertEqual(read("a"), "<none>")
        XCTAssertFalse(FileManager.default.fileExists(atPath: filePath(key)))
    }

    func testACorruptFileIsNoSession() throws {
        set("a", "1")
        let key = try XCTUnwrap(browser.sessionCookie)
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: filePath(key)))
        XCTAssertEqual(read("a"), "<none>")
        set("a", "2")
        XCTAssertNotEqual(browser.sessionCookie, key)
    }

    func testMalformedKeysNeverReachTheFileSystem() throws {
        let store = try FileSessionStore(directory: directory)
        // A file an attacker would like to read or clobber, named as a traversal would reach it.
        try Data("{\"data\":{\"x\":\"1\"},\"expire_date\":9999999999}".utf8).write(to: URL(fileURLWithPath: directory + "/sessionid.."))
        for key in ["..", "../../etc/passwd", "/etc/passwd", String(repeating: "A", count: 32)] {
            XCTAssertNil(try store.load(key: key, version: nil))
            XCTAssertThrowsError(try store.save(key: key, data: ["x": "2"], expireDate: Date().addingTimeInterval(60)))
            try store.delete(key: key)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/sessionid.."))
        XCTAssertEqual(try sessionFiles(), ["sessionid.."])
    }

    func testTheDirectoryIsCreated() throws {
        let nested = directory + "/nested/deeper"
        _ = try FileSessionStore(directory: nested)
        var isDirectory: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: nested, isDirectory: &isDirectory) && isDirectory.boolValue)
        XCTAssertThrowsError(try FileSessionStore(directory: "/proc/version/x")) { error in
            XCTAssertEqual((error as? SettingsError)?.setting, "SESSION_FILE_PATH")
        }
    }
}

final class SessionCacheEngineTests: SessionEngineTestCase {
    override class var engine: SessionEngineName { .cache }

    var redis: RedisClient { (store as! CacheSessionStore).client }

    override func setStoredExpiry(cookie: String, to date: Date) throws -> String {
        let milliseconds = max(1, Int((date.timeIntervalSinceNow * 1000).rounded()))
        XCTAssertEqual(try redis.command(["PEXPIRE", "shop:session:" + cookie, String(milliseconds)]), .integer(1))
        if milliseconds <= 1 { Thread.sleep(forTimeInterval: 0.02) }
        return cookie
    }

    override func storedExpiry(cookie: String) throws -> Date? {
        let ttl = try redis.command(["PTTL", "shop:session:" + cookie]).integer ?? -2
        return ttl >= 0 ? Date().addingTimeInterval(Double(ttl) / 1000) : nil
    }

    func testTheSessionIsARedisKeyWithTheExpiryAsTTL() throws {
        set("a", "1")
        let key = try XCTUnwrap(browser.sessionCookie)
        XCTAssertEqual(try redis.command(["GET", "shop:session:" + key]).text, #"{"a":"1"}"#)
        let ttl = try XCTUnwrap(try redis.command(["TTL", "shop:session:" + key]).integer)
        XCTAssertLessThanOrEqual(ttl, Int64(settings.sessionCookieAge) + 1, "rounded up to the second")
        XCTAssertGreaterThan(ttl, Int64(settings.sessionCookieAge) - 60)
    }

    func testAShortTTLExpiresTheSession() throws {
        settings.sessionCookieAge = 1
        app = try newWorker()
        set("a", "1")
        XCTAssertEqual(read("a"), "1")
        // Expiries are whole seconds, rounded up: this one is 1–2 s away.
        let expiry = try XCTUnwrap(try storedExpiry(cookie: try XCTUnwrap(browser.sessionCookie)))
        Thread.sleep(until: expiry + 0.2)
        XCTAssertEqual(read("a"), "<none>")
    }

    func testAnUnreachableRedisIsA503NotACrash() throws {
        settings.cacheURL = "redis://127.0.0.1:1/0"
        app = try newWorker()
        let response = browser.get("/session/set/a/1/", on: app)
        XCTAssertEqual(response.status, 503)
        XCTAssertNil(browser.sessionCookie)
        XCTAssertEqual(browser.get("/noop/", on: app).status, 200, "pages without a session still work")
    }

    /// A session that cannot be loaded must not read as empty: the browser keeps its cookie.
    func testAnOutageNeverDeletesTheSessionCookie() throws {
        set("cart", "3")
        let cookie = try XCTUnwrap(browser.sessionCookie)
        let healthy = settings!
        settings.cacheURL = "redis://127.0.0.1:1/0"
        settings.sessionSaveEveryRequest = true
        let broken = try newWorker()
        defer { broken.services.database.close() }
        for path in ["/session/get/cart/", "/noop/", "/page/", "/session/set/cart/4/"] {
            let response = browser.get(path, on: broken)
            XCTAssertEqual(response.status, 503, path)
            XCTAssertNil(response.setCookie(named: "sessionid"), "\(path): \(response.headers)")
            XCTAssertEqual(browser.sessionCookie, cookie)
        }
        settings = healthy
        XCTAssertEqual(read("cart"), "3", "the session survived the outage")
    }

    func testTheClientReconnectsAfterTheServerDroppedIt() throws {
        set("a", "1")
        XCTAssertEqual(read("a"), "1")
        let id = try XCTUnwrap(try redis.command(["CLIENT", "ID"]).integer)
        let killer = try RedisClient(url: settings.cacheURL)
        XCTAssertEqual(try killer.command(["CLIENT", "KILL", "ID", String(id)]), .integer(1))
        XCTAssertEqual(read("a"), "1", "the dead connection is replaced")
    }
}

final class SessionSignedCookieEngineTests: SessionEngineTestCase {
    override class var engine: SessionEngineName { .signedCookies }
    override var revokesOldKeys: Bool { false }

    var signer: SignedCookieSessionStore { store as! SignedCookieSessionStore }

    override func assertWellFormedCookie(_ value: String?, file: StaticString = #filePath, line: UInt = #line) {
        guard let value else { return XCTFail("no session cookie", file: file, line: line) }
        XCTAssertEqual(value.split(separator: ":", omittingEmptySubsequences: false).count, 3, file: file, line: line)
        XCTAssertTrue(store.acceptsCookieValue(value), file: file, line: line)
    }

    /// Re-signs the cookie's data with the timestamp that makes it expire at `date`.
    override func setStoredExpiry(cookie: String, to date: Date) throws -> String {
        let record = try XCTUnwrap(try store.load(key: cookie, version: nil))
        let timestamp = Int(date.timeIntervalSince1970) - settings.sessionCookieAge
        return signer.sign(record.data, timestamp: timestamp)
    }

    func testTheCookieHoldsTheSignedData() throws {
        set("a", "1")
        let cookie = try XCTUnwrap(browser.sessionCookie)
        let payload = try XCTUnwrap(cookie.split(separator: ":").first)
        XCTAssertEqual(Crypto.base64URLDecode(String(payload)).map { String(decoding: $0, as: UTF8.self) }, #"{"a":"1"}"#)
        XCTAssertNil(browser.cookies["sessionid_version"], "no version cookie for signed cookies")
    }

    func testATamperedCookieYieldsAnEmptySession() throws {
        set("role", "customer")
        let genuine = try XCTUnwrap(browser.sessionCookie)
        let parts = genuine.split(separator: ":").map(String.init)
        let forgedPayload = Crypto.base64URLEncode(Array(#"{"role":"admin"}"#.utf8))
        var flipped = Array(parts[2].utf8)
        flipped[5] = flipped[5] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let otherKey = SignedCookieSessionStore(secretKey: "another-secret-key-0123456789-abcdefghijklmnop", maxAge: settings.sessionCookieAge)
        let tampered = [
            forgedPayload + ":" + parts[1] + ":" + parts[2],               // data changed
            parts[0] + ":" + SignedCookieSessionStore.base62Encode(Int(Date().timeIntervalSince1970) + 999) + ":" + parts[2], // timestamp changed
            parts[0] + ":" + parts[1] + ":" + String(decoding: flipped, as: UTF8.self), // signature changed
            parts[0] + ":" + parts[1] + ":" + String(parts[2].dropLast()), // truncated signature
            String(genuine.dropLast(10)),                                   // truncated
            parts[0] + ":" + parts[1],                                      // no signature
            parts[0] + ":" + parts[1] + ":",                                // empty signature
            ":" + parts[1] + ":" + parts[2],                                // no payload
            otherKey.sign(["role": "admin"], timestamp: Int(Date().timeIntervalSince1970)), // another SECRET_KEY
            "." + genuine,                                                  // Django's compressed marker
        ]
        for value in tampered {
            XCTAssertNil(try store.load(key: value, version: nil), value)
            let visitor = InProcessBrowser()
            visitor.sessionCookie = value
            let response = visitor.get("/session/get/role/", on: app)
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.bodyText, "<none>", value)
            visitor.get("/session/set/x/1/", on: app)
            XCTAssertNotEqual(visitor.sessionCookie, value)
            XCTAssertEqual(visitor.get("/session/get/role/", on: app).bodyText, "<none>")
        }
        XCTAssertEqual(read("role"), "customer", "the genuine cookie still works")
    }

    func testACookieOlderThanTheCookieAgeIsRefused() throws {
        let stale = signer.sign(["a": "1"], timestamp: Int(Date().timeIntervalSince1970) - settings.sessionCookieAge - 1)
        XCTAssertNil(try store.load(key: stale, version: nil))
        let fresh = signer.sign(["a": "1"], timestamp: Int(Date().timeIntervalSince1970) - settings.sessionCookieAge + 30)
        XCTAssertEqual(try store.load(key: fresh, version: nil)?.data, ["a": "1"])
    }

    func testOnlyTheSignedFormatIsAccepted() throws {
        XCTAssertFalse(store.acceptsCookieValue(SessionKey.generate()))
        XCTAssertFalse(store.acceptsCookieValue("a:b:c d"))
        XCTAssertFalse(store.acceptsCookieValue("a:b:c:d"))
        XCTAssertFalse(store.acceptsCookieValue(String(repeating: "a", count: 4095) + ":b:c"))
        XCTAssertTrue(store.acceptsCookieValue("eyJhIjoiMSJ9:1r31eq:abc-_"))
    }

    /// A cookie signed by Django (`signing.dumps(..., salt=...)`, computed with Python) loads here.
    func testACookieSignedByDjangoLoads() throws {
        let store = SignedCookieSessionStore(secretKey: "django-insecure-test-secret-key-0123456789abcdefghij", maxAge: Int(Int32.max))
        let cookie = "eyJjYXJ0Ijp7IjciOnsicHJpY2UiOiIxOS45OSIsInF1YW50aXR5IjoyfX0sIm5hbWUiOiJab1x1MDBlYiJ9:1r31eq:2NMvx24kxTgX1AY4cS1ti6h64xQz14EruhSbg6z6CpI"
        let record = try XCTUnwrap(try store.load(key: cookie, version: nil))
        XCTAssertEqual(record.data, ["cart": ["7": ["price": "19.99", "quantity": 2]], "name": "Zoë"])
        XCTAssertEqual(record.key, cookie)
        XCTAssertEqual(SignedCookieSessionStore.base62Encode(1_700_000_000), "1r31eq")
        XCTAssertEqual(SignedCookieSessionStore.base62Decode("1r31eq"), 1_700_000_000)
        // Re-signing Django's bytes gives Django's signature.
        let signed = store.sign(record.data, timestamp: 1_700_000_000)
        XCTAssertNotNil(try store.load(key: signed, version: nil))
    }
}
