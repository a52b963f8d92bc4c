import Evidence
import Foundation
import Telemetry
import Timeline

/// What the gateway derives from a bag for people to read, from the custody record and the
/// bag's own logs: GPS tracks, the clock model with corrected times, and the integrity report
/// with its timeline picture. Used when sealing a bag and by `recorderctl report`, so both
/// always agree.
public enum SessionReport {
    /// The largest log read into memory for tracks and the report.
    public static let maxLogBytes: UInt64 = 256 << 20

    /// Tag files derived from the logs, and what the report needs of them.
    public struct Derived {
        /// `tracks/<path under data>.gpx` and `.geojson` for every GPS log with a fix.
        public var trackFiles: [(path: String, bytes: [UInt8])] = []
        /// UTC of every GPS fix, ascending.
        public var fixTimesMs: [Int64] = []
        /// Events of every time log.
        public var timeLogEvents: [TimeLogEvent] = []
        /// The first time log, for the report's summary of it.
        public var timeLog: TimeLog?
        /// Logs that could not be read whole, for the record's anomalies.
        public var notes: [String] = []
    }

    /// Reads the GPS and time logs among `files` through `read` (a bag path to its bytes).
    public static func derive(files: [CustodyRecord.File], read: (String) -> [UInt8]?) -> Derived {
        var d = Derived()
        // Only logs are read, and only up to a bound: a recording may be many gigabytes, and a
        // "log" is whatever the recorder calls one (a day of 1 Hz NMEA is about 12 MiB).
        for f in files where f.kind == "gps-log" || f.kind == "time-log" {
            guard f.size <= maxLogBytes else {
                d.notes.append("\(f.bagPath): \(f.size) bytes is over the \(maxLogBytes)-byte limit for a log; not read for the report")
                continue
            }
            guard let bytes = read(f.bagPath) else { continue }
            switch f.kind {
            case "gps-log":
                let log = NMEAParser().parse(bytes)
                let fixes = log.assembleFixes().fixes
                if log.statistics.rejectedCount > 0 {
                    d.notes.append("\(f.bagPath): \(log.statistics.rejectedCount) NMEA sentences refused")
                }
                guard !fixes.isEmpty else { continue }
                d.fixTimesMs += fixes.map(\.time)
                let base = "tracks/" + f.bagPath.dropFirst(PathSanitizer.root.count)
                let name = (f.bagPath as NSString).lastPathComponent
                d.trackFiles.append((base + ".gpx", Array(GPXWriter(trackName: name).write(fixes).utf8)))
                d.trackFiles.append((base + ".geojson", Array(GeoJSONWriter().write(fixes).utf8)))
            case "time-log":
                let log = TimeLog(bytes: bytes)
                d.timeLogEvents += log.events
                if d.timeLog == nil { d.timeLog = log }
                if log.rejectedCount > 0 { d.notes.append("\(f.bagPath): \(log.rejectedCount) time-log lines refused") }
            default:
                continue
            }
        }
        d.fixTimesMs.sort()
        return d
    }

    /// Writes the clock model's findings and corrected times into `record` and returns the
    /// integrity report.
    public static func apply(to record: inout CustodyRecord, derived: Derived) -> IntegrityReport {
        let measured = milliseconds(record.clock.measuredAtUTC) ?? 0
        let model = ClockModel(dockOffsetMs: record.clock.offsetMs, measuredAtUTCms: measured, events: derived.timeLogEvents)
        record.clock.driftSecondsPerDay = model.driftSecondsPerDay.map { ($0 * 1000).rounded() / 1000 }
        record.clock.lastSyncUTC = model.lastSyncUTCms.map { UTCTimestamp.string(milliseconds: $0) }
        record.clock.flags = model.flags
        var recordings: [Recording] = []
        for i in record.files.indices {
            let f = record.files[i]
            let start = milliseconds(f.deviceStartUTC), end = milliseconds(f.deviceEndUTC)
            if let start { record.files[i].correctedStartUTC = UTCTimestamp.string(milliseconds: model.correctedUTC(deviceMilliseconds: start)) }
            if let end { record.files[i].correctedEndUTC = UTCTimestamp.string(milliseconds: model.correctedUTC(deviceMilliseconds: end)) }
            recordings.append(Recording(id: f.recordingId, kind: f.kind, sequence: f.sequence, important: f.important,
                                        deviceStartMs: start ?? 0, deviceEndMs: end ?? start ?? 0, size: f.size,
                                        deviceSha256: f.deviceSha256, sha256: f.sha256, verified: f.verified,
                                        quarantined: f.quarantined, bagPath: f.bagPath))
        }
        let dock = DockInfo(serial: record.recorder.serial, officerNumber: record.recorder.officerNumber,
                            officerName: record.recorder.officerName, bay: record.bay,
                            startUTC: record.dock.startUTC, endUTC: record.dock.endUTC)
        let input = SessionInput(recordings: recordings, gpsFixTimesMs: derived.fixTimesMs, clock: model, dock: dock,
                                 deviceZoneOffsetMinutes: record.clock.deviceZoneOffsetMinutes, timeLog: derived.timeLog)
        return IntegrityReport(session: input)
    }

    /// The report's tag files: report.json, report.txt, timeline.svg.
    public static func reportFiles(_ report: IntegrityReport) -> [(path: String, bytes: [UInt8])] {
        [("report.json", Array(report.json())), ("report.txt", Array(report.text().utf8)),
         ("timeline.svg", Array(report.timelineSVG().utf8))]
    }

    static func milliseconds(_ text: String) -> Int64? {
        guard let date = UTCTimestamp.date(text) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}
