@testable import Web
import XCTest

/// Bytes that must be UTF-8: ASCII taken as it is, the rest validated, nothing repaired.
final class UTF8TextTests: XCTestCase {
    func testTakesValidTextAsItIs() {
        let samples: [[UInt8]] = [
            [], Array("quantity=2&token=abc".utf8), Array("Jürgen 🍵".utf8),
            [0xEF, 0xBF, 0xBD],  // U+FFFD itself is text
        ]
        for bytes in samples {
            XCTAssertEqual(UTF8Text.validated(bytes).map { Array($0.utf8) }, bytes, "\(bytes)")
            XCTAssertEqual(UTF8Text.validated(bytes[...]).map { Array($0.utf8) }, bytes, "\(bytes)")
        }
        XCTAssertEqual(UTF8Text.validated(Array("xabcx".utf8)[1..<4]), "abc", "a slice's own bytes only")
    }

    func testRefusesWhatIsNotUTF8() {
        let samples: [[UInt8]] = [
            [0xFF], [0x80], [0x61, 0xC3], [0xC3, 0x28], [0xC0, 0xAF],  // lone, continuation, cut, bad second, overlong
            [0xED, 0xA0, 0x80],  // a surrogate
            [0xF0, 0x90, 0x80],  // a four-byte sequence cut to three (repairing would give one U+FFFD)
            [0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0xFE],  // after ASCII
        ]
        for bytes in samples {
            XCTAssertNil(UTF8Text.validated(bytes), "\(bytes)")
            XCTAssertNil(UTF8Text.validated(bytes[...]), "\(bytes)")
        }
    }
}
