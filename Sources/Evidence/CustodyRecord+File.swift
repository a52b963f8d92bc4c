import GatewayCrypto
import RecorderHAL

extension CustodyRecord {
    /// One recording: what the device claimed, where it went in the bag, and what the gateway
    /// found.
    public struct File: Codable, Sendable, Hashable {
        /// The device's handle for the recording in this catalog.
        public var recordingId: UInt32
        /// `video`, `audio`, `photo`, `gps-log`, `time-log`, `event-log`, or `kind-<n>`.
        public var kind: String
        /// The device's path as text, invalid UTF-8 shown as U+FFFD. For reading, not for
        /// proving: when it is not exactly what the device sent, `devicePathHex` is.
        public private(set) var devicePath: String
        /// The device's path bytes in hex, present only when `devicePath` cannot stand for them:
        /// they are not valid UTF-8, or contain NUL or another control character.
        public private(set) var devicePathHex: String?
        /// Where the file is in the bag (from `PathSanitizer`), e.g. `data/DCIM/x.MP4`.
        public var bagPath: String
        /// Bytes stored in the bag: the size the device listed, or fewer when the file could
        /// not be read whole (`read-failed`, `vanished`; then `quarantined`).
        public var size: UInt64
        /// The device's running recording number; gaps suggest deletions.
        public var sequence: UInt32
        /// Marked important by the officer.
        public var important: Bool
        /// Device clock, `UTCTimestamp` form, unadjusted.
        public var deviceStartUTC: String
        /// Device clock, `UTCTimestamp` form, unadjusted.
        public var deviceEndUTC: String
        /// `deviceStartUTC` corrected for the device clock's error (the clock model of the
        /// session's time log and dock measurement; see report.json), `UTCTimestamp` form.
        public var correctedStartUTC: String?
        /// `deviceEndUTC` corrected the same way.
        public var correctedEndUTC: String?
        /// The device's own SHA-256 of the file (hex), when it keeps one.
        public var deviceSha256: String?
        /// The gateway's SHA-256 of the bytes it stored (hex); nil if it never got them whole.
        public var sha256: String?
        /// The stored bytes are the device's bytes: the file arrived whole (every frame checked)
        /// and, when the device keeps a hash, the gateway's SHA-256 equals it.
        public var verified: Bool
        /// Kept apart and not released on the device, for a person to look at.
        public var quarantined: Bool
        /// Chunks read again after a damaged or missing reply.
        public var rereads: Int
        /// Codes of the anomalies about this file (details are in the record's `anomalies`).
        public var anomalies: [String]
        /// Where on the medium (`CustodyRecord.source`) the file was read from, in file order:
        /// each run's absolute byte offset and length, with its volume and clusters, so that the
        /// runs cut from an image of the medium with `dd` are the file. Absent when the family
        /// reads no medium or the recorder did not say; empty for a file with no bytes.
        public var extents: [SourceExtent]?
        /// For a recorder that keeps no hash of its own: whether the file was read a second time,
        /// independently, and how that went: `second-read-agreed` (same SHA-256),
        /// `second-read-differs` (a `source-changed` anomaly gives both), or `not-done`
        /// (`verify-source = before-release` and this dock released nothing). Absent for a
        /// recorder that keeps its own hash (`deviceSha256` is its check).
        public var sourceVerification: String?

        /// A file entry; `devicePath` is the raw catalog bytes, from which both `devicePath` and
        /// (when needed) `devicePathHex` are made.
        public init(recordingId: UInt32, kind: String, devicePath: [UInt8], bagPath: String, size: UInt64,
                    sequence: UInt32, important: Bool, deviceStartUTC: String, deviceEndUTC: String,
                    deviceSha256: String?, sha256: String?, verified: Bool, quarantined: Bool,
                    rereads: Int, anomalies: [String]) {
            self.recordingId = recordingId
            self.kind = kind
            (self.devicePath, self.devicePathHex) = File.describe(devicePath)
            self.bagPath = bagPath
            self.size = size
            self.sequence = sequence
            self.important = important
            self.deviceStartUTC = deviceStartUTC
            self.deviceEndUTC = deviceEndUTC
            self.deviceSha256 = deviceSha256
            self.sha256 = sha256
            self.verified = verified
            self.quarantined = quarantined
            self.rereads = rereads
            self.anomalies = anomalies
        }

        /// Sets `devicePath` and `devicePathHex` together from the raw bytes, so they always
        /// agree.
        public mutating func setDevicePath(_ bytes: [UInt8]) {
            (devicePath, devicePathHex) = File.describe(bytes)
        }

        /// (text, hex when the text is not the bytes or hides a control character).
        static func describe(_ bytes: [UInt8]) -> (String, String?) {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                return (String(decoding: bytes, as: UTF8.self), hexString(bytes))
            }
            let hidden = text.unicodeScalars.contains { $0.properties.generalCategory == .control }
            return (text, hidden ? hexString(bytes) : nil)
        }
    }
}
