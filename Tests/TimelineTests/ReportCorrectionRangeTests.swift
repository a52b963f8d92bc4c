import Foundation
import Testing
@testable import Timeline

/// The report's corrected times for clocks far off: exact across the simulator's ±200 years;
/// where a time cannot be corrected or shown (years 0000–9999), it is left out and a finding
/// names the recordings and why, never clamped to another time.
@Suite struct ReportCorrectionRangeTests {
    static let measured: Int64 = 1_795_717_800_000          // 2026-11-26T18:30:00Z
    static let t0: Int64 = 1_795_651_200_000                // 2026-11-26T00:00:00Z
    static let minute: Int64 = 60_000

    static func rec(_ id: UInt32, from: Int64?, to: Int64?) -> Recording {
        Recording(id: id, kind: "video", sequence: id, deviceStartMs: from, deviceEndMs: to, size: 1,
                  deviceSha256: "aa", sha256: "aa", verified: true, bagPath: "data/\(id)")
    }

    static func report(_ recordings: [Recording], offset: Double) -> IntegrityReport {
        let clock = ClockModel(dockOffsetMs: offset, measuredAtUTCms: measured, events: [])
        return IntegrityReport(session: SessionInput(recordings: recordings, gpsFixTimesMs: [], clock: clock, dock: DutyDay.dock))
    }

    @Test(arguments: [1.0, -1.0])
    func aClockOff150YearsGivesExactCorrectedTimes(sign: Double) throws {
        let whole = Int64(sign) * 4_730_400_000_123
        let start = Self.t0 + whole, end = Self.t0 + whole + 10 * Self.minute
        let r = Self.report([Self.rec(1, from: start, to: end)], offset: sign * 4_730_400_000_123.4)
        let e = try #require(r.recordings.first)
        #expect(e.corrected?.startMs == Self.t0 && e.corrected?.endMs == Self.t0 + 10 * Self.minute)
        #expect(e.corrected?.start == "2026-11-26T00:00:00.000Z")
        #expect(r.clock.dockOffsetMs == sign * 4_730_400_000_123.4)
        #expect(!r.findings.contains { $0.code == "recording-times-uncorrected" })
        #expect(r.dutyPeriod == TimeSpan(Self.t0, Self.t0 + 10 * Self.minute))
    }

    /// A clock 9,500 years slow puts 2026 device times in year 11526: beyond what the report
    /// shows, so they are left out and named (they used to be clamped to 9999-12-31).
    @Test func correctedTimesPastYear9999AreLeftOutAndNamed() throws {
        let r = Self.report([Self.rec(1, from: Self.t0, to: Self.t0 + Self.minute), Self.rec(2, from: Self.t0, to: Self.t0)],
                            offset: -300_000_000_000_000)
        #expect(r.recordings.allSatisfy { $0.corrected == nil })
        #expect(r.dutyPeriod == nil && r.overlaps.isEmpty && r.gaps.isEmpty)
        let finding = try #require(r.findings.first { $0.code == "recording-times-uncorrected" })
        #expect(finding.severity == .alert && finding.recordings == [1, 2])
        #expect(finding.message.contains("0000–9999"), "\(finding.message)")
        #expect(r.text().contains("recording-times-uncorrected") || r.text().contains(finding.message))
        _ = r.json()
        _ = r.timelineSVG()
    }

    @Test func aClockOffsetBeyondExactMillisecondsCorrectsNothingAndSaysSo() throws {
        let r = Self.report([Self.rec(1, from: Self.t0, to: Self.t0 + Self.minute)], offset: 1e16)
        #expect(r.recordings[0].corrected == nil)
        #expect(r.clock.flags.first == "dock-offset-out-of-range")
        #expect(r.findings.contains { $0.code == "clock-offset-out-of-range" && $0.severity == .alert })
        let finding = try #require(r.findings.first { $0.code == "recording-times-uncorrected" })
        #expect(finding.recordings == [1] && finding.message.contains("clock"))
        // The offset itself is shown as measured, not clamped to ±1e15 ms (json) or ±9e15 s (text).
        #expect(r.clock.dockOffsetMs == 1e16)
        #expect(r.text().contains("+10000000000000.000 s"))
        let far = Self.report([], offset: -9_223_373_836_854_775_808)
        #expect(far.clock.dockOffsetMs == -9_223_373_836_854_775_808)
        // In seconds the double keeps what it can at that size; report.json has the milliseconds.
        #expect(far.text().contains("-9223373836854776.000 s"))
        #expect(!far.text().contains("times corrected by"))
    }

    /// A clock 30,000 years off (inside the exact range) is reported with its own offset.
    @Test func anOffsetBeyond1e15IsReportedAsMeasured() {
        let r = Self.report([Self.rec(1, from: Self.t0, to: Self.t0)], offset: 946_728_000_000_000.5)
        #expect(r.clock.dockOffsetMs == 946_728_000_000_000.5)
        #expect(r.clock.flags == ["no-sync"])
    }

    /// A record whose device time is not a time (edited by hand): nothing is made up for it.
    @Test func aRecordingWithoutDeviceTimesHasNoCorrectedTime() throws {
        let r = Self.report([Self.rec(1, from: nil, to: nil), Self.rec(2, from: Self.t0, to: Self.t0 + Self.minute)], offset: 0)
        let one = try #require(r.recordings.first { $0.id == 1 })
        #expect(one.corrected == nil && one.deviceStart == nil && one.deviceEnd == nil && !one.timesInvalid)
        #expect(r.recordings.first { $0.id == 2 }?.corrected?.startMs == Self.t0)
        #expect(r.recordings.map(\.id) == [2, 1], "a recording without corrected times comes last")
        #expect(r.findings.first { $0.code == "recording-times-uncorrected" }?.recordings == [1])
        _ = r.json()
        _ = r.text()
        _ = r.timelineSVG()
    }
}
