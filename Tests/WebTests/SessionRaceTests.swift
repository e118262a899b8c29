import Foundation
import Postgres
import TestSupport
@testable import Web
import XCTest

/// The engines with versions (`db`, `cached_db`): a write never overwrites a
/// newer save unseen, a safe request that raced another runs again on the fresh
/// session, and an unsafe one holds the session's lock from load to save.
/// Two "workers" are two Applications with their own connections and stores.
class SessionRaceTestCase: DatabaseTestCase {
    class var engine: SessionEngineName { .database }

    var settings: Settings!
    var workerA: Application!
    var workerB: Application!
    var browser: InProcessBrowser!

    override func setUpWithError() throws {
        try super.setUpWithError()
        if Self.self == SessionRaceTestCase.self { throw XCTSkip("the suite runs in each engine's subclass") }
        settings = try TestSite.settings(engine: Self.engine)
        workerA = try TestSite.application(settings: settings)
        workerB = try TestSite.application(settings: settings)
        browser = InProcessBrowser(workerA)
        TestSite.meanwhile = nil
        TestSite.raceRuns = 0
    }

    override func tearDownWithError() throws {
        TestSite.meanwhile = nil
        workerA?.services.database.close()
        workerB?.services.database.close()
        try super.tearDownWithError()
    }

    func read(_ name: String, _ who: InProcessBrowser? = nil, on worker: Application? = nil) -> String {
        (who ?? browser).get("/session/get/\(name)/", on: worker ?? workerA).bodyText
    }

    /// POSTs to `path` with the masked token the test site's page shows.
    func post(_ path: String) -> Response {
        let page = browser.get("/page/", on: workerA).bodyText
        let token = page.firstMatch(of: /<p id="token">([A-Za-z0-9]+)<\/p>/).map { String($0.output.1) } ?? ""
        return browser.post(path, form: [(CSRF.formField, token)], on: workerA)
    }

    func set(_ name: String, _ value: String, _ who: InProcessBrowser? = nil, on worker: Application? = nil) {
        let response = (who ?? browser).get("/session/set/\(name)/\(value)/", on: worker ?? workerA)
        XCTAssertEqual(response.status, 200, response.bodyText)
    }

    func testASaveOverANewerVersionIsRefusedAndWritesNothing() throws {
        let store = workerA.services.sessionStore
        let first = try store.save(key: nil, data: ["a": "1"], expireDate: Date().addingTimeInterval(600))
        XCTAssertEqual(first.version, 1)
        let second = try store.save(key: first.key, data: ["a": "2"], expireDate: Date().addingTimeInterval(600), expectedVersion: 1)
        XCTAssertEqual(second.version, 2)

        // A request that loaded version 1 may not write over version 2, nor delete it.
        XCTAssertThrowsError(try store.save(key: first.key, data: ["a": "stale"], expireDate: Date().addingTimeInterval(600), expectedVersion: 1)) {
            XCTAssertTrue($0 is SessionConflict, "\($0)")
        }
        XCTAssertThrowsError(try store.delete(key: first.key, expectedVersion: 1)) { XCTAssertTrue($0 is SessionConflict, "\($0)") }
        let row = try XCTUnwrap(try checkConnection().queryOne(
            "SELECT session_data, version FROM django_session WHERE session_key = $1", [first.key]))
        XCTAssertEqual(SessionDataSigning(secretKey: settings.secretKey).decode(try row.get("session_data", as: String.self)), ["a": "2"])
        XCTAssertEqual(try row.get("version", as: Int64.self), 2)

        // Over the version it loaded, it may; a session already gone is no conflict.
        try store.delete(key: first.key, expectedVersion: 2)
        XCTAssertNoThrow(try store.delete(key: first.key, expectedVersion: 2))
        XCTAssertNil(try store.load(key: first.key, version: nil))
        // Nor is a vanished session written back by a late save.
        XCTAssertThrowsError(try store.save(key: first.key, data: ["a": "late"], expireDate: Date().addingTimeInterval(600), expectedVersion: 2))
        XCTAssertEqual(try checkConnection().scalar("SELECT count(*)::int FROM django_session WHERE session_key = $1", [first.key], as: Int.self), 0)
    }

    /// Two tabs: while A's GET runs, B saves the same session. A's write is
    /// refused, so A runs again on B's session and both changes survive.
    func testASafeRequestThatRacedAnotherRunsAgainOnTheFreshSession() throws {
        set("a", "1")
        let otherTab = browser.copy()
        TestSite.meanwhile = { _ in self.set("a", "9", otherTab, on: self.workerB) }
        let response = browser.get("/session/race/get/b/2/", on: workerA)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(TestSite.raceRuns, 2, "the view ran again after its write was refused")
        XCTAssertEqual(read("a"), "9", "the other tab's save is not overwritten")
        XCTAssertEqual(read("b"), "2", "and this request's change is kept")
        XCTAssertEqual(read("a", on: workerB), "9")
        XCTAssertEqual(read("b", on: workerB), "2")
    }

    /// An unsafe request holds the session's lock from its load to its save, so
    /// another request that changes the session waits for it instead of racing.
    func testAnUnsafeRequestHoldsTheSessionLockUntilItsSave() throws {
        set("a", "1")
        let key = try XCTUnwrap(browser.sessionCookie)
        let other = checkConnection()
        func lockIsFree() throws -> Bool {
            let free = try other.scalar("SELECT pg_try_advisory_lock(1936028531, hashtext($1))", [key], as: Bool.self) ?? false
            if free { try other.query("SELECT pg_advisory_unlock(1936028531, hashtext($1))", [key]) }
            return free
        }
        var heldDuringTheView: Bool?
        TestSite.meanwhile = { _ in heldDuringTheView = try !lockIsFree() }
        let response = post("/session/race/post/b/2/")
        XCTAssertEqual(response.status, 200, response.bodyText)
        XCTAssertEqual(heldDuringTheView, true, "the lock was held while the view ran")
        XCTAssertTrue(try lockIsFree(), "and released before the response")
        XCTAssertEqual(read("b"), "2")

        // Also released when the view fails, or the request is refused.
        TestSite.meanwhile = { _ in throw HTTPError.badRequest("no") }
        XCTAssertEqual(post("/session/race/post/b/3/").status, 400)
        XCTAssertTrue(try lockIsFree())
        XCTAssertEqual(browser.post("/session/race/post/b/4/", form: [("csrfmiddlewaretoken", "forged")]).status, 403)
        XCTAssertTrue(try lockIsFree())
        XCTAssertEqual(read("b"), "2")
    }

    /// A write that bypassed the lock (a manual edit, a connection lost
    /// mid-request) is never overwritten: the unsafe request answers 409.
    func testAnUnsafeRequestThatFindsItsSessionChangedWritesNothing() throws {
        set("a", "1")
        let key = try XCTUnwrap(browser.sessionCookie)
        let editor = checkConnection()
        TestSite.meanwhile = { _ in
            try editor.execute("UPDATE django_session SET session_data = $2, version = version + 1 WHERE session_key = $1",
                               [key, SessionDataSigning(secretKey: self.settings.secretKey).encode(["a": "edited"])])
        }
        XCTAssertEqual(post("/session/race/post/b/2/").status, 409)
        XCTAssertEqual(TestSite.raceRuns, 1, "an unsafe view never runs twice")
        XCTAssertEqual(read("a"), "edited")
        XCTAssertEqual(read("b"), "<none>")
    }

    /// A read-only request takes no lock and writes nothing.
    func testAReadOnlyRequestRunsNoLockStatement() throws {
        set("a", "1")
        XCTAssertEqual(read("a"), "1")
        let statements = workerA.services.database.log.entries.map(\.sql)
        XCTAssertFalse(statements.contains { $0.contains("advisory") }, "\(statements)")
    }
}

final class SessionDatabaseRaceTests: SessionRaceTestCase {
    override class var engine: SessionEngineName { .database }

    /// Every save and deletion is announced when it commits, whichever engine
    /// wrote it, so the `cached_db` workers sharing the table drop their copies;
    /// a save only while a pool of such workers is registered.
    func testEverySaveAndDeletionIsAnnounced() throws {
        let listener = checkConnection()
        try listener.listen("shop_session_changed")
        try listener.execute("DELETE FROM session_cache_pool")
        set("a", "1")  // a new key: nobody can have cached it, no announcement
        let key = try XCTUnwrap(browser.sessionCookie)
        set("a", "x")
        try listener.catchUpNotifications(since: listener.idleReplyCount)
        XCTAssertEqual(listener.pendingNotifications().map(\.payload), [], "no pool caches sessions: a save announces nothing")
        // A cached_db worker starts: its pool is registered before it caches anything.
        let cachingWorker = CachedDatabaseSessionStore(database: checkConnection(), secretKey: settings.secretKey, capacity: 10)
        XCTAssertEqual(try cachingWorker.load(key: key, version: nil)?.data["a"], .string("x"))
        set("a", "2")
        browser.get("/session/flush/", on: workerA)
        var payloads: [String] = []
        try waitUntil(timeout: 5) {
            try listener.catchUpNotifications(since: listener.idleReplyCount)
            payloads += listener.pendingNotifications().map(\.payload)
            return payloads.count >= 2
        }
        XCTAssertEqual(payloads.count, 2, "\(payloads)")
        // A save carries its expiry and data, which the workers' caches take as they are.
        let save = payloads.first?.split(separator: " ", maxSplits: 3).map(String.init) ?? []
        XCTAssertEqual(save.count, 4, "\(payloads)")
        XCTAssertEqual(Array(save.prefix(2)), ["3", key])
        XCTAssertEqual(SessionDataSigning(secretKey: settings.secretKey).decode(save.last ?? "")?["a"], .string("2"))
        XCTAssertEqual(payloads.last, "0 \(key)")
    }
}

final class SessionCachedDatabaseRaceTests: SessionRaceTestCase {
    override class var engine: SessionEngineName { .cachedDatabase }

    /// A client that sends an old `sessionid_version` (a replayed cookie, a
    /// stale tab) to a worker that still caches that version gets the newest
    /// session all the same, at once (no waiting for the NOTIFY), and its
    /// write never puts the old session back.
    func testAStaleVersionCookieNeverBringsBackAnOlderSession() throws {
        set("a", "1")
        XCTAssertEqual(read("a", on: workerA), "1")  // both workers cache version 1
        XCTAssertEqual(read("a", on: workerB), "1")
        let old = browser.cookies
        XCTAssertEqual(old["sessionid_version"], "1")
        set("a", "2", on: workerB)

        let replay = InProcessBrowser(workerA)
        replay.cookies = old
        for worker in [workerA!, workerB!, workerA!] {
            XCTAssertEqual(read("a", replay, on: worker), "2", "the old version cookie does not bring version 1 back")
        }
        // A write with the old cookie lands on the newest session.
        set("c", "3", replay, on: workerA)
        for worker in [workerA!, workerB!] {
            XCTAssertEqual(read("a", on: worker), "2")
            XCTAssertEqual(read("c", on: worker), "3")
        }
    }

    /// Another worker's save brings this worker's copy up to date through its notification:
    /// the next read here is served from the cache, no row read.
    func testASaveElsewhereUpdatesTheCachedCopyWithoutARead() throws {
        set("a", "1")
        XCTAssertEqual(read("a", on: workerB), "1")  // worker B holds version 1
        set("a", "2", on: workerA)
        XCTAssertEqual(read("a", on: workerB), "2")
        XCTAssertFalse(workerB.services.database.log.entries.contains { $0.sql.contains("session_data") },
                       "\(workerB.services.database.log.entries.map(\.sql))")
        // A session data too long to announce is dropped and read again instead.
        let incompressible = String((0..<12_000).map { _ in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".randomElement()! })
        set("long", incompressible, on: workerA)
        XCTAssertEqual(read("a", on: workerB), "2")
        XCTAssertTrue(workerB.services.database.log.entries.contains { $0.sql.contains("session_data") })
    }

    /// The server decides what the cache may serve: a warm read costs no SQL,
    /// whatever version cookie comes with it (or none).
    func testAWarmReadRunsNoSQLWhateverTheVersionCookie() throws {
        set("a", "1")
        set("a", "2")
        XCTAssertEqual(browser.cookies["sessionid_version"], "2")
        for version in ["2", "1", nil] {
            browser.cookies["sessionid_version"] = version
            XCTAssertEqual(read("a"), "2")
            XCTAssertEqual(workerA.statementCount, 0, "version cookie \(version ?? "none"): \(workerA.services.database.log.entries.map(\.sql))")
        }
        // One newer than the cached copy is a hint worth a query.
        browser.cookies["sessionid_version"] = "7"
        XCTAssertEqual(read("a"), "2")
        XCTAssertEqual(workerA.statementCount, 1)
    }
}
