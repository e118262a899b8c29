@testable import Web
import XCTest

final class ASCIICaseTests: XCTestCase {
    func testPrefixIgnoresTheCaseOfLettersOnly() {
        XCTAssertTrue(ASCIICase.hasPrefix("Multipart/Form-Data; boundary=X", "multipart/form-data"))
        XCTAssertTrue(ASCIICase.hasPrefix("application/x-www-form-urlencoded", "application/x-www-form-urlencoded"))
        XCTAssertFalse(ASCIICase.hasPrefix("multipart", "multipart/form-data"), "shorter than the prefix")
        // Control bytes that the case bit turns into the prefix's punctuation: only letters have a case.
        XCTAssertFalse(ASCIICase.hasPrefix("multipart\u{0F}form-data", "multipart/form-data"), "0x0F | 0x20 is /")
        XCTAssertFalse(ASCIICase.hasPrefix("application/x\rwww-form-urlencoded", "application/x-www-form-urlencoded"),
                       "CR | 0x20 is -")
        XCTAssertFalse(ASCIICase.hasPrefix("text/plain", "multipart/form-data"))
    }

    func testLowercasedAsTheStandardLibraryDoes() {
        for text in ["shop.example", "Shop.Example", "", "[::1]", "TÉ.example", "\u{212A}.example", "x.ORG"] {
            XCTAssertEqual(ASCIICase.lowercased(text), text.lowercased(), text)
        }
    }
}
