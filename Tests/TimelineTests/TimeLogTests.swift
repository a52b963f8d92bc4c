import Foundation
import TestSupport
import Testing
@testable import Timeline

@Suite struct TimeLogTests {
    /// 2026-11-26T00:00:00Z.
    static let day: Int64 = 1_795_651_200_000

    @Test func goldenLogParsesToExactEvents() throws {
        // The lines of Docs/simulator.md (sections 3 and 5.3) plus a TIME_SET with both keys and
        // a line in another zone, as the simulator writes them.
        let text = """
        2026-11-26T07:58:40.000+08:00 POWER_ON
        2026-11-26T08:01:12.000+08:00 GNSS_SYNC correction_ms=-1180
        2026-11-26T08:15:02.000+08:00 RECORD_START file=20261126_081502_0001.MP4
        2026-11-26T09:31:02.123+08:00 MARK_IMPORTANT file=20261126_093011_0002.MP4 note 执法=是
        2026-11-25T18:30:00.000-05:30 TIME_SET old=2026-11-25T18:30:07.250-05:30 new=2026-11-25T18:30:00.000-05:30
        2026-11-26T10:00:00.999+00:00 POWER_OFF

        """
        let log = TimeLog(bytes: Array(text.utf8))
        #expect(log.rejectedCount == 0 && log.rejected.isEmpty, "\(log.rejected)")
        #expect(log.lineCount == 6)
        let e = log.events
        try #require(e.count == 6)
        #expect(e.map(\.type) == ["POWER_ON", "GNSS_SYNC", "RECORD_START", "MARK_IMPORTANT", "TIME_SET", "POWER_OFF"])
        #expect(e.map(\.line) == [1, 2, 3, 4, 5, 6])
        // 07:58:40 at +08:00 is 23:58:40Z the day before.
        #expect(e[0].deviceUTCms == Self.day - 80_000)
        #expect(e[0].zoneOffsetMinutes == 480 && e[0].detail.isEmpty && e[0].fields.isEmpty)
        #expect(e[1].deviceUTCms == Self.day + 72_000)
        #expect(e[1].fields == ["correction_ms": "-1180"] && e[1].clockCorrectionMs == -1180 && e[1].isSyncPoint)
        #expect(e[2].fields == ["file": "20261126_081502_0001.MP4"] && !e[2].isSyncPoint && e[2].clockCorrectionMs == nil)
        #expect(e[3].deviceUTCms == Self.day + (1 * 3600 + 31 * 60 + 2) * 1000 + 123)
        #expect(e[3].detail == "file=20261126_093011_0002.MP4 note 执法=是")
        #expect(e[3].fields == ["file": "20261126_093011_0002.MP4"], "a non-ASCII key is not a field")
        // 18:30 at −05:30 is 00:00Z on the 26th.
        #expect(e[4].deviceUTCms == Self.day && e[4].zoneOffsetMinutes == -330)
        #expect(e[4].clockCorrectionMs == -7250)
        #expect(e[5].deviceUTCms == Self.day + 36_000_999 && e[5].zoneOffsetMinutes == 0)
    }

    @Test func emptyInputHasNoLines() {
        let log = TimeLog(bytes: [])
        #expect(log.events.isEmpty && log.lineCount == 0 && log.rejectedCount == 0)
        #expect(TimeLog(data: Data("2026-11-26T08:00:00.000+08:00 X\n".utf8)).events.count == 1)
    }

    static let good = "2026-11-26T08:00:00.000+08:00"

    /// (line as written, expected reason). Each is rejected alone; the good lines around it
    /// show that one bad line costs only itself.
    static let malformed: [(String, TimeLogLineError)] = [
        ("", .empty),
        ("\(good) POWER_ON\r", .carriageReturn(offset: 38)),
        ("\(good) POWER\u{0}ON", .nulByte(offset: 35)),
        ("2026-11-26T08:00:00+08:00 POWER_ON", .badTimestamp(field: "shape", found: "2026-11-26T08:00:00+08:00")),
        ("2026-11-26T08:00:00.000Z POWER_ON", .badTimestamp(field: "shape", found: "2026-11-26T08:00:00.000Z")),
        ("2026-11-26 08:00:00.000+08:00 POWER_ON", .badTimestamp(field: "shape", found: "2026-11-26")),
        ("2026-13-26T08:00:00.000+08:00 POWER_ON", .badTimestamp(field: "month", found: "13")),
        ("2026-02-29T08:00:00.000+08:00 POWER_ON", .badTimestamp(field: "day", found: "29")),
        ("2026-11-26T24:00:00.000+08:00 POWER_ON", .badTimestamp(field: "hour", found: "24")),
        ("2026-11-26T08:60:00.000+08:00 POWER_ON", .badTimestamp(field: "minute", found: "60")),
        ("2026-11-26T08:00:60.000+08:00 POWER_ON", .badTimestamp(field: "second", found: "60")),
        ("2026-11-26T08:00:00.000+15:00 POWER_ON", .badTimestamp(field: "offset", found: "+15:00")),
        ("2026-11-26T08:00:00.000-00:00 POWER_ON", .badTimestamp(field: "offset", found: "-00:00")),
        ("2026-11-26T08:00:00.000+08:60 POWER_ON", .badTimestamp(field: "offset", found: "+08:60")),
        ("２026-11-26T08:00:00.000+08:00 POWER_ON", .badTimestamp(field: "shape", found: "２026-11-26T08:00:00.000+08:00")),
        (good, .missingType),
        ("\(good) ", .missingType),
        ("\(good)  POWER_ON", .missingType),
        ("\(good) power_on", .badType(found: "power_on")),
        ("\(good) POWER-ON", .badType(found: "POWER-ON")),
        ("\(good) POWER_ON ", .trailingSpace),
        ("\(good) GNSS_SYNC correction_ms=-11.8", .badDetail(key: "correction_ms", reason: "is \"-11.8\", not an integer of at most 12 digits")),
        ("\(good) GNSS_SYNC correction_ms=", .badDetail(key: "correction_ms", reason: "is \"\", not an integer of at most 12 digits")),
        ("\(good) GNSS_SYNC correction_ms=1234567890123", .badDetail(key: "correction_ms", reason: "is \"1234567890123\", not an integer of at most 12 digits")),
        ("\(good) GNSS_SYNC correction_ms=1 correction_ms=2", .badDetail(key: "correction_ms", reason: "appears more than once")),
        ("\(good) TIME_SET old=\(good)", .badDetail(key: "new", reason: "is missing: TIME_SET takes old= and new= together or neither")),
        ("\(good) TIME_SET new=\(good)", .badDetail(key: "old", reason: "is missing: TIME_SET takes old= and new= together or neither")),
    ]

    @Test func malformedLinesAreRejectedWithLineNumberAndReason() {
        for (line, reason) in Self.malformed {
            let text = "\(Self.good) POWER_ON\n" + line + "\n" + "\(Self.good) POWER_OFF\n"
            let log = TimeLog(bytes: Array(text.utf8))
            #expect(log.events.map(\.type) == ["POWER_ON", "POWER_OFF"], "\(line)")
            #expect(log.events.map(\.line) == [1, 3])
            #expect(log.lineCount == 3 && log.rejectedCount == 1)
            #expect(log.rejected.first?.line == 2)
            #expect(log.rejected.first?.reason == reason, "\(line)")
        }
    }

    @Test func badTimeSetTimestampNamesTheKey() {
        let log = TimeLog(bytes: Array("\(Self.good) TIME_SET old=yesterday new=\(Self.good)\n".utf8))
        guard case .badDetail(let key, _)? = log.rejected.first?.reason else {
            Issue.record("expected badDetail, got \(log.rejected)")
            return
        }
        #expect(key == "old")
    }

    @Test func otherBytesAreRejectedToo() {
        var bytes = Array("\(Self.good) NOTE text=".utf8) + [0xC3, 0x28] + [0x0A]   // invalid UTF-8
        bytes += Array("\(Self.good) NOTE ".utf8) + Array(repeating: UInt8(ascii: "x"), count: 5000) + [0x0A]
        bytes += Array("\(Self.good) GNSS_SYNC correction_ms=-11".utf8)               // cut off mid-write
        let log = TimeLog(bytes: bytes)
        #expect(log.events.isEmpty)
        #expect(log.rejected.map(\.reason) == [.invalidUTF8, .tooLong(bytes: 5035, limit: 4096), .unterminated])
        #expect(log.rejected.map(\.line) == [1, 2, 3] && log.lineCount == 3)
    }

    @Test func tabsAndOddKeysStayInTheDetail() {
        let log = TimeLog(bytes: Array("\(Self.good) NOTE a=1\tb=2  c==3 =4 d=\n".utf8))
        #expect(log.events.first?.detail == "a=1\tb=2  c==3 =4 d=")
        #expect(log.events.first?.fields == ["a": "1\tb=2", "c": "=3", "d": ""], "a tab is not a separator; an empty key is not a field")
    }

    @Test func rejectedLinesAreCountedButKeptOnlyUpToTheLimit() {
        let text = String(repeating: "junk\n", count: TimeLog.maximumRejectedKept + 10)
        let log = TimeLog(bytes: Array(text.utf8))
        #expect(log.rejectedCount == TimeLog.maximumRejectedKept + 10)
        #expect(log.rejected.count == TimeLog.maximumRejectedKept)
        #expect(log.rejected.last?.line == TimeLog.maximumRejectedKept)
    }

    @Test func randomBytesNeverTrapAndEveryLineIsAccountedFor() {
        var rng = SplitMix64(seed: 0x5EED_0001)
        let alphabet = Array("0123456789-:.+T ZAB_=\n\r\u{0}é执".utf8)
        for round in 0..<3000 {
            let count = Int(rng.next() % 300)
            let bytes: [UInt8] = (0..<count).map { _ in
                let r = rng.next()
                // Half the rounds draw from bytes that make near-valid lines, half from all bytes.
                return round % 2 == 0 ? alphabet[Int(r % UInt64(alphabet.count))] : UInt8(truncatingIfNeeded: r)
            }
            let log = TimeLog(bytes: bytes)
            #expect(log.events.count + log.rejectedCount == log.lineCount)
            #expect(log.lineCount == bytes.split(separator: 0x0A, omittingEmptySubsequences: false).count - (bytes.last == 0x0A || bytes.isEmpty ? 1 : 0))
        }
        // Mutations of a good line reach deep into the parser.
        let seed = Array("2026-11-26T08:01:12.000+08:00 TIME_SET old=2026-11-26T08:01:13.180+08:00 new=2026-11-26T08:01:12.000+08:00\n".utf8)
        for _ in 0..<5000 {
            var bytes = seed
            for _ in 0..<(1 + rng.next() % 3) {
                bytes[Int(rng.next() % UInt64(bytes.count))] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
            }
            let log = TimeLog(bytes: bytes)
            #expect(log.events.count + log.rejectedCount == log.lineCount)
            for e in log.events where e.type == "TIME_SET" { _ = e.clockCorrectionMs }
        }
    }
}
