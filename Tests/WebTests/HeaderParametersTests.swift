@testable import Web
import XCTest

/// Content-Disposition and Content-Type parameters as Django's parse_header_parameters reads them.
final class HeaderParametersTests: XCTestCase {
    func testQuotedSemicolonsEqualsAndEscapes() {
        let header = HeaderParameters(#"Form-Data; NAME="a;b=c"; filename="x \"quoted\" ; y.png""#)
        XCTAssertEqual(header.value, "form-data")
        XCTAssertEqual(header["name"], "a;b=c")
        XCTAssertEqual(header["filename"], #"x "quoted" ; y.png"#)
        XCTAssertEqual(HeaderParameters(#"form-data; name="back\\slash""#)["name"], #"back\slash"#)
        XCTAssertEqual(HeaderParameters("form-data; name=plain ; other=1")["name"], "plain")
    }

    func testRFC2231FilenameWinsWhicheverComesFirst() {
        let after = HeaderParameters(#"form-data; name="f"; filename="euro.png"; filename*=UTF-8''%E2%82%AC%20rates.png"#)
        XCTAssertEqual(after["filename"], "€ rates.png")
        let before = HeaderParameters(#"form-data; name="f"; filename*=utf-8'en'%E2%82%AC.png; filename="euro.png""#)
        XCTAssertEqual(before["filename"], "€.png")
        XCTAssertEqual(HeaderParameters("form-data; filename*=iso-8859-1''caf%E9.png")["filename"], "café.png")
        // Broken UTF-8 or an unknown charset: the plain name stays.
        XCTAssertEqual(HeaderParameters(#"form-data; filename="a.png"; filename*=UTF-8''%FF.png"#)["filename"], "a.png")
        XCTAssertEqual(HeaderParameters(#"form-data; filename="a.png"; filename*=KOI8-R''%C1.png"#)["filename"], "a.png")
    }

    func testBoundaryInContentType() {
        XCTAssertEqual(HeaderParameters(#"multipart/form-data; boundary="a;b c""#)["boundary"], "a;b c")
        XCTAssertEqual(HeaderParameters("Multipart/Form-Data;boundary=----WebKitFormBoundaryX")["boundary"], "----WebKitFormBoundaryX")
    }
}
