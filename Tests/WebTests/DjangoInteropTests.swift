import Foundation
import TestSupport
@testable import Web
import XCTest

/// What a Django shop sharing the database and `SECRET_KEY` writes, read
/// here, and what the shop writes, read by Django: every vector is made or
/// checked by Django 5.2 itself (Tests/DjangoShop/vectors.py, run with the
/// virtual environment `make test` installs).
final class DjangoInteropTests: XCTestCase {
    let secret = "django-interop-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"

    /// A session as the two shops keep it: the cart, a staff login, messages, non-ASCII text.
    let session: SessionData = [
        "cart": ["7": ["quantity": 2, "price": "19.99"], "12": ["quantity": 1, "price": "8.50"]],
        "_auth_user_id": "3",
        "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
        "name": "Zoë “quoted” \\ / \n tab\t 😀",
        "flag": true, "nothing": nil, "count": -42,
    ]

    /// Large and repetitive: Django compresses it (the payload starts with ".").
    var largeSession: SessionData {
        var cart: [String: SessionValue] = [:]
        for id in 1...60 { cart[String(id)] = ["quantity": .int(id % 20 + 1), "price": "12.50"] }
        return ["cart": .object(cart)]
    }

    private func vectors(_ requests: [[String: Any]]) throws -> [Any] {
        guard Django.python != nil else { throw XCTSkip("Django is not installed; `make test` installs it into .data/django-venv") }
        return try Django.vectors(secret: secret, requests)
    }

    /// Django's answer (a JSON value) as session data, by way of JSON text.
    private func sessionData(_ answer: Any) throws -> SessionData? {
        let json = try JSONSerialization.data(withJSONObject: answer, options: [.fragmentsAllowed])
        return SessionCoding.decode(Array(json))
    }

    private func jsonObject(_ data: SessionData) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(SessionCoding.encodeBytes(data)))
    }

    func testASessionRowWrittenByDjangoLoadsHere() throws {
        let answers = try vectors([
            ["op": "session_encode", "data": try jsonObject(session)],
            ["op": "session_encode", "data": try jsonObject(largeSession)],
        ])
        let small = try XCTUnwrap(answers[0] as? String), large = try XCTUnwrap(answers[1] as? String)
        XCTAssertTrue(large.hasPrefix("."), "Django compressed it: \(large.prefix(20))")
        let coding = SessionDataSigning(secretKey: secret)
        XCTAssertEqual(coding.decode(small), session)
        XCTAssertEqual(coding.decode(large), largeSession)
        XCTAssertNil(SessionDataSigning(secretKey: secret + "x").decode(small), "another SECRET_KEY")
    }

    func testASessionRowWrittenHereLoadsInDjango() throws {
        let coding = SessionDataSigning(secretKey: secret)
        let small = coding.encode(session), large = coding.encode(largeSession)
        XCTAssertTrue(large.hasPrefix("."), "compressed when shorter")
        XCTAssertFalse(small.hasPrefix("."), "a short session is signed uncompressed, which Django reads as well (below)")
        XCTAssertTrue(small.utf8.allSatisfy { $0 < 0x80 })
        // Beyond zlib's largest window (32 KB), with text that does not repeat much.
        var lines: [String: SessionValue] = [:]
        for id in 1...3000 { lines[String(id * 7919 % 100_003)] = ["quantity": .int(id % 20 + 1), "price": .string("\(id % 97).\(id % 89 + 10)")] }
        let huge: SessionData = ["cart": .object(lines)]
        let hugeText = coding.encode(huge)
        XCTAssertTrue(hugeText.hasPrefix("."))
        XCTAssertEqual(coding.decode(hugeText), huge)
        let answers = try vectors([
            ["op": "session_decode", "text": small],
            ["op": "session_decode", "text": large],
            ["op": "session_decode", "text": hugeText],
        ])
        XCTAssertEqual(try sessionData(answers[0]), session)
        XCTAssertEqual(try sessionData(answers[1]), largeSession)
        XCTAssertEqual(try sessionData(answers[2]), huge)
    }

    func testATamperedRowIsNoSessionOnEitherSide() throws {
        let coding = SessionDataSigning(secretKey: secret)
        let genuine = coding.encode(session), compressed = coding.encode(largeSession)
        var flipped = Array(genuine.utf8)
        flipped[3] = flipped[3] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let forgedJSON = Crypto.base64URLEncode(Array(#"{"_auth_user_id":"1"}"#.utf8))
        let parts = genuine.split(separator: ":").map(String.init)
        let tampered = [
            String(decoding: flipped, as: UTF8.self),               // payload changed
            forgedJSON + ":" + parts[1] + ":" + parts[2],           // payload replaced
            String(compressed.dropFirst()),                         // "compressed" marker removed
            "." + genuine,                                          // marker added
            String(genuine.dropLast(2)),                            // signature truncated
            #"{"_auth_user_id":"1"}"#,                              // plain JSON, as this shop once stored it
            SessionDataSigning(secretKey: "another-key").encode(session),
        ]
        let answers = try vectors(tampered.map { ["op": "session_decode", "text": $0] })
        for (value, answer) in zip(tampered, answers) {
            XCTAssertNil(coding.decode(value), value)
            XCTAssertEqual((answer as? [String: Any])?.isEmpty, true, "Django: no session for \(value)")
        }
    }

    func testSignedCookiesGoBothWays() throws {
        let store = SignedCookieSessionStore(secretKey: secret, maxAge: 3600)
        let ours = store.sign(largeSession, timestamp: Int(Date().timeIntervalSince1970))
        XCTAssertTrue(ours.hasPrefix("."))
        let answers = try vectors([
            ["op": "signed_cookie_dumps", "data": try jsonObject(largeSession)],
            ["op": "signed_cookie_dumps", "data": try jsonObject(session)],
            ["op": "signed_cookie_loads", "value": ours],
        ])
        let djangoLarge = try XCTUnwrap(answers[0] as? String), djangoSmall = try XCTUnwrap(answers[1] as? String)
        XCTAssertTrue(djangoLarge.hasPrefix("."), "Django compresses a signed cookie too")
        XCTAssertEqual(try store.load(key: djangoLarge, version: nil)?.data, largeSession)
        XCTAssertEqual(try store.load(key: djangoSmall, version: nil)?.data, session)
        XCTAssertEqual(try sessionData(answers[2]), largeSession)
    }

    func testPasswordHashesAndTheSessionAuthHashMatchDjango() throws {
        let ours = PasswordHasher.encode("correct horse ✓", iterations: 1_000)
        let answers = try vectors([
            ["op": "make_password", "password": "correct horse ✓", "salt": "SaltSaltSalt", "iterations": 1_000],
            ["op": "make_password", "password": "s3cret", "salt": "AnotherSalt123"],
            ["op": "check_password", "password": "correct horse ✓", "encoded": ours],
            ["op": "check_password", "password": "wrong", "encoded": ours],
            ["op": "auth_hash", "password_hash": ours],
        ])
        let django1000 = try XCTUnwrap(answers[0] as? String), djangoDefault = try XCTUnwrap(answers[1] as? String)
        XCTAssertEqual(PasswordHasher.encode("correct horse ✓", salt: "SaltSaltSalt", iterations: 1_000), django1000)
        XCTAssertTrue(PasswordHasher.verify("s3cret", against: djangoDefault), djangoDefault)
        XCTAssertFalse(PasswordHasher.verify("s3cret!", against: djangoDefault))
        XCTAssertEqual(answers[2] as? Bool, true)
        XCTAssertEqual(answers[3] as? Bool, false)
        let user = User(id: 3, username: "staff", email: "", password: ours, isStaff: true, isSuperuser: false, isActive: true, lastLogin: nil)
        XCTAssertEqual(user.sessionAuthHash(secretKey: secret), answers[4] as? String)
    }

    func testMessagesUseDjangosSessionLayout() throws {
        let ours = Messages.encode([.init(level: .success, text: "The product “Tea <b>” was added."),
                                    .init(level: .error, text: "Nope")])
        let answers = try vectors([
            ["op": "messages_decode", "text": try XCTUnwrap(ours.stringValue)],
            ["op": "messages_encode", "messages": [[25, "Saved “x”"], [30, "Careful"], [10, "Debug"]]],
        ])
        let decoded = try XCTUnwrap(answers[0] as? [[Any]])
        XCTAssertEqual(decoded.map { $0[0] as? Int }, [25, 40])
        XCTAssertEqual(decoded.map { $0[1] as? String }, ["The product “Tea <b>” was added.", "Nope"])
        let django = try XCTUnwrap(answers[1] as? String)
        XCTAssertEqual(Messages.decode(.string(django)), [.init(level: .success, text: "Saved “x”"),
                                                          .init(level: .warning, text: "Careful"),
                                                          .init(level: .debug, text: "Debug")])
        XCTAssertEqual(Messages.decode(.array([["level": "success", "message": "old layout"]])), [], "only Django's layout")
    }

    func testCSRFTokensAreInterchangeable() throws {
        let cookieSecret = CSRF.randomString()
        let ours = CSRF.mask(cookieSecret)
        let answers = try vectors([
            ["op": "csrf_match", "token": ours, "secret_token": cookieSecret],
            ["op": "csrf_mask", "secret_token": cookieSecret],
            ["op": "csrf_match", "token": ours, "secret_token": CSRF.randomString()],
        ])
        XCTAssertEqual(answers[0] as? Bool, true)
        XCTAssertEqual(CSRF.unmask(try XCTUnwrap(answers[1] as? String)), cookieSecret)
        XCTAssertEqual(answers[2] as? Bool, false)
    }
}
