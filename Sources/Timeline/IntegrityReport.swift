import Foundation
import JSONLayout

/// What a supervisor checks about one dock session: missing sequence numbers, overlapping
/// recordings, gaps in the duty period, the recorder's clock, GPS coverage, important
/// recordings, hashes and quarantined files, each with the finding it leads to.
///
/// Every time in it is corrected UTC (`ClockModel.correctedUTC`) unless its name says `device`.
/// (When the clock was not read, flag `clock-not-read`, nothing can be corrected: those times are
/// then the device's own, as they are.)
/// Times are milliseconds since 1970 beside their `yyyy-MM-ddTHH:mm:ss.SSSZ` text. Lists are in
/// a fixed order (by time, then id), so the same input always gives the same report; `json()`
/// and `text()` are byte for byte deterministic.
public struct IntegrityReport: Codable, Sendable, Hashable {
    /// The report layout's version, 1.
    public var schema: Int
    /// The dock session.
    public var dock: DockInfo
    /// The device's display zone, `+08:00`.
    public var deviceZone: String
    /// The device's display zone, minutes east of UTC.
    public var deviceZoneOffsetMinutes: Int
    /// The thresholds used.
    public var options: ReportOptions
    /// First corrected start to last corrected end of the recordings (logs not counted); nil
    /// when there are none.
    public var dutyPeriod: TimeSpan?
    /// Every file, recordings and logs, by corrected start then id; those without corrected
    /// times last, by id.
    public var recordings: [RecordingEntry]
    /// Runs of missing sequence numbers between the smallest and largest number of the
    /// recordings (logs not counted; a number a log carries is not missing).
    public var sequenceGaps: [SequenceGap]
    /// Sequence numbers that more than one file carries.
    public var duplicateSequences: [UInt32]
    /// Recordings of positive length whose corrected spans share time; the first
    /// `overlapListLimit` pairs.
    public var overlaps: [Overlap]
    /// How many overlapping pairs there are in all.
    public var overlapCount: Int
    /// Stretches of the duty period longer than `options.gapThresholdMs` with no recording.
    public var gaps: [Gap]
    /// The recorder's clock.
    public var clock: ClockSummary
    /// GPS coverage of the recordings.
    public var gps: GPSCoverage
    /// Ids of the recordings marked important, in `recordings` order.
    public var important: [UInt32]
    /// Ids of the quarantined files, in `recordings` order.
    public var quarantined: [UInt32]
    /// Hash trouble, ids in `recordings` order.
    public var hashes: HashSummary
    /// The time log's lines, when the session had one.
    public var timeLog: TimeLogSummary?
    /// Everything worth a person's attention: alerts first, then warnings, then information,
    /// each group in the order of this report's sections.
    public var findings: [Finding]

    /// How many overlapping pairs are listed at most.
    public static let overlapListLimit = 1000

    /// The report as JSON: sorted keys, pretty-printed, `/` not escaped, final newline. The same
    /// report gives the same bytes (no dictionaries, no floating-point values that are not
    /// rounded to fixed decimals first, no NaN or infinity).
    public func json() -> Data {
        var data = Data()
        writeJSON { data.append($0) }
        return data
    }

    /// `json()` handed to `sink` piece by piece, in order: the entries are encoded one at a time
    /// (`PrettyJSON.splice`), so a large report is never in memory whole, nor is an encoder's
    /// tree of all its entries. The pieces joined are exactly the bytes `JSONEncoder` writes
    /// for the whole report (ReportJSONLayoutTests checks).
    public func writeJSON(to sink: (Data) -> Void) {
        var outline = self
        outline.recordings = []
        do {
            try PrettyJSON.splice(try PrettyJSON.encode(outline), emptyArray: "recordings", count: recordings.count,
                                  element: { try PrettyJSON.encode(recordings[$0]) }, into: sink)
        } catch {
            // Unreachable: every Double in a report is finite by construction (see `Fixed`), and
            // `recordings` is a top-level member of the outline.
            assertionFailure("report not encodable: \(error)")
        }
        sink(Data("\n".utf8))
    }
}

/// A stretch of corrected UTC time.
public struct TimeSpan: Codable, Sendable, Hashable {
    /// Start, milliseconds since 1970.
    public var startMs: Int64
    /// End, milliseconds since 1970; never before the start.
    public var endMs: Int64
    /// `startMs` as `yyyy-MM-ddTHH:mm:ss.SSSZ`.
    public var start: String
    /// `endMs` as `yyyy-MM-ddTHH:mm:ss.SSSZ`.
    public var end: String
    /// `endMs − startMs`.
    public var durationMs: Int64

    /// The span from `start` to `end` (swapped when given backwards).
    public init(_ start: Int64, _ end: Int64) {
        startMs = min(start, end)
        endMs = max(start, end)
        self.start = CivilTime.utcString(milliseconds: startMs)
        self.end = CivilTime.utcString(milliseconds: endMs)
        let (d, overflow) = endMs.subtractingReportingOverflow(startMs)
        durationMs = overflow ? Int64.max : d
    }
}

extension IntegrityReport {
    /// The index in `recordings` of the first entry of each recording id: a lookup by id that
    /// holds no copy of the entries (a dictionary of the entries themselves held a second copy
    /// of every one, the seal's heap peak at 10,000 files, #11).
    func recordingIndexById() -> [UInt32: Int] {
        var byId: [UInt32: Int] = [:]
        byId.reserveCapacity(recordings.count)
        for (i, e) in recordings.enumerated() where byId[e.id] == nil { byId[e.id] = i }
        return byId
    }

    /// One file with its corrected times and what the report found about it.
    public struct RecordingEntry: Codable, Sendable, Hashable {
        /// `Recording.id`.
        public var id: UInt32
        /// `Recording.kind`, as the device said it.
        public var kind: String
        /// `Recording.sequence`.
        public var sequence: UInt32
        /// `Recording.important`.
        public var important: Bool
        /// `Recording.quarantined`.
        public var quarantined: Bool
        /// `Recording.verified`.
        public var verified: Bool
        /// A GPS, time or event log (left out of the sequence, overlap, gap and GPS analysis).
        public var isLog: Bool
        /// Bytes.
        public var size: UInt64
        /// Where the file is in the bag.
        public var bagPath: String
        /// Device clock start, unadjusted, `yyyy-MM-ddTHH:mm:ss.SSSZ`; nil when unknown.
        public var deviceStart: String?
        /// Device clock end, unadjusted, `yyyy-MM-ddTHH:mm:ss.SSSZ`; nil when unknown.
        public var deviceEnd: String?
        /// Corrected span. When the device's end was before its start, the span is the start
        /// instant alone and `timesInvalid` is set. Nil when the start or end has no corrected
        /// time in years 0000–9999: the clock model corrects nothing (its flags say why), a
        /// device time is unknown, or the correction lands outside those years. Such a file is
        /// left out of the duty period, overlaps, gaps and GPS coverage, and a
        /// `recording-times-uncorrected` finding names it; it is never given another time.
        public var corrected: TimeSpan?
        /// The device said the recording ended before it began.
        public var timesInvalid: Bool
        /// Share of the corrected span with a GPS fix within the tolerance, 0…1, four decimals;
        /// for a photo 1 or 0 by its instant. Nil for logs and without a corrected span.
        public var gpsCoverage: Double?
        /// `match` (device and gateway SHA-256 agree), `mismatch`, `no-device-hash` (the device
        /// keeps none; the gateway's own hash stands alone) or `not-stored` (the gateway has no
        /// hash: it never got the bytes whole).
        public var hash: String
    }

    /// A run of missing sequence numbers `firstMissing…lastMissing`.
    public struct SequenceGap: Codable, Sendable, Hashable {
        /// The first number of the run.
        public var firstMissing: UInt32
        /// The last number of the run (equal to `firstMissing` for one number).
        public var lastMissing: UInt32
        /// How many numbers are missing.
        public var count: UInt64
        /// The recording number present just below the run.
        public var afterSequence: UInt32
        /// The recording number present just above the run (log numbers may lie between).
        public var beforeSequence: UInt32
        /// The (lowest) id carrying `afterSequence`.
        public var afterRecording: UInt32
        /// The (lowest) id carrying `beforeSequence`.
        public var beforeRecording: UInt32
    }

    /// Two recordings sharing time: `second` starts before `first` ends.
    public struct Overlap: Codable, Sendable, Hashable {
        /// The recording that starts first (by start, then end, then id).
        public var first: UInt32
        /// The recording that starts inside `first`.
        public var second: UInt32
        /// The shared stretch.
        public var span: TimeSpan
    }

    /// A stretch with no recording.
    public struct Gap: Codable, Sendable, Hashable {
        /// The stretch with no recording.
        public var span: TimeSpan
        /// The recording whose end opens the gap (the one reaching furthest so far).
        public var afterRecording: UInt32
        /// The recording whose start closes it.
        public var beforeRecording: UInt32
        /// At least `options.longGapThresholdMs`.
        public var long: Bool
    }

    /// The clock model's result.
    public struct ClockSummary: Codable, Sendable, Hashable {
        /// Device minus gateway at the dock, milliseconds, three decimals; nil when the clock was
        /// not read (flag `clock-not-read`).
        public var dockOffsetMs: Double?
        /// When the dock measured the offset (gateway clock), `yyyy-MM-ddTHH:mm:ss.SSSZ`.
        public var measuredAt: String
        /// `measuredAt` in milliseconds since 1970.
        public var measuredAtUTCms: Int64
        /// Seconds per day, three decimals; nil without a sync point.
        public var driftSecondsPerDay: Double?
        /// The norm the drift was checked against, seconds per day either way.
        public var driftLimitSecondsPerDay: Double
        /// |drift| is over the limit.
        public var driftExcessive: Bool
        /// The last sync point before the dock, `yyyy-MM-ddTHH:mm:ss.SSSZ`; nil without one.
        public var lastSync: String?
        /// `lastSync` in milliseconds since 1970.
        public var lastSyncUTCms: Int64?
        /// The sync points used (drifts rounded to three decimals).
        public var syncPoints: [ClockModel.SyncPoint]
        /// Sync points after the dock measurement, left out.
        public var syncPointsAfterDock: [ClockModel.SyncPoint]
        /// `ClockModel.flags`.
        public var flags: [String]
    }

    /// GPS coverage: a moment of a recording's corrected span is covered when a GPS fix lies
    /// within `toleranceMs` of it, either way.
    public struct GPSCoverage: Codable, Sendable, Hashable {
        /// GPS fixes given (duplicates included).
        public var fixCount: Int
        /// `ReportOptions.gpsToleranceMs`.
        public var toleranceMs: Int64
        /// Total length of the recordings of positive length (overlaps counted in each).
        public var recordingMs: Int64
        /// How much of that is covered.
        public var coveredMs: Int64
        /// `coveredMs / recordingMs`, four decimals; nil when `recordingMs` is 0.
        public var share: Double?
        /// Recordings (not logs) with no coverage at all, in `recordings` order.
        public var uncoveredRecordings: [UInt32]
        /// The covered stretches of the whole session (each fix ± tolerance, merged).
        public var spans: [TimeSpan]
    }

    /// Hash trouble, by id.
    public struct HashSummary: Codable, Sendable, Hashable {
        /// The device keeps no SHA-256 of these.
        public var missingDeviceHash: [UInt32]
        /// The device's SHA-256 differs from the gateway's.
        public var mismatched: [UInt32]
        /// The gateway has no SHA-256: it never got the bytes whole.
        public var notStored: [UInt32]
        /// Stored but not shown to be the device's bytes.
        public var unverified: [UInt32]
    }

    /// The time log's line counts and the first rejected lines.
    public struct TimeLogSummary: Codable, Sendable, Hashable {
        /// `TimeLog.lineCount`.
        public var lines: Int
        /// Lines read as events.
        public var events: Int
        /// `TimeLog.rejectedCount`.
        public var rejectedLines: Int
        /// The first `rejectedListLimit` rejected lines.
        public var rejected: [Rejected]

        /// How many rejected lines the report lists.
        public static let rejectedListLimit = 20

        /// One rejected line: number, `TimeLogLineError.code`, and its description.
        public struct Rejected: Codable, Sendable, Hashable {
            /// 1-based line number.
            public var line: Int
            /// `TimeLogLineError.code`.
            public var code: String
            /// `TimeLogLineError.description`.
            public var reason: String
        }
    }

    /// Something for a person to look at.
    public struct Finding: Codable, Sendable, Hashable {
        /// How much it matters.
        public enum Severity: String, Codable, Sendable, Hashable, CaseIterable {
            /// A fact worth knowing; nothing wrong by itself.
            case info
            /// Doubtful: explain or check.
            case warning
            /// Evidence may be missing, altered or unreliable.
            case alert
        }

        /// How much it matters.
        public var severity: Severity
        /// A stable code, e.g. `sequence-gap`, `hash-mismatch`.
        public var code: String
        /// What exactly, for a person.
        public var message: String
        /// The files it concerns, if any.
        public var recordings: [UInt32]

        /// A finding.
        public init(severity: Severity, code: String, message: String, recordings: [UInt32] = []) {
            self.severity = severity
            self.code = code
            self.message = message
            self.recordings = recordings
        }
    }
}
