import Foundation
import Postgres
import TestSupport
@testable import Web
import XCTest

/// The `shop` management commands, run as the operator runs them.
final class CommandLineTests: XCTestCase {
    var database: PostgresConnection!

    override func setUpWithError() throws {
        database = try TestDatabase.reset()
    }

    typealias Run = ShopCommandRun

    func shop(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        var overrides: [String: String?] = ["DATABASE_URL": TestDatabase.url, "SHOP_PASSWORD": nil]
        for (name, value) in environment { overrides[name] = value }
        return try ShopCommandRunner.run(arguments, environment: overrides)
    }

    func testMigrateTwiceChangesNothing() throws {
        let again = try shop(["migrate"])
        XCTAssertEqual(again.status, 0)
        XCTAssertEqual(again.output.trimmingCharacters(in: .whitespacesAndNewlines), "No migrations to apply.")
        for table in ["shop_category", "shop_product", "orders_order", "orders_orderitem", "django_session", "auth_user"] {
            XCTAssertEqual(try database.scalar("SELECT to_regclass($1)::text", [table], as: String.self), table)
        }
    }

    func testLoadDemoOnceThenNothing() throws {
        let media = try Paths.temporaryDirectory("media")
        let first = try shop(["loaddemo"], environment: ["MEDIA_ROOT": media, "DEMO_DIR": Paths.repositoryRoot + "/deploy/demo"])
        XCTAssertEqual(first.status, 0, first.errors)
        let products = try XCTUnwrap(try database.scalar("SELECT count(*) FROM shop_product", as: Int.self))
        XCTAssertGreaterThanOrEqual(products, 12)
        XCTAssertGreaterThanOrEqual(try database.scalar("SELECT count(*) FROM shop_category", as: Int.self) ?? 0, 3)
        XCTAssertEqual(try database.scalar("SELECT count(*) FROM shop_product WHERE NOT available", as: Int.self), 1)
        let image = try XCTUnwrap(try database.scalar("SELECT image FROM shop_product WHERE image <> '' LIMIT 1", as: String.self))
        XCTAssertTrue(FileManager.default.fileExists(atPath: media + "/" + image), "the image is copied under MEDIA_ROOT")
        let second = try shop(["loaddemo"], environment: ["MEDIA_ROOT": media])
        XCTAssertEqual(second.status, 0)
        XCTAssertEqual(try database.scalar("SELECT count(*) FROM shop_product", as: Int.self), products, "a second run adds nothing")
    }

    func testCreateSuperuserStoresADjangoHash() throws {
        let created = try shop(["createsuperuser", "--username", "ada", "--email", "ada@example.com"], environment: ["SHOP_PASSWORD": "correct horse"])
        XCTAssertEqual(created.status, 0, created.errors)
        let row = try XCTUnwrap(try database.queryOne("SELECT password, email, is_staff, is_superuser, is_active FROM auth_user WHERE username = 'ada'"))
        let hash: String = try row.get("password")
        XCTAssertTrue(hash.hasPrefix("pbkdf2_sha256$1000000$"), hash)
        XCTAssertTrue(PasswordHasher.verify("correct horse", against: hash))
        XCTAssertFalse(PasswordHasher.verify("wrong", against: hash))
        XCTAssertTrue(try row.get("is_staff", as: Bool.self))
        XCTAssertTrue(try row.get("is_superuser", as: Bool.self))

        let duplicate = try shop(["createsuperuser", "--username", "ada", "--email", "x@example.com"], environment: ["SHOP_PASSWORD": "x"])
        XCTAssertNotEqual(duplicate.status, 0)
        XCTAssertEqual(duplicate.errors.split(separator: "\n").count, 1, "one clear line: \(duplicate.errors)")
        XCTAssertTrue(duplicate.errors.contains("already taken"))
        let noPassword = try shop(["createsuperuser", "--username", "bob", "--email", "bob@example.com"])
        XCTAssertNotEqual(noPassword.status, 0)
        XCTAssertTrue(noPassword.errors.contains("SHOP_PASSWORD"), noPassword.errors)
        XCTAssertEqual(try database.scalar("SELECT count(*) FROM auth_user", as: Int.self), 1)
    }

    func testClearSessionsDeletesOnlyExpired() throws {
        try database.execute("""
            INSERT INTO django_session (session_key, session_data, expire_date) VALUES
            ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '{}', now() - interval '1 day'),
            ('bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', '{}', now() + interval '1 day')
            """)
        let run = try shop(["clearsessions"])
        XCTAssertEqual(run.status, 0, run.errors)
        XCTAssertEqual(try database.query("SELECT session_key FROM django_session").map { try $0.get("session_key", as: String.self) },
                       ["bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"])
    }

    func testServeRefusesBadSettingsNamingThem() throws {
        let noKey = try shop(["serve"], environment: ["DEBUG": "0", "SECRET_KEY": "", "LISTEN": "unix:/tmp/never.sock"])
        XCTAssertNotEqual(noKey.status, 0)
        XCTAssertTrue(noKey.errors.contains("SECRET_KEY"), noKey.errors)
        let badWorkers = try shop(["serve"], environment: ["DEBUG": "1", "WORKERS": "many"])
        XCTAssertNotEqual(badWorkers.status, 0)
        XCTAssertTrue(badWorkers.errors.contains("WORKERS"), badWorkers.errors)
        let badListen = try shop(["serve"], environment: ["DEBUG": "1", "LISTEN": "nonsense:::"])
        XCTAssertNotEqual(badListen.status, 0)
        XCTAssertTrue(badListen.errors.contains("LISTEN"), badListen.errors)
    }

    /// `shop serve` that must stop by itself: killed after `timeout` (then `timedOut`).
    func serve(_ environment: [String: String], timeout: TimeInterval = 15) throws -> (run: Run, timedOut: Bool) {
        let directory = try Paths.temporaryDirectory("serve")
        var env = environment
        env["LISTEN"] = env["LISTEN"] ?? "unix:\(directory)/shop.sock"
        env["TEMPLATES_DIR"] = Paths.templates
        env["WORKERS"] = "2"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Paths.shopBinary)
        process.arguments = ["serve"]
        var all = ProcessInfo.processInfo.environment
        all["DATABASE_URL"] = TestDatabase.url
        for (name, value) in env { all[name] = value }
        process.environment = all
        let outPath = directory + "/out", errPath = directory + "/err"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: outPath)
        process.standardError = FileHandle(forWritingAtPath: errPath)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        let timedOut = process.isRunning
        if timedOut { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        return (Run(status: process.terminationStatus, output: read(outPath), errors: read(errPath)), timedOut)
    }

    func testServeRefusesWeakSecretKeysNamingTheSetting() throws {
        for key in ["change-me-to-a-long-random-string-see-the-comment-above-this-line", "0123456789abcdef0123456789abcdef",
                    String(repeating: "ab", count: 40), "django-insecure-" + String(repeating: "k1m2n3o4p5", count: 5)] {
            let (run, timedOut) = try serve(["DEBUG": "0", "SECRET_KEY": key], timeout: 10)
            XCTAssertFalse(timedOut, key)
            XCTAssertEqual(run.status, 1, key)
            XCTAssertEqual(run.errors.split(separator: "\n").count, 1, "one clear line: \(run.errors)")
            XCTAssertTrue(run.errors.hasPrefix("shop: SECRET_KEY "), run.errors)
        }
    }

    /// Settings every worker would trip over after fork stop the master first, in one line.
    func testServeChecksSessionSettingsBeforeForking() throws {
        let file = try Paths.temporaryDirectory("notadir") + "/file"
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        let key = "integration-test-secret-key-0123456789abcdefghijklmnop"
        for (environment, setting) in [
            (["SESSION_ENGINE": "cache", "CACHE_URL": "redis://127.0.0.1:1/0"], "CACHE_URL"),
            (["SESSION_ENGINE": "cache", "CACHE_URL": "memcached://nowhere"], "CACHE_URL"),
            (["SESSION_ENGINE": "file", "SESSION_FILE_PATH": file], "SESSION_FILE_PATH"),
        ] {
            let (run, timedOut) = try serve(environment.merging(["DEBUG": "0", "SECRET_KEY": key]) { $1 }, timeout: 10)
            XCTAssertFalse(timedOut, "\(environment): still running (workers respawned?)")
            XCTAssertEqual(run.status, 1, "\(environment)")
            XCTAssertEqual(run.errors.split(separator: "\n").count, 1, "one clear line: \(run.errors)")
            XCTAssertTrue(run.errors.hasPrefix("shop: \(setting) "), run.errors)
        }
    }

    func testServeWithDebugAndNoKeySaysItUsesARandomOne() throws {
        let pool = try ShopServer(workers: 1, environment: ["DEBUG": "1", "SECRET_KEY": ""])
        defer { pool.stop() }
        try waitUntil(timeout: 5) { pool.log.contains("random key") }
        XCTAssertTrue(pool.log.contains("SECRET_KEY is not set"), pool.log)
    }

    /// Workers that fail while booting (here SESSION_FILE_PATH became a file after the
    /// start, then SIGHUP) stop the pool, as gunicorn does, instead of respawning forever.
    func testWorkersThatCannotBootStopThePool() throws {
        let sessions = try Paths.temporaryDirectory("sessions")
        let pool = try ShopServer(workers: 2, environment: ["SESSION_ENGINE": "file", "SESSION_FILE_PATH": sessions])
        defer { pool.stop() }
        // Workers still booting create the folder again if it is missing: swap until a file stays.
        try waitUntil(timeout: 10) {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: sessions, isDirectory: &isDirectory), !isDirectory.boolValue {
                usleep(300_000)
                return FileManager.default.fileExists(atPath: sessions, isDirectory: &isDirectory) && !isDirectory.boolValue
            }
            try? FileManager.default.removeItem(atPath: sessions)
            FileManager.default.createFile(atPath: sessions, contents: Data("not a folder".utf8))
            return false
        }
        kill(pool.pid, SIGHUP)
        try waitUntil(timeout: 15) { !pool.process.isRunning }
        XCTAssertEqual(pool.process.terminationStatus, 3, pool.log)
        XCTAssertTrue(pool.log.contains("failed to boot"), pool.log)
        XCTAssertLessThan(pool.log.components(separatedBy: "worker cannot start").count - 1, 6, pool.log)
    }
}
