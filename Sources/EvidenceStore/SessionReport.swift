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

        /// Nothing derived: no tracks, no GPS fixes, no time log.
        public init() {}
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
    ///
    /// A corrected time is the device time minus the clock's error, exact to the millisecond
    /// for every offset the model uses (`ClockModel`). Where there is none, the record leaves
    /// `correctedStartUTC`/`correctedEndUTC` out and a `time-not-corrected` anomaly says why:
    /// one for the whole record when the dock offset cannot be used (its `clock.flags` name
    /// it), one per file whose device time is not a time or whose correction leaves the Int64
    /// millisecond range. No time is ever replaced by another one.
    public static func apply(to record: inout CustodyRecord, derived: Derived) -> IntegrityReport {
        IntegrityReport(session: correct(&record, derived: derived))
    }

    /// What `apply` does to `record`, returning the report's input rather than the report, so
    /// that a caller can let the record go before the report is made (`CustodyComposer`: both
    /// are MBs with a large catalog, #11).
    public static func correct(_ record: inout CustodyRecord, derived: Derived) -> SessionInput {
        // A record without a clock (its family cannot read one): the model has no offset and
        // corrects nothing; the dock's end stands for the moment of the dock on the timeline.
        let measured = UTCTimestamp.milliseconds(parsing: record.clock?.measuredAtUTC ?? record.dock.endUTC) ?? 0
        let model = ClockModel(dockOffsetMs: record.clock?.offsetMs, measuredAtUTCms: measured, events: derived.timeLogEvents)
        record.clock?.driftSecondsPerDay = model.driftSecondsPerDay.map { ($0 * 1000).rounded() / 1000 }
        record.clock?.lastSyncUTC = model.lastSyncUTCms.map { UTCTimestamp.string(milliseconds: $0) }
        record.clock?.flags = model.flags
        if let clock = record.clock, !model.correctsTimes {
            note(&record, file: nil, "the clock offset measured at the dock (\(clock.offsetMs) ms) is not a number or beyond ±2^53 ms (about 285,000 years), where a millisecond count is exact (clock.flags): no file has corrected times")
        } else if record.clock == nil {
            note(&record, file: nil, "the recorder's clock was not read at the dock (clock-not-read): no file has corrected times, its times are the device's own")
        }
        var recordings: [Recording] = []
        // Made to size: grown by doubling, the array was the seal's heap peak at 10,000 files (#11).
        recordings.reserveCapacity(record.files.count)
        for i in record.files.indices {
            let f = record.files[i]
            // Integers all the way: a Date would hold a far-off device time only approximately.
            let start = UTCTimestamp.milliseconds(parsing: f.deviceStartUTC), end = UTCTimestamp.milliseconds(parsing: f.deviceEndUTC)
            let correctedStart = start.flatMap { model.correctedUTC(deviceMilliseconds: $0) }
            let correctedEnd = end.flatMap { model.correctedUTC(deviceMilliseconds: $0) }
            record.files[i].correctedStartUTC = correctedStart.map { UTCTimestamp.string(milliseconds: $0) }
            record.files[i].correctedEndUTC = correctedEnd.map { UTCTimestamp.string(milliseconds: $0) }
            if model.correctsTimes && (correctedStart == nil || correctedEnd == nil) {
                let why = start == nil || end == nil ? "is not a time this record format writes"
                    : "minus the clock's error leaves the 64-bit millisecond range"
                note(&record, file: i, "device time \(start == nil ? f.deviceStartUTC : f.deviceEndUTC) \(why): no corrected time is given")
            }
            recordings.append(Recording(id: f.recordingId, kind: f.kind, sequence: f.sequence, important: f.important,
                                        deviceStartMs: start, deviceEndMs: end ?? start, size: f.size,
                                        deviceSha256: f.deviceSha256, sha256: f.sha256, verified: f.verified,
                                        quarantined: f.quarantined, bagPath: f.bagPath))
        }
        let dock = DockInfo(serial: record.recorder.serial, officerNumber: record.recorder.officerNumber,
                            officerName: record.recorder.officerName, bay: record.bay,
                            startUTC: record.dock.startUTC, endUTC: record.dock.endUTC)
        return SessionInput(recordings: recordings, gpsFixTimesMs: derived.fixTimesMs, clock: model, dock: dock,
                            deviceZoneOffsetMinutes: record.clock?.deviceZoneOffsetMinutes ?? 0, timeLog: derived.timeLog)
    }

    /// The report's tag files: report.json, report.txt, timeline.svg, each made only when it is
    /// written (report.json entry by entry). The report itself is made from `input` when the
    /// first of them is written: by then `LocalStore.finalize` has written and let go of
    /// custody.json, so the two are never in memory together (#11).
    package static func reportFiles(_ input: SessionInput) -> [TagFile] {
        let report = ReportOnFirstUse(input)
        return [TagFile(path: "report.json") { report.value.writeJSON(to: $0) },
                TagFile(path: "report.txt") { report.value.writeText(to: $0) },
                TagFile(path: "timeline.svg") { report.value.writeTimelineSVG(to: $0) }]
    }

    /// The report of an input, made on first use; the input is let go once it is made.
    private final class ReportOnFirstUse {
        private var input: SessionInput?
        private var report: IntegrityReport?

        init(_ input: SessionInput) { self.input = input }

        var value: IntegrityReport {
            if let report { return report }
            let made = IntegrityReport(session: input.take()!)
            report = made
            return made
        }
    }

    /// Adds a `time-not-corrected` anomaly, for the file at `file` (an index of `record.files`)
    /// or the whole record, unless the record has it already (`recorderctl report` applies this
    /// to records sealed with it).
    private static func note(_ record: inout CustodyRecord, file: Int?, _ detail: String) {
        let code = "time-not-corrected", id = file.map { record.files[$0].recordingId }
        guard !record.anomalies.contains(where: { $0.code == code && $0.file == id }) else { return }
        record.anomalies.append(.init(code: code, file: id, detail: detail))
        if let file, !record.files[file].anomalies.contains(code) { record.files[file].anomalies.append(code) }
    }
}
