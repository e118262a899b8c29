import Foundation
import Postgres
import XCTest

final class TypeTests: PostgresTestCase {
    func testIntegersRoundTrip() throws {
        let db = try makeConnection()
        let row = try XCTUnwrap(db.queryOne(
            "SELECT $1::bigint AS big, $2::bigint AS small, $3::int AS i32, $4::bigint AS i64, $5::int AS plain",
            [Int.max, Int.min, Int32.max, Int64(-42), 7]
        ))
        XCTAssertEqual(try row.get("big", as: Int.self), Int.max)
        XCTAssertEqual(try row.get("small", as: Int.self), Int.min)
        XCTAssertEqual(try row.get("i32", as: Int32.self), Int32.max)
        XCTAssertEqual(try row.get("i64", as: Int64.self), -42)
        XCTAssertEqual(try row.get("plain") as Int, 7)
        XCTAssertEqual(try row.get(4, as: Int.self), 7)
    }

    func testTextUnicodeEmptyStringAndNull() throws {
        let db = try makeConnection()
        try db.execute("CREATE TEMP TABLE notes (id int PRIMARY KEY, body text)")
        let unicode = "Crème brûlée – 日本語 – 🛒👩‍👩‍👧‍👦 – \"quotes\" \\ back\\slash\ttab\nnewline"
        try db.execute("INSERT INTO notes VALUES ($1, $2)", [1, unicode])
        try db.execute("INSERT INTO notes VALUES ($1, $2)", [2, ""])
        try db.execute("INSERT INTO notes VALUES ($1, $2)", [3, String?.none])
        try db.execute("INSERT INTO notes VALUES ($1, $2)", [4, PostgresNull()])
        try db.execute("INSERT INTO notes VALUES ($1, $2)", [5, Substring("sub")])

        let rows = try db.query("SELECT id, body FROM notes ORDER BY id")
        XCTAssertEqual(rows.count, 5)
        XCTAssertEqual(try rows[0].get("body", as: String.self), unicode)
        XCTAssertEqual(try rows[1].get("body", as: String.self), "")
        XCTAssertFalse(rows[1].isNull("body"))
        XCTAssertEqual(try rows[1].get("body", as: String?.self), .some(""))
        XCTAssertTrue(rows[2].isNull("body"))
        XCTAssertEqual(try rows[2].get("body", as: String?.self), nil)
        XCTAssertTrue(rows[3].isNull("body"))
        XCTAssertEqual(try rows[4].get("body", as: String.self), "sub")
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM notes WHERE body IS NULL", as: Int.self), 2)
        XCTAssertEqual(try db.scalar("SELECT length($1::text)", [unicode], as: Int.self), unicode.unicodeScalars.count)
    }

    func testDecimalIsExact() throws {
        let db = try makeConnection()
        try db.execute("CREATE TEMP TABLE prices (id int PRIMARY KEY, amount numeric(10,2))")
        let tenth = try XCTUnwrap(Decimal(string: "0.1"))
        let fifth = try XCTUnwrap(Decimal(string: "0.2"))
        try db.execute("INSERT INTO prices VALUES (1, $1::numeric + $2::numeric)", [tenth, fifth])
        try db.execute("INSERT INTO prices VALUES (2, $1)", [tenth + fifth])
        try db.execute("INSERT INTO prices VALUES (3, $1)", [0.1 + 0.2])  // a Double, rounded by numeric(10,2)
        try db.execute("INSERT INTO prices VALUES (4, $1)", [Decimal(string: "99999999.99")!])
        try db.execute("INSERT INTO prices VALUES (5, $1)", [Decimal(string: "-12.34")!])
        try db.execute("INSERT INTO prices VALUES (6, $1)", [Decimal(string: "19.99")!])
        try db.execute("INSERT INTO prices VALUES (7, $1)", [Decimal?.none])

        let rows = try db.query("SELECT id, amount, amount::text AS text FROM prices ORDER BY id")
        let thirty = Decimal(string: "0.30")!
        for row in rows[0..<3] {
            XCTAssertEqual(try row.get("amount", as: Decimal.self), thirty)
            XCTAssertEqual(try row.get("text", as: String.self), "0.30")
        }
        XCTAssertEqual(try rows[3].get("amount", as: Decimal.self), Decimal(string: "99999999.99")!)
        XCTAssertEqual(try rows[3].get("amount", as: Decimal.self).postgresText, "99999999.99")
        XCTAssertEqual(try rows[4].get("amount", as: Decimal.self), Decimal(string: "-12.34")!)
        XCTAssertEqual(try rows[5].get("amount", as: Decimal.self), Decimal(string: "19.99")!)
        XCTAssertEqual(try rows[5].get("amount", as: Decimal.self) * 3, Decimal(string: "59.97")!)
        XCTAssertEqual(try rows[6].get("amount", as: Decimal?.self), nil)
        XCTAssertEqual(try db.scalar("SELECT sum(amount) FROM prices WHERE id IN (1, 6)", as: Decimal.self), Decimal(string: "20.29")!)

        // Out of range for numeric(10,2): a query error with the server's SQLSTATE.
        assertPostgresError(try db.execute("INSERT INTO prices VALUES (8, $1)", [Decimal(string: "100000000.00")!]),
                            kind: .query, sqlState: "22003")
    }

    func testDecimalTextNeverUsesExponent() throws {
        let cases = ["1e20": "100000000000000000000", "1e-8": "0.00000001", "19.99": "19.99",
                     "-0.5": "-0.5", "123456789.123456789": "123456789.123456789", "0": "0"]
        for (input, expected) in cases {
            XCTAssertEqual(Decimal(string: input)!.postgresText, expected)
        }
        let db = try makeConnection()
        let big = Decimal(string: "1e30")!
        XCTAssertEqual(try db.scalar("SELECT $1::numeric", [big], as: Decimal.self), big)
        XCTAssertEqual(try db.scalar("SELECT $1::numeric::text", [Decimal(string: "1e-10")!], as: String.self), "0.0000000001")
        XCTAssertThrowsError(try Decimal(postgresText: "12abc"))
        XCTAssertThrowsError(try Decimal(postgresText: ""))
        XCTAssertTrue(try Decimal(postgresText: "NaN").isNaN)
    }

    func testBool() throws {
        let db = try makeConnection()
        let row = try XCTUnwrap(db.queryOne("SELECT $1::bool AS yes, $2::bool AS no, NULL::bool AS unknown", [true, false]))
        XCTAssertEqual(try row.get("yes", as: Bool.self), true)
        XCTAssertEqual(try row.get("no", as: Bool.self), false)
        XCTAssertEqual(try row.get("unknown", as: Bool?.self), nil)
        XCTAssertEqual(true.postgresText, "true")
    }

    func testTimestamptzRoundTripsToTheMicrosecond() throws {
        let db = try makeConnection()
        try db.execute("CREATE TEMP TABLE events (id int PRIMARY KEY, at timestamptz, day date, local timestamp)")
        let text = "2026-11-26 14:25:05.123456+00"
        let date = try Date(postgresText: text)
        XCTAssertEqual(date.postgresText, text)
        XCTAssertEqual(date.timeIntervalSince1970, 1_795_703_105.123456, accuracy: 0.000_000_5)

        try db.execute("INSERT INTO events VALUES (1, $1, $1::timestamptz::date, $1::timestamptz)", [date])
        try db.execute("INSERT INTO events VALUES (2, $1, NULL, NULL)", [Date?.none])
        let old = Date(timeIntervalSince1970: -1_000_000_000.000_001)  // 1938, negative epoch
        try db.execute("INSERT INTO events VALUES (3, $1, NULL, NULL)", [old])

        let rows = try db.query("SELECT id, at, at::text AS text, day, local FROM events ORDER BY id")
        XCTAssertEqual(try rows[0].get("at", as: Date.self), date)
        XCTAssertEqual(try rows[0].get("text", as: String.self), text)
        XCTAssertEqual(try rows[0].get("day", as: Date.self), try Date(postgresText: "2026-11-26"))
        XCTAssertEqual(try rows[0].get("local", as: Date.self), date)
        XCTAssertEqual(try rows[1].get("at", as: Date?.self), nil)
        XCTAssertEqual(try rows[2].get("at", as: Date.self).postgresText, "1938-04-24 22:13:19.999999+00")

        // A value written with an offset comes back in UTC (the session time zone).
        XCTAssertEqual(try db.scalar("SHOW TimeZone", as: String.self), "UTC")
        let shifted = try db.scalar("SELECT '2026-11-26 19:55:05.5+05:30'::timestamptz", as: Date.self)
        XCTAssertEqual(shifted, try Date(postgresText: "2026-11-26 14:25:05.5+00"))
        XCTAssertEqual(try db.scalar("SELECT now() - $1::timestamptz < interval '1 minute'", [Date()], as: Bool.self), true)
    }

    func testNullAndDecodingErrors() throws {
        let db = try makeConnection()
        let row = try XCTUnwrap(db.queryOne("SELECT NULL::int AS n, 5 AS five, 'abc' AS word, 1.5 AS fraction"))
        XCTAssertEqual(row.columns, ["n", "five", "word", "fraction"])
        XCTAssertTrue(row.isNull("n"))
        XCTAssertFalse(row.isNull("five"))
        XCTAssertEqual(try row.get("n", as: Int?.self), nil)
        XCTAssertEqual(try row.get("five", as: Int?.self), 5)
        XCTAssertEqual(try row.get("fraction", as: Double.self), 1.5)
        assertPostgresError(try row.get("n", as: Int.self), kind: .decoding)
        assertPostgresError(try row.get("word", as: Int.self), kind: .decoding)
        assertPostgresError(try row.get("fraction", as: Int.self), kind: .decoding)
        assertPostgresError(try row.get("word", as: Date.self), kind: .decoding)
        assertPostgresError(try row.get("missing", as: String.self), kind: .decoding)
        assertPostgresError(try row.get(9, as: String.self), kind: .decoding)
        XCTAssertThrowsError(try row.get("n", as: Int.self)) { error in
            XCTAssertTrue("\(error)".contains("\"n\""), "the message names the column: \(error)")
        }
    }

    func testQueryOneScalarAndExecuteCounts() throws {
        let db = try makeConnection()
        try db.execute("CREATE TEMP TABLE items (id int PRIMARY KEY, name text NOT NULL)")
        XCTAssertEqual(try db.execute("INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 5) g"), 5)
        XCTAssertEqual(try db.execute("UPDATE items SET name = name || '!' WHERE id > $1", [3]), 2)
        XCTAssertNil(try db.queryOne("SELECT * FROM items WHERE id = $1", [99]))
        XCTAssertEqual(try db.queryOne("SELECT name FROM items WHERE id = $1", [4])?.get("name", as: String.self), "item 4!")
        XCTAssertNil(try db.scalar("SELECT name FROM items WHERE id = $1", [99], as: String.self))
        XCTAssertNil(try db.scalar("SELECT NULL::text", as: String.self))
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM items", as: Int.self), 5)
        XCTAssertEqual(try db.query("SELECT id FROM items ORDER BY id").map { try $0.get("id", as: Int.self) }, [1, 2, 3, 4, 5])
        XCTAssertEqual(try db.execute("DELETE FROM items"), 5)
    }

    func testUUIDRoundTrip() throws {
        let db = try makeConnection()
        let id = UUID()
        XCTAssertEqual(try db.scalar("SELECT $1::uuid", [id], as: UUID.self), id)
    }
}

/// Text conversions that need no server.
final class PostgresTextTests: XCTestCase {
    func testTimestampParsingVariants() throws {
        let base = try Date(postgresText: "2026-11-26 14:25:05+00")
        let variants: [(String, Double)] = [
            ("2026-11-26 14:25:05", 0),
            ("2026-11-26T14:25:05Z", 0),
            ("2026-11-26 14:25:05.1+00", 0.1),
            ("2026-11-26 14:25:05.12+00", 0.12),
            ("2026-11-26 14:25:05.123+00", 0.123),
            ("2026-11-26 14:25:05.1234+00", 0.1234),
            ("2026-11-26 14:25:05.12345+00", 0.12345),
            ("2026-11-26 14:25:05.123456+00", 0.123456),
            ("2026-11-26 19:55:05+05:30", 0),
            ("2026-11-26 06:25:05-08", 0),
            ("2026-11-26 06:25:05-0800", 0),
            ("2026-11-26 14:25:05.000001+00", 0.000001),
        ]
        for (text, offset) in variants {
            XCTAssertEqual(try Date(postgresText: text).timeIntervalSince(base), offset, accuracy: 0.000_000_5, text)
        }
        XCTAssertEqual(try Date(postgresText: "1970-01-01").timeIntervalSince1970, 0)
        XCTAssertEqual(try Date(postgresText: "2000-02-29 00:00:00+00").postgresText, "2000-02-29 00:00:00.000000+00")
        XCTAssertEqual(try Date(postgresText: "0001-01-01 00:00:00+00 BC").postgresText, "0001-01-01 00:00:00.000000+00 BC")
        XCTAssertEqual(try Date(postgresText: "infinity"), .distantFuture)
        for bad in ["", "2026-13-01", "2026-11-26 25:00:00", "2026-11-26 14:25", "yesterday", "2026-11-26 14:25:05+", "2026-11-26 14:25:05 junk"] {
            XCTAssertThrowsError(try Date(postgresText: bad), bad)
        }
    }

    func testDateTextIsUTCWithMicroseconds() {
        let date = Date(timeIntervalSince1970: 1_795_703_105.5)
        XCTAssertEqual(date.postgresText, "2026-11-26 14:25:05.500000+00")
        XCTAssertEqual(Date(timeIntervalSince1970: 0).postgresText, "1970-01-01 00:00:00.000000+00")
    }

    func testBindableTexts() {
        XCTAssertEqual(Int?.none.postgresText, nil)
        XCTAssertEqual(Int?.some(3).postgresText, "3")
        XCTAssertNil(PostgresNull().postgresText)
        XCTAssertEqual(false.postgresText, "false")
        XCTAssertEqual(Double.infinity.postgresText, "Infinity")
    }

    func testDecimalParsing() throws {
        let cases = ["19.99", "-19.99", "0.30", "-0.00", "0", "99999999.99", "0.000001", "-5",
                     "18446744073709551615", "18446744073709551616.5", "123456789012345678901234567890.12345678",
                     "1e3", "-2.5E-3"]
        for text in cases {
            XCTAssertEqual(try Decimal(postgresText: text), Decimal(string: text)!, text)
        }
        XCTAssertEqual(try Decimal(postgresText: "19.99").postgresText, "19.99")
        XCTAssertEqual(try Decimal(postgresText: "-0.00").postgresText, "0")
        XCTAssertFalse(try Decimal(postgresText: "-0.00").isNaN)
        for bad in ["", "-", ".", "1.2.3", "--1", "1-", "12abc", "1e", "Infinity", " 1"] {
            XCTAssertThrowsError(try Decimal(postgresText: bad), bad)
        }
    }

    func testStandaloneRow() throws {
        let row = PostgresRow(columns: ["id", "name"], values: ["1", nil])
        XCTAssertEqual(try row.get("id", as: Int.self), 1)
        XCTAssertEqual(try row.get("name", as: String?.self), nil)
        XCTAssertTrue(row.isNull("name"))
    }

    func testErrorClassification() {
        XCTAssertTrue(PostgresError(kind: .query, message: "x", sqlState: "23505").isUniqueViolation)
        XCTAssertTrue(PostgresError(kind: .query, message: "x", sqlState: "23514").isCheckViolation)
        XCTAssertTrue(PostgresError(kind: .query, message: "x", sqlState: "57P01").isConnectionFailure)
        XCTAssertTrue(PostgresError(kind: .query, message: "x", sqlState: "08006").isConnectionFailure)
        XCTAssertTrue(PostgresError(kind: .connection, message: "x").isConnectionFailure)
        XCTAssertFalse(PostgresError(kind: .query, message: "x", sqlState: "23505").isConnectionFailure)
    }
}
