@testable import Web
import XCTest

final class DecimalDigitsTests: XCTestCase {
    func testDigitsAsStringWritesThem() {
        for value in [0, 7, 10, 99, 100, 1_234_567, -1, -42, -100, Int.max, Int.min] {
            var bytes: [UInt8] = Array("x=".utf8)
            DecimalDigits.append(value, to: &bytes)
            XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "x=\(value)")
        }
    }
}
