import Foundation
@testable import Web
import XCTest

/// The session data's JSON: what every engine stores.
final class SessionJSONTests: XCTestCase {
    func testRoundTripOfEveryKindOfValue() {
        let data: SessionData = [
            "cart": ["12": ["quantity": 2, "price": "8.50"]],
            "orders": [1, 2, 3],
            "flag": true, "none": nil, "ratio": 0.25, "negative": -7, "big": .int(Int.max),
            "text": "quote \" backslash \\ slash / newline \n tab \t bell \u{7} ümlaut 🍵 <b>",
            "empty": [:], "list": [],
        ]
        let text = SessionCoding.encode(data)
        XCTAssertEqual(SessionCoding.decode(text), data)
        XCTAssertEqual(SessionCoding.encode(data), text, "deterministic: keys sorted")
        // Foundation's parser reads it as the same JSON.
        let foundation = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        XCTAssertEqual(foundation?["text"] as? String, data["text"]?.stringValue)
        XCTAssertEqual((foundation?["orders"] as? [Int]), [1, 2, 3])
    }

    /// The exact text: keys sorted at every level, integers in full, plain strings as they are
    /// and the others escaped as Python's `json.dumps` escapes them.
    func testWritesSortedCompactText() {
        let value: SessionValue = [
            "z": [0, -7, .int(Int.min), .int(Int.max), 1_000_000],
            "a": ["b": "plain-text_42", "a": "tab\tquote\"back\\slash\u{1}", "c": "é🍵"],
            "m": [:], "n": nil, "t": true,
        ]
        XCTAssertEqual(SessionJSON.encode(value), #"{"a":{"a":"tab\tquote\"back\\slash\u0001","b":"plain-text_42","c":"\u00e9\ud83c\udf75"},"#
            + #""m":{},"n":null,"t":true,"z":[0,-7,-9223372036854775808,9223372036854775807,1000000]}"#)
    }

    func testReadsWhatOtherWritersWrite() {
        let text = #"{ "a" : [ 1 , 2.5e1 , -0.5 ] , "b" : "\u00e9\ud83c\udf75\/" , "c" : false , "d" : null }"#
        XCTAssertEqual(SessionCoding.decode(text), ["a": [1, 25.0, -0.5], "b": "é🍵/", "c": false, "d": nil])
    }

    func testRejectsAnythingMalformed() {
        for bad in ["", "[]", "\"text\"", "{", "{\"a\":}", "{\"a\":1,}", "{\"a\":01x}", "{\"a\":tru}", "{\"a\":\"\\x\"}",
                    "{\"a\":\"\\ud83c\"}", "{\"a\":\"raw\ncontrol\"}", "{\"a\":1} trailing", "gAJ9cQAu", "{\"a\":1e999}",
                    String(repeating: "[", count: 200) + String(repeating: "]", count: 200)] {
            XCTAssertNil(SessionCoding.decode(bad), bad)
        }
        // Bytes that are not UTF-8, in a plain string and after an escape.
        for bad: [UInt8] in [[0xFF], [0x5C, 0x6E, 0xC3]] {
            XCTAssertNil(SessionJSON.decode(Array(#"{"a":""#.utf8) + bad + Array(#""}"#.utf8)), "\(bad)")
        }
        XCTAssertNil(SessionJSON.decode(Array(#"{""#.utf8) + [0xFE] + Array(#"":1}"#.utf8)), "a key that is not UTF-8")
    }
}
