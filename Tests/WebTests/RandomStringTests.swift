import Foundation
@testable import Web
import XCTest

/// The random strings behind session keys, CSRF secrets and salts.
final class RandomStringTests: XCTestCase {
    let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
    let lowercase = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)

    func testLengthAlphabetAndNoObviousBias() {
        var counts: [UInt8: Int] = [:]
        for _ in 0..<2000 {
            let text = RandomString.make(length: 62, alphabet: alphabet)
            XCTAssertEqual(text.utf8.count, 62)
            for byte in text.utf8 { counts[byte, default: 0] += 1 }
        }
        XCTAssertEqual(Set(counts.keys), Set(alphabet), "only, and every, character of the alphabet")
        // 124,000 draws: about 2,000 per character; modulo bias would skew the first 8 by 25%.
        for (byte, count) in counts {
            XCTAssertTrue((1700...2300).contains(count), "\(Character(UnicodeScalar(byte))) drawn \(count) times")
        }
        XCTAssertEqual(Set((0..<1000).map { _ in SessionKey.generate() }).count, 1000)
    }

    /// The byte classes that validate keys and tokens accept exactly the alphabets they are drawn from.
    func testTokenAlphabetsAcceptExactlyTheirBytes() {
        XCTAssertEqual(TokenAlphabet.alphanumeric, alphabet, "Django's CSRF alphabet")
        XCTAssertEqual(TokenAlphabet.lowercaseAlphanumeric, lowercase, "Django's session key alphabet")
        XCTAssertEqual(CSRF.alphabet, TokenAlphabet.alphanumeric)
        for byte in UInt8.min...UInt8.max {
            let text = String(decoding: [UInt8(ascii: "a"), byte, UInt8(ascii: "0")], as: UTF8.self)
            XCTAssertEqual(TokenAlphabet.isAlphanumeric(text), alphabet.contains(byte), "byte \(byte)")
            XCTAssertEqual(TokenAlphabet.isLowercaseAlphanumeric(text), lowercase.contains(byte), "byte \(byte)")
        }
        XCTAssertTrue(SessionKey.isValid(SessionKey.generate()))
        XCTAssertFalse(SessionKey.isValid(String(repeating: "A", count: 32)))
        XCTAssertFalse(SessionKey.isValid(String(repeating: "é", count: 16)), "32 bytes, not [a-z0-9]")
        XCTAssertTrue(CSRF.isWellFormed(CSRF.randomString(), length: CSRF.secretLength))
        XCTAssertFalse(CSRF.isWellFormed(String(repeating: "-", count: 32), length: CSRF.secretLength))
    }

    /// Forked workers must not draw the same stream (they would hand out the same session keys).
    func testAForkedChildDrawsDifferentStrings() throws {
        _ = RandomString.make(length: 32, alphabet: alphabet)  // the parent's generator is seeded before the fork
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        let pid = fork()
        if pid == 0 {
            var token = Array(RandomString.make(length: 32, alphabet: alphabet).utf8)
            _ = write(fds[1], &token, token.count)
            _exit(0)
        }
        close(fds[1])
        let parent = RandomString.make(length: 32, alphabet: alphabet)
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = read(fds[0], &buffer, 32)
        close(fds[0])
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        XCTAssertEqual(count, 32)
        XCTAssertNotEqual(String(decoding: buffer, as: UTF8.self), parent)
    }
}
