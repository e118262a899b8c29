import Foundation
import Postgres
import TestSupport
@testable import Web
import XCTest

/// Start-up refuses bad settings with a message naming the setting; a request
/// for a host that is not allowed gets 400.
final class SessionSettingsTests: XCTestCase {
    private let goodKey = "a-production-secret-key-of-enough-length-0123456789"

    private func assertRefused(_ environment: [String: String], naming setting: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Settings.fromEnvironment(environment), file: file, line: line) { error in
            let settingsError = error as? SettingsError
            XCTAssertEqual(settingsError?.setting, setting, "\(error)", file: file, line: line)
            XCTAssertTrue(String(describing: error).contains(setting), "\(error)", file: file, line: line)
        }
    }

    func testSecretKeyIsRequiredWhenDebugIsOff() {
        assertRefused([:], naming: "SECRET_KEY")
        assertRefused(["DEBUG": "0"], naming: "SECRET_KEY")
        assertRefused(["SECRET_KEY": ""], naming: "SECRET_KEY")
    }

    /// DEBUG without a key once signed with a key written in the source, so anyone could
    /// forge a signed_cookies session. Now each start makes its own random key.
    func testDebugWithoutAKeyGetsARandomOneNotTheSourcesKey() throws {
        let first = try Settings.fromEnvironment(["DEBUG": "1"])
        let second = try Settings.fromEnvironment(["DEBUG": "1"])
        XCTAssertTrue(first.secretKeyIsGenerated)
        XCTAssertNotEqual(first.secretKey, second.secretKey, "a new key per start")
        XCTAssertNotEqual(first.secretKey, Settings().secretKey)
        XCTAssertNil(SecretKeyPolicy.weakness(of: first.secretKey, developmentKey: Settings.developmentSecretKey))
        XCTAssertFalse(try Settings.fromEnvironment(["DEBUG": "1", "SECRET_KEY": goodKey]).secretKeyIsGenerated)

        // A session forged with the source's key is no session for the DEBUG site.
        let forger = SignedCookieSessionStore(secretKey: Settings.developmentSecretKey, maxAge: 3600)
        let forged = forger.sign(["_order_ids": [1, 2, 3]], timestamp: Int(Date().timeIntervalSince1970))
        let site = SignedCookieSessionStore(secretKey: first.secretKey, maxAge: 3600)
        XCTAssertNil(try site.load(key: forged, version: nil))
    }

    /// Django's deploy check (security.W009), and the two keys this project ships.
    func testAWeakSecretKeyIsRefusedWhenDebugIsOff() throws {
        let example = try String(contentsOfFile: Paths.repositoryRoot + "/deploy/shop.env.example", encoding: .utf8)
        let line = try XCTUnwrap(example.split(separator: "\n").first { $0.hasPrefix("SECRET_KEY=") })
        let placeholder = String(line.dropFirst("SECRET_KEY=".count))
        for (key, reason) in [
            (placeholder, "placeholder"),
            (Settings.developmentSecretKey, "source"),
            ("short", "too short"),
            (String(goodKey.prefix(49)), "too short"),
            (String(repeating: "abcd", count: 20), "distinct"),
            ("django-insecure-" + goodKey, "django-insecure-"),
        ] {
            assertRefused(["SECRET_KEY": key], naming: "SECRET_KEY")
            XCTAssertThrowsError(try Settings.fromEnvironment(["SECRET_KEY": key])) { error in
                XCTAssertTrue("\(error)".contains(reason), "\(key): \(error)")
            }
            XCTAssertNoThrow(try Settings.fromEnvironment(["SECRET_KEY": key, "DEBUG": "1"]), "DEBUG takes any key")
        }
        XCTAssertEqual(goodKey.count, 51)
        XCTAssertEqual(try Settings.fromEnvironment(["SECRET_KEY": goodKey]).secretKey, goodKey)
        XCTAssertEqual(try Settings.fromEnvironment(["SECRET_KEY": String(goodKey.prefix(50))]).secretKey.count, 50)
    }

    /// deploy/scripts/run.sh generates make run's key; it must pass the checks above.
    func testTheKeyMakeRunGeneratesPasses() throws {
        let data = try Paths.temporaryDirectory("secret")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "source deploy/scripts/lib.sh && DATA=\(data) && for i in 1 2 3 4 5 6 7 8; do rm -f $DATA/secret_key; dev_secret_key; echo; done"]
        process.currentDirectoryURL = URL(fileURLWithPath: Paths.repositoryRoot)
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let keys = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(keys.count, 8, text)
        for key in keys {
            XCTAssertNil(SecretKeyPolicy.weakness(of: key, developmentKey: Settings.developmentSecretKey), key)
        }
    }

    func testInternalIPsAreAddresses() throws {
        XCTAssertEqual(try Settings.fromEnvironment(["SECRET_KEY": goodKey]).internalIPs, ["127.0.0.1", "::1"])
        XCTAssertEqual(try Settings.fromEnvironment(["SECRET_KEY": goodKey, "INTERNAL_IPS": "10.0.0.7, fd00::1"]).internalIPs,
                       ["10.0.0.7", "fd00::1"])
        assertRefused(["SECRET_KEY": goodKey, "INTERNAL_IPS": "localhost"], naming: "INTERNAL_IPS")
        assertRefused(["SECRET_KEY": goodKey, "INTERNAL_IPS": "10.0.0.0/8"], naming: "INTERNAL_IPS")
    }

    func testBadNumbersAndNamesAreRefused() {
        let base = ["SECRET_KEY": goodKey]
        for (name, value) in [
            ("WORKERS", "0"), ("WORKERS", "many"), ("WORKERS", "-3"), ("WORKERS", "100000"),
            ("SESSION_ENGINE", "redis"), ("SESSION_ENGINE", "django.contrib.sessions.backends.nope"),
            ("SESSION_COOKIE_AGE", "0"), ("SESSION_COOKIE_AGE", "two weeks"), ("SESSION_COOKIE_AGE", "-1"),
            ("SESSION_COOKIE_SECURE", "maybe"), ("SESSION_EXPIRE_AT_BROWSER_CLOSE", "2"),
            ("SESSION_SAVE_EVERY_REQUEST", "sometimes"), ("SESSION_CACHE_SIZE", "-1"),
            ("CATALOG_CACHE_SIZE", "-1"), ("CATALOG_CACHE_SIZE", "lots"), ("CATALOG_CACHE_SIZE", "10000001"),
            ("SESSION_COOKIE_NAME", "bad name;"), ("DEBUG", "perhaps"), ("MAX_REQUESTS", "x"),
        ] {
            assertRefused(base.merging([name: value]) { $1 }, naming: name)
        }
    }

    func testGoodValuesAreRead() throws {
        let settings = try Settings.fromEnvironment([
            "SECRET_KEY": goodKey, "WORKERS": "3", "SESSION_ENGINE": "django.contrib.sessions.backends.signed_cookies",
            "SESSION_COOKIE_AGE": "600", "SESSION_COOKIE_DOMAIN": ".shop.example", "SESSION_COOKIE_SECURE": "true",
            "SESSION_EXPIRE_AT_BROWSER_CLOSE": "yes", "SESSION_SAVE_EVERY_REQUEST": "1", "SESSION_COOKIE_NAME": "sid",
            "ALLOWED_HOSTS": "shop.example, .example.org", "CATALOG_CACHE_SIZE": "240",
        ])
        XCTAssertEqual(settings.catalogCacheSize, 240)
        XCTAssertEqual(settings.workers, 3)
        XCTAssertEqual(settings.sessionEngine, .signedCookies)
        XCTAssertEqual(settings.sessionCookieAge, 600)
        XCTAssertEqual(settings.sessionCookieDomain, ".shop.example")
        XCTAssertTrue(settings.sessionCookieSecure)
        XCTAssertTrue(settings.sessionExpireAtBrowserClose)
        XCTAssertTrue(settings.sessionSaveEveryRequest)
        XCTAssertEqual(settings.sessionCookieName, "sid")
        XCTAssertEqual(settings.allowedHosts, ["shop.example", ".example.org"])
        XCTAssertEqual(try Settings.fromEnvironment(["SECRET_KEY": goodKey]).sessionEngine, .cachedDatabase, "cached_db is the default")
    }

    func testABadCacheURLNamesCACHE_URL() {
        for url in ["", "not a url", "http://127.0.0.1:6379/0", "redis://", "redis://host:99999/0", "redis://host:6379/x", "redis://host/0?bogus=1"] {
            XCTAssertThrowsError(try CacheSessionStore(url: url), url) { error in
                XCTAssertEqual((error as? SettingsError)?.setting, "CACHE_URL", "\(url): \(error)")
            }
        }
        XCTAssertEqual(try RedisEndpoint(url: "redis://cache.internal:6380/3"),
                       try RedisEndpoint(url: "redis://cache.internal:6380?db=3"))
        let endpoint = try? RedisEndpoint(url: "redis://:s%3Acret@[::1]/2")
        XCTAssertEqual(endpoint?.address, .tcp(host: "::1", port: 6379))
        XCTAssertEqual(endpoint?.database, 2)
        XCTAssertEqual(endpoint?.password, "s:cret")
        XCTAssertEqual(try? RedisEndpoint(url: "unix:///run/redis/redis.sock?db=1").address, .unix(path: "/run/redis/redis.sock"))
    }

    func testEveryEngineCanBeMade() throws {
        var settings = Settings(databaseURL: "postgresql://nobody@127.0.0.1:1/none")
        settings.sessionFilePath = NSTemporaryDirectory() + "shop-web-tests-engines-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: settings.sessionFilePath) }
        settings.cacheURL = "redis://127.0.0.1:1/0"
        let database = PostgresConnection(url: settings.databaseURL) // never opened
        for engine in SessionEngineName.allCases {
            settings.sessionEngine = engine
            // Making a store opens nothing (workers fork after this).
            XCTAssertNoThrow(try settings.makeSessionStore(database: database), "\(engine)")
        }
    }

    func testARequestForAHostThatIsNotAllowedGets400() throws {
        var settings = try TestSite.settings(engine: .signedCookies)
        settings.allowedHosts = ["shop.example", ".example.org", "Shop.Test"]
        let application = try TestSite.application(settings: settings)
        defer { application.services.database.close() }
        for host in ["evil.example", "shop.example.evil", "example.org.evil", ""] {
            let response = application.handle(Request(path: "/noop/", headers: ["host": host]))
            XCTAssertEqual(response.status, 400, host)
            XCTAssertNil(response.setCookie(named: "sessionid"))
        }
        for host in ["shop.example", "SHOP.example:8000", "example.org", "www.example.org", "shop.test", "SHOP.TEST"] {
            XCTAssertEqual(application.handle(Request(path: "/noop/", headers: ["host": host])).status, 200, host)
        }
    }
}
