import Evidence
import EvidenceStore
import Foundation
import RecorderHAL
import Testing

/// The corrected times SessionReport writes into a custody record: exact for every device time
/// the record can hold, left out with a `time-not-corrected` anomaly where there is none.
@Suite struct SessionReportTimeTests {
    static func file(_ id: UInt32, start: String, end: String) -> CustodyRecord.File {
        CustodyRecord.File(recordingId: id, kind: "video", devicePath: Array("V\(id).MP4".utf8), bagPath: "data/V\(id).MP4", size: 1,
                           sequence: id, important: false, deviceStartUTC: start, deviceEndUTC: end, deviceSha256: nil,
                           sha256: String(repeating: "ab", count: 32), verified: true, quarantined: false, rereads: 0, anomalies: [])
    }

    static func record(offsetMs: Double, files: [CustodyRecord.File]) -> CustodyRecord {
        CustodyRecord(
            gateway: .init(id: "kiosk-07", version: "0.3.0"), bay: "3",
            dock: .init(startUTC: "2026-11-26T18:30:00.000Z", endUTC: "2026-11-26T18:31:00.000Z"),
            recorder: .init(identity: RecorderIdentity(serial: "A100001", model: "DSJ-V9", firmware: "2.1.7", officerNumber: "010001",
                                                       officerName: "张三", unitNumber: "110105000000", unitName: "单位", hardwareId: ""),
                            driver: "zfy-bulk-v1", protocolVersion: 1),
            clock: .init(offsetMs: offsetMs, roundTripMs: 1, samples: 5, deviceZoneOffsetMinutes: 480, measuredAtUTC: "2026-11-26T18:30:00.000Z"),
            files: files, anomalies: [], totals: .init(files: files.count, bytes: UInt64(files.count), seconds: 60))
    }

    /// Device times of a clock 150 years slow (1877) and one far beyond year 9999: both are read
    /// back exactly from the record's text (the second used to be read as 1970).
    @Test func deviceTimesAreReadBackExactlyHoweverFarOff() throws {
        var r = Self.record(offsetMs: -4_730_400_000_000, files: [
            Self.file(1, start: "1877-01-01T00:00:00.000Z", end: "1877-01-01T00:10:00.000Z"),
            Self.file(2, start: "+12026-11-26T00:00:00.000Z", end: "+12026-11-26T00:00:01.000Z"),
        ])
        let report = SessionReport.apply(to: &r, derived: SessionReport.Derived())
        #expect(r.files[0].correctedStartUTC == "2026-11-26T00:00:00.000Z")
        #expect(r.files[0].correctedEndUTC == "2026-11-26T00:10:00.000Z")
        #expect(r.files[1].correctedStartUTC == "+12176-10-20T00:00:00.000Z")
        #expect(r.anomalies.isEmpty)
        // The report shows years 0000–9999: file 2 is named there, not moved to 9999-12-31.
        #expect(report.recordings.first { $0.id == 2 }?.corrected == nil)
        #expect(report.findings.first { $0.code == "recording-times-uncorrected" }?.recordings == [2])
    }

    @Test func anOffsetBeyondExactMillisecondsLeavesEveryCorrectedTimeOutAndSaysWhy() throws {
        var r = Self.record(offsetMs: 1e17, files: [Self.file(1, start: "2026-11-26T00:00:00.000Z", end: "2026-11-26T00:10:00.000Z")])
        _ = SessionReport.apply(to: &r, derived: SessionReport.Derived())
        #expect(r.files[0].correctedStartUTC == nil && r.files[0].correctedEndUTC == nil)
        #expect(r.clock?.flags?.contains("dock-offset-out-of-range") == true)
        let anomaly = try #require(r.anomalies.first { $0.code == "time-not-corrected" })
        #expect(anomaly.file == nil && anomaly.detail.contains("2^53"))
        // Applying again (recorderctl report does, on a sealed record) adds nothing.
        _ = SessionReport.apply(to: &r, derived: SessionReport.Derived())
        #expect(r.anomalies.count == 1)
    }

    @Test func aCorrectionPastInt64OrADeviceTimeThatIsNoTimeIsNamedPerFile() throws {
        var r = Self.record(offsetMs: -1000, files: [
            Self.file(1, start: "+292278994-08-17T07:12:55.807Z", end: "+292278994-08-17T07:12:55.807Z"),
            Self.file(2, start: "yesterday", end: "2026-11-26T00:00:00.000Z"),
            Self.file(3, start: "2026-11-26T00:00:00.000Z", end: "2026-11-26T00:00:01.000Z"),
        ])
        let report = SessionReport.apply(to: &r, derived: SessionReport.Derived())
        #expect(r.files[0].correctedStartUTC == nil && r.files[1].correctedStartUTC == nil)
        #expect(r.files[1].correctedEndUTC == "2026-11-26T00:00:01.000Z")
        #expect(r.files[2].correctedStartUTC == "2026-11-26T00:00:01.000Z")
        #expect(r.anomalies.map(\.code) == ["time-not-corrected", "time-not-corrected"])
        #expect(r.anomalies.map(\.file) == [1, 2])
        #expect(r.files[0].anomalies == ["time-not-corrected"] && r.files[2].anomalies.isEmpty)
        #expect(r.anomalies[1].detail.contains("yesterday"))
        #expect(report.recordings.first { $0.id == 2 }?.deviceStart == nil)
    }
}
