import Foundation
import Testing
@testable import Timeline

/// A recorder whose family cannot read its clock: the model has no offset, corrects nothing,
/// and the report says the clock was not read instead of showing an offset of 0.
@Suite struct ClockNotReadTests {
    static let measured = DutyDay.measuredAt

    @Test func theModelCorrectsNothingAndSaysWhy() {
        let m = ClockModel(dockOffsetMs: nil, measuredAtUTCms: Self.measured, events: DutyDay.timeLog.events)
        #expect(m.dockOffsetMs == nil && !m.clockRead && !m.correctsTimes)
        #expect(m.flags.first == "clock-not-read")
        #expect(m.driftSecondsPerDay == nil)
        #expect(m.correctedUTC(deviceMilliseconds: DutyDay.beijing("09:00:00")) == nil)
        // A measured offset of 0 is another thing: read, and correcting.
        let zero = ClockModel(dockOffsetMs: 0, measuredAtUTCms: Self.measured, events: [])
        #expect(zero.clockRead && zero.correctsTimes && !zero.flags.contains("clock-not-read"))
    }

    @Test func theReportSaysNotReadAndKeepsDeviceTimes() throws {
        let clock = ClockModel(dockOffsetMs: nil, measuredAtUTCms: Self.measured, events: [])
        let report = IntegrityReport(session: SessionInput(recordings: DutyDay.recordings, gpsFixTimesMs: [], clock: clock,
                                                           dock: DutyDay.dock))
        #expect(report.clock.dockOffsetMs == nil && report.clock.flags.contains("clock-not-read"))
        let finding = try #require(report.findings.first { $0.code == "clock-not-read" })
        #expect(finding.message.contains("not read") && finding.message.contains("uncorrected"))
        // The time line is the device's own times, since there is nothing to correct them by.
        let first = try #require(report.recordings.first { $0.id == 1 })
        #expect(first.corrected?.startMs == DutyDay.beijing("08:12:05"))
        let text = report.text()
        #expect(text.contains("Offset at dock") && text.contains("not read"))
        #expect(!text.contains("+0.000 s"))
        let svg = report.timelineSVG()
        #expect(svg.contains("class=\"clock-not-read\""))
        #expect(!svg.contains("class=\"dock-measure\"") && !svg.contains("class=\"clock-error\""))
        let json = try #require(try JSONSerialization.jsonObject(with: report.json()) as? [String: Any])
        let summary = try #require(json["clock"] as? [String: Any])
        #expect(summary["dockOffsetMs"] == nil)
    }
}
