/// One file of the dock session, as the integrity report needs it. The integration layer maps
/// the custody record's files onto these; nothing here reads a file.
public struct Recording: Sendable, Hashable, Codable {
    /// The device's handle for the recording in this catalog.
    public var id: UInt32
    /// `video`, `audio`, `photo`, `gps-log`, `time-log`, `event-log`, or anything else the
    /// device said (kept, and treated as a recording).
    public var kind: String
    /// The device's running recording number; gaps suggest deletions.
    public var sequence: UInt32
    /// Marked important by the officer.
    public var important: Bool
    /// Start by the device clock, milliseconds since 1970 UTC, unadjusted; nil when the record
    /// does not hold a time for it (nothing is made up in its place).
    public var deviceStartMs: Int64?
    /// End by the device clock, milliseconds since 1970 UTC, unadjusted; equal to the start for
    /// a photo; nil when unknown.
    public var deviceEndMs: Int64?
    /// Bytes.
    public var size: UInt64
    /// The device's own SHA-256 (hex), when it keeps one.
    public var deviceSha256: String?
    /// The gateway's SHA-256 of the stored bytes (hex); nil when it never got them whole.
    public var sha256: String?
    /// The stored bytes are the device's bytes (as the custody record defines it).
    public var verified: Bool
    /// Kept apart for a person to look at.
    public var quarantined: Bool
    /// Where the file is in the bag, e.g. `data/DCIM/x.MP4`.
    public var bagPath: String

    /// A recording; every field as the custody record has it.
    public init(id: UInt32, kind: String, sequence: UInt32, important: Bool = false, deviceStartMs: Int64?,
                deviceEndMs: Int64?, size: UInt64, deviceSha256: String?, sha256: String?, verified: Bool,
                quarantined: Bool = false, bagPath: String) {
        self.id = id
        self.kind = kind
        self.sequence = sequence
        self.important = important
        self.deviceStartMs = deviceStartMs
        self.deviceEndMs = deviceEndMs
        self.size = size
        self.deviceSha256 = deviceSha256
        self.sha256 = sha256
        self.verified = verified
        self.quarantined = quarantined
        self.bagPath = bagPath
    }

    /// The kinds that are logs the recorder keeps about itself rather than recordings of events.
    public static let logKinds: Set<String> = ["gps-log", "time-log", "event-log"]

    /// A GPS, time or event log. Logs are listed, hashed and drawn, but they are not part of the
    /// sequence, overlap, gap or GPS-coverage analysis: a log spans the whole day by nature.
    public var isLog: Bool { Self.logKinds.contains(kind) }
}

/// The dock session as the custody record states it: who was docked where and when.
public struct DockInfo: Sendable, Hashable, Codable {
    /// Recorder serial.
    public var serial: String
    /// Officer number (警号).
    public var officerNumber: String
    /// Officer name.
    public var officerName: String
    /// The bay the recorder was docked in.
    public var bay: String
    /// Dock start, gateway clock, `yyyy-MM-ddTHH:mm:ss.SSSZ`.
    public var startUTC: String
    /// Dock end, gateway clock, `yyyy-MM-ddTHH:mm:ss.SSSZ`.
    public var endUTC: String

    /// Dock information, every string as the custody record has it (untrusted device text is
    /// escaped or sanitised wherever it is shown, never here).
    public init(serial: String, officerNumber: String, officerName: String, bay: String, startUTC: String, endUTC: String) {
        self.serial = serial
        self.officerNumber = officerNumber
        self.officerName = officerName
        self.bay = bay
        self.startUTC = startUTC
        self.endUTC = endUTC
    }
}

/// Everything the integrity report is computed from.
public struct SessionInput: Sendable {
    /// Every file of the catalog, recordings and logs, in any order.
    public var recordings: [Recording]
    /// UTC of every GPS fix in the session's GPS logs, milliseconds since 1970, as the GNSS
    /// receiver stamped them (true time, not the device clock). Any order, duplicates allowed.
    public var gpsFixTimesMs: [Int64]
    /// The device clock, for correcting recording times.
    public var clock: ClockModel
    /// The dock session.
    public var dock: DockInfo
    /// The device's display zone, minutes east of UTC (+480 for China Standard Time): axis
    /// labels and local times in the text are shown in it.
    public var deviceZoneOffsetMinutes: Int
    /// The parsed time log, when the session had one: its rejected lines become a finding.
    public var timeLog: TimeLog?

    /// A session input.
    public init(recordings: [Recording], gpsFixTimesMs: [Int64], clock: ClockModel, dock: DockInfo,
                deviceZoneOffsetMinutes: Int = 480, timeLog: TimeLog? = nil) {
        self.recordings = recordings
        self.gpsFixTimesMs = gpsFixTimesMs
        self.clock = clock
        self.dock = dock
        self.deviceZoneOffsetMinutes = deviceZoneOffsetMinutes
        self.timeLog = timeLog
    }
}

/// The thresholds of the integrity report.
public struct ReportOptions: Sendable, Hashable, Codable {
    /// A stretch of the duty period with no recording longer than this is reported as a gap
    /// (strictly longer), milliseconds. Default 5 minutes.
    public var gapThresholdMs: Int64
    /// A gap at least this long is a warning rather than information, milliseconds. Default 1 hour.
    public var longGapThresholdMs: Int64
    /// A moment counts as GPS-covered when a fix lies within this many milliseconds of it either
    /// way. Default 2000.
    public var gpsToleranceMs: Int64

    /// Options; the defaults are the report's documented norms.
    public init(gapThresholdMs: Int64 = 300_000, longGapThresholdMs: Int64 = 3_600_000, gpsToleranceMs: Int64 = 2_000) {
        self.gapThresholdMs = gapThresholdMs
        self.longGapThresholdMs = longGapThresholdMs
        self.gpsToleranceMs = gpsToleranceMs
    }
}
