@testable import Web
import XCTest

final class ASCIICaseTests: XCTestCase {
    func testPrefixIgnoresTheCaseOfLettersOnly() {
        XCTAssertTrue(ASCIICase.hasPrefix("Multipart/Form-Data; boundary=X", "multipart/form-data"))
        XCTAssertTrue(ASCIICase.hasPrefix("application/x-www-form-urlencoded", "application/x-www-form-urlencoded"))
        XCTAssertFalse(ASCIICase.hasPrefix("multipart", "multipart/form-data"), "shorter than the prefix")
        XCTAssertFalse(ASCIICase.hasPrefix("multipart\u{0F}form-data", "multipart/form-data"), "/ | 0x20 is not /")
        XCTAssertFalse(ASCIICase.hasPrefix("application/x-www-form-urlencodeD".replacingOccurrences(of: "-", with: "\r"),
                                           "application/x-www-form-urlencoded"))
        XCTAssertFalse(ASCIICase.hasPrefix("text/plain", "multipart/form-data"))
    }

    func testLowercasedAsTheStandardLibraryDoes() {
        for text in ["shop.example", "Shop.Example", "", "[::1]", "TÉ.example", "\u{212A}.example", "x.ORG"] {
            XCTAssertEqual(ASCIICase.lowercased(text), text.lowercased(), text)
        }
    }
}
