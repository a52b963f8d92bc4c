import Foundation
import Testing
@testable import Timeline

/// `IntegrityReport.json()` splices the entries one by one into the encoder's layout of the
/// rest (to keep memory near the output's size); every report written so far was encoded
/// whole by JSONEncoder, so the bytes must stay exactly that.
@Suite struct ReportJSONLayoutTests {
    static let t0 = IntegrityReportTests.t0, minute = IntegrityReportTests.minute

    /// `report` encoded whole, as `json()` wrote it before the splice.
    static func wholeEncoding(_ report: IntegrityReport) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(report) + Data("\n".utf8)
    }

    /// Odd entries: Chinese and replaced (invalid UTF-8) paths, quotes and newlines, quarantined,
    /// unverified and unhashed files, an end before the start, unknown times, sequence gaps,
    /// overlaps and duty gaps, logs.
    static var oddRecordings: [Recording] {
        [Recording(id: 1, kind: "video", sequence: 3, important: true, deviceStartMs: t0, deviceEndMs: t0 + 10 * minute,
                   size: 100, deviceSha256: "aa", sha256: "aa", verified: true, bagPath: "data/DCIM/视频 1.MP4"),
         Recording(id: 2, kind: "vid\u{FFFD}eo", sequence: 9, deviceStartMs: t0 + 5 * minute, deviceEndMs: t0 + 6 * minute,
                   size: 0, deviceSha256: "aa", sha256: "bb", verified: false, quarantined: true,
                   bagPath: "data/DCIM/\u{FFFD}\u{FFFD}\"x\"\n/a\\b.MP4"),
         Recording(id: 3, kind: "photo", sequence: 10, deviceStartMs: t0 + 200 * minute, deviceEndMs: t0 + 190 * minute,
                   size: 7, deviceSha256: nil, sha256: "cc", verified: false, bagPath: "data/P/3.JPG"),
         Recording(id: 4, kind: "video", sequence: 40, deviceStartMs: nil, deviceEndMs: nil,
                   size: 1, deviceSha256: "dd", sha256: nil, verified: false, bagPath: "data/4\t.MP4"),
         Recording(id: 5, kind: "time-log", sequence: 11, deviceStartMs: t0, deviceEndMs: t0,
                   size: 12, deviceSha256: nil, sha256: "ee", verified: true, bagPath: "data/LOG/TIME.LOG")]
    }

    @Test(arguments: [0, 1, 2, 5, 300])
    func jsonIsByteForByteTheEncodersLayout(entries: Int) throws {
        let odd = Self.oddRecordings
        let recordings = (0..<entries).map { i in
            var r = odd[i % odd.count]
            r.id = UInt32(i + 1)
            return r
        }
        let report = IntegrityReportTests.report(recordings)
        #expect(report.json() == (try Self.wholeEncoding(report)))
    }

    @Test func theDutyDayReportIsByteForByteTheEncodersLayout() throws {
        let report = DutyDay.report
        #expect(report.recordings.count > 3 && report.timeLog != nil && !report.findings.isEmpty)
        #expect(report.json() == (try Self.wholeEncoding(report)))
    }

    @Test func pieceByPieceGivesTheSameBytes() throws {
        let report = DutyDay.report
        var pieces = 0
        var joined = Data()
        report.writeJSON { joined.append($0); pieces += 1 }
        #expect(joined == report.json())
        #expect(pieces > report.recordings.count)
    }

    @Test func theTimelinePieceByPieceIsTheSameText() {
        let report = IntegrityReportTests.report(Self.oddRecordings)
        var joined = Data()
        report.writeTimelineSVG { joined.append($0) }
        #expect(joined == Data(report.timelineSVG().utf8))
    }
}
