import Evidence
import Foundation
import Testing

@Suite struct UTCTimestampTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (1_795_680_902_123, "2026-11-26T08:15:02.123Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (1_709_251_199_999, "2024-02-29T23:59:59.999Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        (253_402_300_800_000, "+10000-01-01T00:00:00.000Z"),
        (Int64.max, "+292278994-08-17T07:12:55.807Z"),
        (Int64.min, "-292275055-05-16T16:47:04.192Z"),
    ])
    func millisecondsFormatAsISO8601UTC(ms: Int64, text: String) {
        #expect(UTCTimestamp.string(milliseconds: ms) == text)
    }

    @Test func datesRoundToTheMillisecondTheyWereMadeFrom() {
        // 1795680902.123 is not exact in binary; truncating would give .122.
        let date = Date(timeIntervalSince1970: 1_795_680_902.123)
        #expect(UTCTimestamp.string(date) == "2026-11-26T08:15:02.123Z")
        #expect(UTCTimestamp.milliseconds(date) == 1_795_680_902_123)
        #expect(UTCTimestamp.day(date) == "2026-11-26")
        #expect(UTCTimestamp.day(Date(timeIntervalSince1970: -0.5)) == "1969-12-31")
    }
}

@Suite struct UTCTimestampParsingTests {
    @Test func whatIsWrittenReadsBack() {
        for ms: Int64 in [0, 1, 951_782_400_123, 1_795_780_800_999, 4_102_444_799_000, 253_402_300_799_999] {
            let text = UTCTimestamp.string(milliseconds: ms)
            #expect(UTCTimestamp.date(text).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) } == ms, "\(text)")
        }
        #expect(UTCTimestamp.date("2026-11-27T13:05:00Z") == Date(timeIntervalSince1970: 1_795_784_700))
    }

    @Test(arguments: ["", "2026-11-27", "2026-11-27T13:05:00", "2026-02-30T00:00:00.000Z", "2026-13-01T00:00:00.000Z",
                      "2026-11-27T24:00:00.000Z", "2026-11-27T13:05:00.00Z", "2026-11-27 13:05:00.000Z", "２026-11-27T13:05:00.000Z"])
    func anythingElseIsNil(text: String) {
        #expect(UTCTimestamp.date(text) == nil)
    }
}

/// `milliseconds(parsing:)` is the exact inverse of `string(milliseconds:)` for every Int64,
/// expanded years included: a corrected time is computed from the device time the custody
/// record holds, and a device time the parser could not read used to become 1970.
@Suite struct UTCTimestampExactParsingTests {
    static let instants: [Int64] = [
        .min, .min + 1, -62_167_219_200_001, -62_167_219_200_000, -1, 0, 1, 1_795_680_902_123,
        -2_934_719_097_877,   // 1877: 2026 minus 150 years
        6_526_080_902_123,    // 2176: 2026 plus 150 years
        253_402_300_799_999, 253_402_300_800_000, .max - 1, .max,
    ]

    @Test(arguments: instants)
    func everyMillisecondCountReadsBackExactly(ms: Int64) {
        let text = UTCTimestamp.string(milliseconds: ms)
        #expect(UTCTimestamp.milliseconds(parsing: text) == ms, "\(text)")
    }

    @Test(arguments: ["", "2026-11-27T13:05:00", "+2026-11-27T13:05:00.000Z", "10000-01-01T00:00:00.000Z",
                      "-001-01-01T00:00:00.000Z", "+292278994-08-17T07:12:55.808Z", "-292275055-05-16T16:47:04.191Z",
                      "+9999999999999999999-01-01T00:00:00.000Z", "2026-02-30T00:00:00.000Z", "-0000-01-01T00:00:00.000Z",
                      "+10000-01-01T00:00:00Z"])
    func textThatStringDoesNotWriteIsNil(text: String) {
        #expect(UTCTimestamp.milliseconds(parsing: text) == nil)
    }

    @Test func theShortFormWithoutMillisecondsReadsToo() {
        #expect(UTCTimestamp.milliseconds(parsing: "2026-11-27T13:05:00Z") == 1_795_784_700_000)
    }
}
