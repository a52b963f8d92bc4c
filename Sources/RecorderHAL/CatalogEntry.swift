/// What a catalog entry holds, by name: "video", "gps-log", or a family's own name for a kind
/// this version does not list. An open set: an unknown kind is kept as named and still
/// ingested, never dropped.
public struct RecordingKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The kind's name as it appears in the journal, the custody record and scenario files.
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let video = RecordingKind(rawValue: "video")
    public static let audio = RecordingKind(rawValue: "audio")
    public static let photo = RecordingKind(rawValue: "photo")
    /// NMEA 0183 GPS fixes (the session report's track).
    public static let gpsLog = RecordingKind(rawValue: "gps-log")
    /// The recorder's clock events (the session report's time correction).
    public static let timeLog = RecordingKind(rawValue: "time-log")
    public static let eventLog = RecordingKind(rawValue: "event-log")

    public var description: String { rawValue }
}

/// One recording or log as a recorder lists it, whatever its family. Every field is the
/// device's claim (or read from its storage) and is untrusted: the path may be hostile, the size
/// may lie, the times come from its clock.
public struct CatalogEntry: Hashable, Sendable {
    /// The driver's handle for `read` and `release`, unique within one catalog. The driver
    /// assigns it: protocol v1 passes the device's own id through.
    public var id: UInt32
    public var kind: RecordingKind
    /// Marked by the officer as important.
    public var important: Bool
    /// The device's running recording number (gaps suggest deletions).
    public var sequence: UInt32
    /// Bytes.
    public var size: UInt64
    /// Device clock, UTC milliseconds.
    public var startMilliseconds: Int64
    /// Device clock, UTC milliseconds.
    public var endMilliseconds: Int64
    /// The device's SHA-256 of the file, when its family keeps one (`.deviceHashes`).
    public var deviceSHA256: [UInt8]?
    /// The path bytes exactly as the device gave them. Kept raw because a hostile or broken
    /// device may send invalid UTF-8, NUL bytes or `..`; the evidence layer sanitises, the
    /// drivers do not.
    public var pathBytes: [UInt8]
    /// What makes this the same recording at the next dock, for a family without device hashes
    /// (`.deviceHashes` absent), whose ids are its own handles: bytes the family derives from
    /// where and how the file lies on the device (mass storage: a SHA-256 over the volume, path,
    /// size, first cluster and raw time stamps). The ledger and a resumed session recognise a
    /// recording by id, size, device hash and this key, so a new file that took an old one's
    /// place (same path, same size) is collected again rather than taken as already collected.
    /// Nil for a family whose device hash already says it (protocol v1).
    public var sourceKey: [UInt8]?

    public init(id: UInt32, kind: RecordingKind, important: Bool = false, sequence: UInt32,
                size: UInt64, startMilliseconds: Int64, endMilliseconds: Int64,
                deviceSHA256: [UInt8]?, path: [UInt8], sourceKey: [UInt8]? = nil) {
        self.id = id
        self.kind = kind
        self.important = important
        self.sequence = sequence
        self.size = size
        self.startMilliseconds = startMilliseconds
        self.endMilliseconds = endMilliseconds
        self.deviceSHA256 = deviceSHA256
        self.pathBytes = path
        self.sourceKey = sourceKey
    }

    /// The path for display: invalid UTF-8 replaced by U+FFFD. Never use it to build a file name
    /// without sanitising.
    public var path: String { String(decoding: pathBytes, as: UTF8.self) }
}
