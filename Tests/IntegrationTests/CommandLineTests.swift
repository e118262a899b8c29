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

    struct Run {
        var status: Int32
        var output: String
        var errors: String
    }

    func shop(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Paths.shopBinary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["DATABASE_URL"] = TestDatabase.url
        env.removeValue(forKey: "SHOP_PASSWORD")
        for (name, value) in environment { env[name] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
                   errors: String(decoding: errors, as: UTF8.self))
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
}
