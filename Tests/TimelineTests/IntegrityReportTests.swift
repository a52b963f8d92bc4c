import Foundation
import TestSupport
import Testing
@testable import Timeline

@Suite struct IntegrityReportTests {
    static let t0: Int64 = 1_795_651_200_000   // 2026-11-26T00:00:00Z
    static let minute: Int64 = 60_000

    /// A clock that is exactly right, so device times are corrected times.
    static let exactClock = ClockModel(dockOffsetMs: 0, measuredAtUTCms: t0 + 24 * 60 * minute,
                                       events: [TimeLogEvent(deviceUTCms: t0 - 60 * minute, zoneOffsetMinutes: 480, type: "GNSS_SYNC", detail: "correction_ms=0")])

    static func rec(_ id: UInt32, seq: UInt32? = nil, _ kind: String = "video", from: Int64, to: Int64) -> Recording {
        Recording(id: id, kind: kind, sequence: seq ?? id, deviceStartMs: t0 + from, deviceEndMs: t0 + to, size: 1,
                  deviceSha256: "aa", sha256: "aa", verified: true, bagPath: "data/\(id)")
    }

    static func report(_ recordings: [Recording], fixes: [Int64] = [], clock: ClockModel = exactClock,
                       options: ReportOptions = ReportOptions()) -> IntegrityReport {
        IntegrityReport(session: SessionInput(recordings: recordings, gpsFixTimesMs: fixes, clock: clock, dock: DutyDay.dock),
                        options: options)
    }

    @Test func theDutyDayReportsWhatWasCrafted() throws {
        let r = DutyDay.report
        #expect(r.sequenceGaps == [.init(firstMissing: 106, lastMissing: 106, count: 1, afterSequence: 105, beforeSequence: 107,
                                         afterRecording: 5, beforeRecording: 6)])
        #expect(r.duplicateSequences.isEmpty)
        try #require(r.overlaps.count == 1 && r.overlapCount == 1)
        #expect(r.overlaps[0].first == 4 && r.overlaps[0].second == 5)
        // Corrected lengths shrink by the drift: 5.2 s/day is 9 ms in 150 s.
        let clock = DutyDay.clock
        #expect(r.overlaps[0].span.durationMs == clock.correctedUTC(deviceMilliseconds: DutyDay.beijing("10:05:00"))!
                - clock.correctedUTC(deviceMilliseconds: DutyDay.beijing("10:02:30"))!)
        #expect(r.overlaps[0].span.durationMs == 150_000 - 9)
        #expect(r.gaps.map { [$0.afterRecording, $0.beforeRecording] } == [[1, 2], [2, 4], [5, 6], [6, 7], [7, 8], [8, 9], [9, 10], [10, 11]])
        #expect(r.gaps.map(\.long) == [false, false, false, true, false, false, false, false])
        #expect(r.gaps[3].span.durationMs == 102 * Self.minute - 369)
        #expect(r.clock.driftSecondsPerDay == 5.2 && r.clock.driftExcessive && r.clock.flags == ["drift-excessive"])
        #expect(r.clock.syncPoints.map(\.driftSecondsPerDaySincePrevious) == [nil, 5.192])
        #expect(r.gps.uncoveredRecordings == [7, 8])
        #expect(r.recordings.first { $0.id == 1 }?.gpsCoverage == 1)
        #expect(r.recordings.first { $0.id == 12 }?.gpsCoverage == nil, "logs are not measured")
        #expect(r.important == [2, 9] && r.quarantined == [6])
        #expect(r.hashes == .init(missingDeviceHash: [13], mismatched: [6], notStored: [], unverified: [6]))
        #expect(r.timeLog == .init(lines: 5, events: 5, rejectedLines: 0, rejected: []))
        // Recordings by corrected start: the time log began the evening before.
        #expect(r.recordings.map(\.id) == [13, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
        // 2.6 s fast at 18:30 after a 06:30 sync: at 08:12:05 the clock was
        // 2600 · 6 125 000 / 43 202 600 = 368.6 ms ahead.
        let first = try #require(r.recordings.first { $0.id == 1 })
        #expect(first.corrected?.startMs == DutyDay.beijing("08:12:05") - 369)
        #expect(first.deviceStart == "2026-11-26T00:12:05.000Z" && first.corrected?.start == "2026-11-26T00:12:04.631Z")

        let codes = r.findings.map { "\($0.severity.rawValue) \($0.code)" }
        #expect(codes == ["alert sequence-gap", "alert hash-mismatch", "alert quarantined",
                          "warning recording-overlap", "warning recording-gap", "warning clock-drift", "warning unverified"]
                + Array(repeating: "info recording-gap", count: 7) + ["info gps-coverage", "info important", "info device-hash-missing"])
        #expect(r.findings[0].message == "Sequence number 106 is missing between #105 (recording 5, video) and #107 (recording 6, video): possibly deleted before docking.")
        #expect(r.findings.first { $0.code == "clock-drift" }?.message
                == "Clock drift +5.2 s/day since the last sync (2026-11-26 06:30:00 +08:00) is beyond the ±3.0 s/day norm; offset at the dock +2.600 s.")
    }

    @Test func sequenceGapsAreRunsBetweenTheSmallestAndLargestNumber() {
        let r = Self.report([
            Self.rec(1, seq: 21, from: 0, to: 1), Self.rec(2, seq: 23, "audio", from: 2, to: 3), Self.rec(3, seq: 30, "photo", from: 4, to: 4),
            Self.rec(4, seq: 26, "gps-log", from: 0, to: 9), Self.rec(5, seq: 31, from: 5, to: 6), Self.rec(6, seq: 99, "time-log", from: 0, to: 9),
        ].reversed())
        // 22; 24–25 and 27–29 (26 is the GPS log's); nothing after 31 (99 is only a log).
        #expect(r.sequenceGaps.map { [$0.firstMissing, $0.lastMissing, UInt32($0.count)] } == [[22, 22, 1], [24, 25, 2], [27, 29, 3]])
        #expect(r.sequenceGaps.map { [$0.afterRecording, $0.beforeRecording] } == [[1, 2], [2, 3], [2, 3]])
        #expect(r.findings.filter { $0.code == "sequence-gap" }.map(\.severity) == [.alert, .alert, .alert])

        #expect(Self.report([Self.rec(1, seq: 5, from: 0, to: 1)]).sequenceGaps.isEmpty)
        #expect(Self.report([Self.rec(1, seq: 0, from: 0, to: 1), Self.rec(2, seq: .max, from: 2, to: 3)]).sequenceGaps.map(\.count) == [UInt64(UInt32.max) - 1])
        let dup = Self.report([Self.rec(1, seq: 7, from: 0, to: 1), Self.rec(2, seq: 7, from: 2, to: 3), Self.rec(3, seq: 8, from: 4, to: 5)])
        #expect(dup.duplicateSequences == [7] && dup.sequenceGaps.isEmpty)
        #expect(dup.findings.filter { $0.severity != .info }.map(\.code) == ["sequence-duplicate"])
    }

    @Test func overlapsNeedSharedTimeOfPositiveLength() {
        let m = Self.minute
        let r = Self.report([
            Self.rec(1, from: 0, to: 10 * m),
            Self.rec(2, from: 10 * m, to: 20 * m),                  // touches 1: no overlap
            Self.rec(3, "audio", from: 12 * m, to: 14 * m),         // inside 2
            Self.rec(4, "photo", from: 13 * m, to: 13 * m),         // a still while filming: no overlap
            Self.rec(5, from: 19 * m, to: 25 * m),                  // overlaps the end of 2 by a minute
        ])
        #expect(r.overlaps.map { [$0.first, $0.second] } == [[2, 3], [2, 5]])
        #expect(r.overlaps.map(\.span.durationMs) == [2 * m, m])
        #expect(r.overlaps[0].span.start == "2026-11-26T00:12:00.000Z")
        #expect(r.overlapCount == 2 && r.gaps.isEmpty)
    }

    @Test func gapsAreStrictlyLongerThanTheThreshold() {
        let m = Self.minute
        let recordings = [
            Self.rec(1, from: 0, to: 10 * m),
            Self.rec(2, from: 15 * m, to: 20 * m),                  // exactly 5 min after 1: not a gap
            Self.rec(3, from: 25 * m + 1, to: 30 * m),              // 5 min + 1 ms: a gap
            Self.rec(4, "photo", from: 61 * m, to: 61 * m),         // a still splits the quiet hour
            Self.rec(5, from: 50 * m, to: 55 * m),                  // given out of order
            Self.rec(6, from: 150 * m, to: 160 * m),
            Self.rec(7, "gps-log", from: -60 * m, to: 300 * m),     // logs cover nothing
        ]
        let r = Self.report(recordings)
        #expect(r.gaps.map { [$0.afterRecording, $0.beforeRecording] } == [[2, 3], [3, 5], [5, 4], [4, 6]])
        #expect(r.gaps.map(\.span.durationMs) == [5 * m + 1, 20 * m, 6 * m, 89 * m])
        #expect(r.gaps.map(\.long) == [false, false, false, true])
        #expect(r.dutyPeriod == TimeSpan(Self.t0, Self.t0 + 160 * m))
        // Configurable: with a 30-minute threshold only the 90-minute gap is left, and it is not long at 2 h.
        let wide = Self.report(recordings, options: ReportOptions(gapThresholdMs: 30 * m, longGapThresholdMs: 120 * m))
        #expect(wide.gaps.map(\.span.durationMs) == [89 * m] && wide.gaps[0].long == false)
        #expect(wide.findings.first { $0.code == "recording-gap" }?.severity == .info)
    }

    @Test func gpsCoverageCountsMomentsWithinTwoSecondsOfAFix() throws {
        let s: Int64 = 1000
        let fixes = [10, 11, 12, 50, 101, -3].map { Self.t0 + $0 * s }
        let r = Self.report([
            Self.rec(1, from: 0, to: 100 * s),
            Self.rec(2, "photo", from: 52 * s, to: 52 * s),          // |52 − 50| = 2 s: covered
            Self.rec(3, "photo", from: 52 * s + 1, to: 52 * s + 1),  // just over: not
            Self.rec(4, "audio", from: 200 * s, to: 210 * s),        // nothing near
        ], fixes: fixes)
        // Windows [8, 14] ∪ [48, 52] ∪ [99, 103] ∪ [−5, −1] inside [0, 100]: 6 + 4 + 1 = 11 s of 100.
        let share = try #require(r.recordings.first { $0.id == 1 }?.gpsCoverage)
        #expect(share == 0.11)
        #expect(r.recordings.filter { $0.kind == "photo" }.map(\.gpsCoverage) == [1, 0])
        #expect(r.recordings.first { $0.id == 4 }?.gpsCoverage == 0)
        // Photos weigh nothing in the total: 11 s of 110 s.
        #expect(r.gps.recordingMs == 110 * s && r.gps.coveredMs == 11 * s && r.gps.share == 0.1)
        #expect(r.gps.uncoveredRecordings == [3, 4])
        #expect(r.gps.spans.map { [$0.startMs - Self.t0, $0.endMs - Self.t0] } == [[-5 * s, -1 * s], [8 * s, 14 * s], [48 * s, 52 * s], [99 * s, 103 * s]])
        // GNSS time is true time: a clock 5 s fast shifts the recordings onto other fixes.
        let fast = ClockModel(dockOffsetMs: 5000, measuredAtUTCms: Self.t0 + 3_600_000, events: [])
        let shifted = Self.report([Self.rec(1, from: 0, to: 100 * s)], fixes: fixes, clock: fast)
        // Corrected [−5, 95]: windows [−5, −1], [8, 14], [48, 52] → 4 + 6 + 4 = 14 s.
        #expect(shifted.gps.coveredMs == 14 * s)
        // A wider tolerance is an option.
        let wide = Self.report([Self.rec(1, from: 0, to: 100 * s)], fixes: [Self.t0 + 50 * s], options: ReportOptions(gpsToleranceMs: 10_000))
        #expect(wide.gps.share == 0.2)
        #expect(Self.report([Self.rec(1, "photo", from: 0, to: 0)]).gps.share == nil)
    }

    @Test func jsonIsDeterministicAndRoundTrips() throws {
        let a = DutyDay.report.json()
        var shuffled = DutyDay.session
        var rng = SplitMix64(seed: 7)
        shuffled.recordings.shuffle(using: &rng)
        shuffled.gpsFixTimesMs.shuffle(using: &rng)
        let b = IntegrityReport(session: shuffled).json()
        #expect(a == b)
        let text = String(decoding: a, as: UTF8.self)
        #expect(text.hasSuffix("}\n") && !text.contains("\\/"))
        #expect(text.contains("\"driftSecondsPerDay\" : 5.2,"))
        #expect(text.contains("\"officerName\" : \"王强\""))
        // Sorted keys: the top level reads alphabetically.
        let top = text.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map { $0.split(separator: "\"")[1] }
        #expect(top == top.sorted() && top.count == 19)
        let decoded = try JSONDecoder().decode(IntegrityReport.self, from: a)
        #expect(decoded == DutyDay.report)
    }

    @Test func textIsReadableAndSafe() {
        let text = DutyDay.report.text()
        #expect(text.hasPrefix("执法记录仪数据完整性报告  Recorder integrity report\n"))
        #expect(text.contains("  警员 Officer                010003 王强\n"))
        #expect(text.contains("  ALERT   sequence-gap                Sequence number 106 is missing"))
        #expect(text.contains("  Drift 漂移                  +5.20 s/day since last sync 2026-11-26 06:30:00  ⚠ beyond ±3.0 s/day\n"))
        // Columns line up: every row of the recordings table has "kind" at the same display column.
        let rows = text.split(separator: "\n").drop { !$0.hasPrefix("录像 Recordings") }.dropFirst(2).prefix(14)
        let kindColumns = Set(rows.map { row in TextLayout.width(String(row.prefix { $0 != "v" && $0 != "a" && $0 != "p" && $0 != "g" && $0 != "t" && $0 != "k" })) })
        #expect(kindColumns.count == 1, "\(rows)")
        #expect(text == DutyDay.report.text())

        var hostile = DutyDay.session
        hostile.dock.officerName = "王\u{1B}[2J强\n伪造行"
        hostile.recordings[0].kind = "video\r\nALERT none"
        let h = IntegrityReport(session: hostile).text()
        #expect(!h.contains("\u{1B}") && !h.contains("\r") && !h.contains("\n伪造行") && h.contains("王\u{FFFD}[2J强\u{FFFD}伪造行"))
    }

    @Test func noRecordingsAtAllStillGivesAReport() {
        let r = Self.report([])
        #expect(r.dutyPeriod == nil && r.gaps.isEmpty && r.sequenceGaps.isEmpty && r.gps.share == nil)
        #expect(r.findings.map(\.code) == ["clock"])
        #expect(!r.text().isEmpty && !r.json().isEmpty)
    }

    @Test func wildDeviceTimesNeverTrap() {
        let clock = ClockModel(dockOffsetMs: -1e18, measuredAtUTCms: .min, events: [])
        let r = Self.report([
            Recording(id: 1, kind: "video", sequence: 1, deviceStartMs: .max, deviceEndMs: .min, size: 0, deviceSha256: nil, sha256: nil,
                      verified: false, bagPath: ""),
            Recording(id: 2, kind: "video", sequence: .max, deviceStartMs: .min, deviceEndMs: .max, size: 0, deviceSha256: "A", sha256: "a",
                      verified: true, bagPath: ""),
        ], fixes: [.min, .max, 0], clock: clock)
        #expect(r.recordings.first { $0.id == 1 }?.timesInvalid == true)
        #expect(r.hashes.notStored == [1] && r.hashes.mismatched.isEmpty, "hex compares without case")
        _ = r.json()
        _ = r.text()
        _ = r.timelineSVG()
    }
}
