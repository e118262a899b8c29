import COpenSSL
import Foundation
@testable import Web
import XCTest

/// Crypto (OpenSSL) against published vectors and Python's hashlib/hmac.
final class SessionCryptoTests: XCTestCase {
    private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    func testSHA256() {
        XCTAssertEqual(hex(Crypto.sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(hex(Crypto.sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testHMACSHA256() {
        // RFC 4231, test case 2.
        XCTAssertEqual(hex(Crypto.hmacSHA256(key: "Jefe", message: "what do ya want for nothing?")),
                       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // RFC 4231, test case 1: a 20-byte key of 0x0b.
        XCTAssertEqual(hex(Crypto.hmacSHA256(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8))),
                       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        // Python: hmac.new(b'', b'', sha256) and a key longer than the block size.
        XCTAssertEqual(hex(Crypto.hmacSHA256(key: "", message: "")), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
        XCTAssertEqual(hex(Crypto.hmacSHA256(key: "key", message: "The quick brown fox jumps over the lazy dog")),
                       "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
    }

    /// OpenSSL's own HMAC, the reference the shop's (`HMACSHA256Key`) is compared with.
    private func openSSLHMAC(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var mac = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let keyInput = key.isEmpty ? [0] : key, messageInput = message.isEmpty ? [0] : message
        XCTAssertNotNil(HMAC(EVP_sha256(), keyInput, Int32(key.count), messageInput, message.count, &mac, &length))
        return Array(mac[0..<Int(length)])
    }

    func testHMACSHA256KeyMatchesTheVectorsAndOpenSSL() {
        XCTAssertEqual(hex(HMACSHA256Key(Array("Jefe".utf8)).mac(Array("what do ya want for nothing?".utf8))),
                       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        XCTAssertEqual(hex(HMACSHA256Key([UInt8](repeating: 0x0b, count: 20)).mac(Array("Hi There".utf8))),
                       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        // RFC 4231, test case 6: a key longer than the block is hashed first.
        XCTAssertEqual(hex(HMACSHA256Key([UInt8](repeating: 0xaa, count: 131))
                            .mac(Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))),
                       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        XCTAssertEqual(hex(HMACSHA256Key([UInt8]()).mac([UInt8]())), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
        // One key, many messages: each MAC starts from the keyed state, whatever came before;
        // a slice (what `unsignObject` passes) and a collection without contiguous storage.
        let key = HMACSHA256Key(Array("shop secret".utf8))
        for length in [0, 1, 55, 56, 63, 64, 65, 300] {
            let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            let expected = openSSLHMAC(key: Array("shop secret".utf8), message: message)
            XCTAssertEqual(key.mac(message), expected, "length \(length)")
            XCTAssertEqual(key.mac((message + [1, 2])[..<length]), expected, "slice of length \(length)")
            XCTAssertEqual(key.mac(message.lazy.map { $0 }), expected, "lazy, length \(length)")
            let longKey = [UInt8](repeating: 0x5a, count: 64 + length)
            XCTAssertEqual(HMACSHA256Key(longKey).mac(message), openSSLHMAC(key: longKey, message: message), "key of \(64 + length) bytes")
        }
    }

    func testPBKDF2LowIterations() {
        // Python: hashlib.pbkdf2_hmac('sha256', 'lètmein'.encode(), b'seasalt2', 1000)
        XCTAssertEqual(Crypto.base64Encode(Crypto.pbkdf2SHA256(password: "lètmein", salt: "seasalt2", iterations: 1000)),
                       "ABPNVLVV1vRC5OnBCpgwRvsTOJaXds28OSzNig3GR2M=")
        XCTAssertEqual(hex(Crypto.pbkdf2SHA256(password: "password", salt: "salt", iterations: 2)),
                       "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43")
        XCTAssertEqual(Crypto.pbkdf2SHA256(password: "p", salt: "s", iterations: 1, keyLength: 64).count, 64)
    }

    /// Django 5.1's hasher: `pbkdf2_sha256$870000$seasalt2$...` is the hash of `lètmein`.
    func testPBKDF2DjangoVector() {
        let encoded = "pbkdf2_sha256$870000$seasalt2$nxgnNHRsZWSmi4hRSKq2MRigfaRmjDhH1NH4g2sQRbU="
        let parts = encoded.split(separator: "$").map(String.init)
        let derived = Crypto.pbkdf2SHA256(password: "lètmein", salt: parts[2], iterations: Int(parts[1])!)
        XCTAssertEqual(Crypto.base64Encode(derived), parts[3])
        XCTAssertTrue(ConstantTime.equals(derived, Crypto.base64Decode(parts[3])!))
    }

    func testBase64() {
        let samples: [[UInt8]] = [[], [0], [0, 1], [0, 1, 2], [0xfb, 0xff], Array("any carnal pleas".utf8), (0...255).map { UInt8($0) }]
        for bytes in samples {
            let standard = Crypto.base64Encode(bytes)
            XCTAssertEqual(standard, Data(bytes).base64EncodedString())
            XCTAssertEqual(Crypto.base64Decode(standard), bytes)
            let url = Crypto.base64URLEncode(bytes)
            XCTAssertFalse(url.contains("=") || url.contains("+") || url.contains("/"))
            XCTAssertEqual(url, standard.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: ""))
            XCTAssertEqual(Crypto.base64URLDecode(url), bytes)
        }
        XCTAssertEqual(Crypto.base64URLEncode([0xfb, 0xff]), "-_8")
        for bad in ["a", "ab=c", "a===", "ab$c", "-_8", "abc=d"] { XCTAssertNil(Crypto.base64Decode(bad), bad) }
        for bad in ["a", "+/8", "ab==c", "a b"] { XCTAssertNil(Crypto.base64URLDecode(bad), bad) }
        XCTAssertNil(Crypto.base64URLDecode("-_9"), "non-canonical trailing bits are refused")
    }

    func testRandomBytes() {
        XCTAssertEqual(Crypto.randomBytes(32).count, 32)
        XCTAssertNotEqual(Crypto.randomBytes(16), Crypto.randomBytes(16))
        XCTAssertEqual(Crypto.randomBytes(0), [])
    }

    /// Small draws come from `RandomBytePool`: across several refills of its 4 KiB, no draw
    /// repeats another and none is the zeroes the pool leaves where it handed bytes out.
    func testRandomBytesNeverRepeatAcrossThePoolsRefills() {
        let draws = (0..<3000).map { _ in Crypto.randomBytes(24) }
        XCTAssertEqual(Set(draws).count, draws.count)
        XCTAssertFalse(draws.contains([UInt8](repeating: 0, count: 24)))
        let large = Crypto.randomBytes(4096)
        XCTAssertEqual(large.count, 4096)
        XCTAssertGreaterThan(Set(large).count, 200, "a large draw is random too")
    }

    /// A worker is a fork of its master: what the master had drawn into the pool must never
    /// come out of the child as well.
    func testAForkedChildDrawsOtherBytesThanItsParent() throws {
        _ = Crypto.randomBytes(16)  // the pool now holds bytes the child inherits
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        let pid = fork()
        if pid == 0 {
            let bytes = Crypto.randomBytes(32)
            _ = bytes.withUnsafeBytes { write(fds[1], $0.baseAddress, 32) }
            _exit(0)
        }
        XCTAssertGreaterThan(pid, 0)
        close(fds[1])
        let parentBytes = Crypto.randomBytes(32)
        var childBytes = [UInt8](repeating: 0, count: 32)
        let read = childBytes.withUnsafeMutableBytes { Glibc.read(fds[0], $0.baseAddress, 32) }
        close(fds[0])
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        XCTAssertEqual(read, 32)
        XCTAssertNotEqual(childBytes, parentBytes)
    }

    func testSessionKeys() {
        let keys = (0..<200).map { _ in SessionKey.generate() }
        XCTAssertEqual(Set(keys).count, keys.count)
        XCTAssertTrue(keys.allSatisfy(SessionKey.isValid))
    }

    func testConstantTimeEquals() {
        XCTAssertTrue(ConstantTime.equals("abc", "abc"))
        XCTAssertFalse(ConstantTime.equals("abc", "abd"))
        XCTAssertFalse(ConstantTime.equals("abc", "abcd"))
    }

    /// The hasher behind `createsuperuser` reads Django's own hash, iterations included.
    func testPasswordHasherVerifiesDjangoHashes() {
        let django = "pbkdf2_sha256$870000$seasalt2$nxgnNHRsZWSmi4hRSKq2MRigfaRmjDhH1NH4g2sQRbU="
        XCTAssertTrue(PasswordHasher.verify("lètmein", against: django))
        XCTAssertFalse(PasswordHasher.verify("letmein", against: django))
        XCTAssertFalse(PasswordHasher.verify("lètmein", against: "md5$x$y"))
        XCTAssertFalse(PasswordHasher.verify("lètmein", against: "pbkdf2_sha256$abc$salt$hash"))
        let mine = PasswordHasher.encode("pw", iterations: 1000)
        XCTAssertTrue(mine.hasPrefix("pbkdf2_sha256$1000$"))
        XCTAssertTrue(PasswordHasher.verify("pw", against: mine))
        XCTAssertNotEqual(PasswordHasher.encode("pw", iterations: 1000), mine, "a fresh salt each time")
    }
}
