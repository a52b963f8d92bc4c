/// The custody record's account of a vendor recorder's dance (Docs/evidence-format.md,
/// "unlock"). Never holds the password: commands that carried it show `<password>`.
extension CustodyRecord {
    public struct Unlock: Codable, Sendable, Hashable {
        /// `amba-ctrl`, `amba-ascii`.
        public var family: String
        /// The USB port path the vendor device was docked on (and came back on).
        public var port: String
        /// Every command sent, in order.
        public var steps: [Step]
        /// How the unlock ended, in words ("switching to storage").
        public var unlockOutcome: String
        /// The family's own device id, when it gave one.
        public var deviceId: String?
        /// What the unlock did to the clock, in words.
        public var clockSet: String
        /// The dance's ending (`StorageDanceOutcome.code`: returned, volume-differs) and words.
        public var outcome: String
        public var outcomeDetail: String
        /// How long the recorder had to come back, and how long it took, in milliseconds.
        public var returnWaitMs: Int64
        public var returnedAfterMs: Int64?
        /// The volumes the recorder had at its last dock, when they differ from these.
        public var previousVolumes: [String]?
        /// Where each identity field came from: `device` (the family's id, the disk's INQUIRY),
        /// `usb-serial` (the vendor interface's USB serial number string), `disk-usb-serial`
        /// (the returned disk's USB serial number string), `volume-serial` (the disk's first
        /// volume's serial), `assignment-table` (the kiosk's table, `assignments`), `none`
        /// (nobody said).
        public var identitySources: [String: String]
        /// The clock's offset estimated from the recordings (the family cannot read it).
        public var clockEstimate: ClockEstimate?

        public init(family: String, port: String, steps: [Step], unlockOutcome: String, deviceId: String?, clockSet: String,
                    outcome: String, outcomeDetail: String, returnWaitMs: Int64, returnedAfterMs: Int64?,
                    previousVolumes: [String]?, identitySources: [String: String], clockEstimate: ClockEstimate?) {
            self.family = family
            self.port = port
            self.steps = steps
            self.unlockOutcome = unlockOutcome
            self.deviceId = deviceId
            self.clockSet = clockSet
            self.outcome = outcome
            self.outcomeDetail = outcomeDetail
            self.returnWaitMs = returnWaitMs
            self.returnedAfterMs = returnedAfterMs
            self.previousVolumes = previousVolumes
            self.identitySources = identitySources
            self.clockEstimate = clockEstimate
        }
    }

    /// One command of the unlock.
    public struct Step: Codable, Sendable, Hashable {
        public var command: String
        public var carriedPassword: Bool
        public var answer: String

        public init(command: String, carriedPassword: Bool, answer: String) {
            self.command = command
            self.carriedPassword = carriedPassword
            self.answer = answer
        }
    }

    /// The offset of a clock that cannot be read, estimated as the newest recording's end
    /// (the device's own time) minus the time the dock began (the gateway's): a recorder is
    /// docked after its last recording ends, so the true offset is at most this plus the time
    /// between the two. Always an estimate (`estimate` is true), never a measurement; the
    /// recordings' times are not corrected with it.
    public struct ClockEstimate: Codable, Sendable, Hashable {
        public var estimate: Bool
        public var offsetMs: Int64
        public var basis: String
        public var newestRecordingId: UInt32
        public var newestRecordingEndDeviceUTC: String
        public var dockStartUTC: String

        public init(offsetMs: Int64, newestRecordingId: UInt32, newestRecordingEndDeviceUTC: String, dockStartUTC: String) {
            estimate = true
            self.offsetMs = offsetMs
            basis = "newest recording's end (device clock) minus the dock's start (gateway clock)"
            self.newestRecordingId = newestRecordingId
            self.newestRecordingEndDeviceUTC = newestRecordingEndDeviceUTC
            self.dockStartUTC = dockStartUTC
        }
    }
}
