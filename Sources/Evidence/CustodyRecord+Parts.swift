import RecorderHAL

extension CustodyRecord {
    /// The gateway that made the bag.
    public struct Gateway: Codable, Sendable, Hashable {
        /// The gateway's configured id (kiosk name).
        public var id: String
        /// Always `recorder-gateway`.
        public var software: String
        /// The gateway software's version.
        public var version: String
        /// The gateway's Ed25519 public key, hex of its 32 raw bytes: the key that verifies
        /// `custody.json.sig` (the store's `gateway.pub` holds it as PEM).
        public var publicKey: String?

        /// A gateway part with `software` set to `recorder-gateway`.
        public init(id: String, version: String, software: String = BagInfo.softwareAgent, publicKey: String? = nil) {
            self.id = id
            self.software = software
            self.version = version
            self.publicKey = publicKey
        }
    }

    /// When the recorder was in the bay, by the gateway's clock.
    public struct Dock: Codable, Sendable, Hashable {
        /// When the gateway noticed the recorder, `UTCTimestamp` form.
        public var startUTC: String
        /// When the bag was sealed, `UTCTimestamp` form.
        public var endUTC: String
        /// Each time the recorder was docked for this bag, when a dock was interrupted (pulled
        /// out, gateway restarted) and continued later, possibly in another bay.
        public var attempts: [Attempt]?

        /// A dock part from two `UTCTimestamp` strings.
        public init(startUTC: String, endUTC: String, attempts: [Attempt]? = nil) {
            self.startUTC = startUTC
            self.endUTC = endUTC
            self.attempts = attempts
        }

        /// One dock of the recorder that contributed to the bag.
        public struct Attempt: Codable, Sendable, Hashable {
            public var bay: String
            public var startUTC: String
            /// Nil when the gateway stopped before it could note the end.
            public var endUTC: String?
            /// `completed` or `interrupted`.
            public var result: String

            public init(bay: String, startUTC: String, endUTC: String?, result: String) {
                self.bay = bay
                self.startUTC = startUTC
                self.endUTC = endUTC
                self.result = result
            }
        }
    }

    /// The recorder as its driver described it: who it is (the HAL's `RecorderIdentity`) and
    /// how the gateway spoke to it. Its fields read through, so `recorder.serial` is the
    /// identity's serial.
    ///
    /// Written flat, as custody.json always had it: the identity's eight members (`serial`,
    /// `model`, `firmware`, `officerNumber`, `officerName`, `unitNumber`, `unitName`,
    /// `hardwareId`) beside `driver` and `protocolVersion` in one object.
    @dynamicMemberLookup
    public struct Recorder: Codable, Sendable, Hashable {
        /// Who the recorder is and whom it is issued to, every field as the device sent it.
        public var identity: RecorderIdentity
        /// The driver that spoke to it, e.g. `zfy-bulk-v1`.
        public var driver: String
        /// The protocol version agreed in HELLO.
        public var protocolVersion: Int

        /// A recorder part.
        public init(identity: RecorderIdentity, driver: String, protocolVersion: Int) {
            self.identity = identity
            self.driver = driver
            self.protocolVersion = protocolVersion
        }

        /// A field of the identity (`recorder.serial`).
        public subscript<T>(dynamicMember field: WritableKeyPath<RecorderIdentity, T>) -> T {
            get { identity[keyPath: field] }
            set { identity[keyPath: field] = newValue }
        }

        private enum CodingKeys: String, CodingKey { case driver, protocolVersion }

        /// Reads the flat object: the identity's members and the driver's from the same one.
        public init(from decoder: any Decoder) throws {
            identity = try RecorderIdentity(from: decoder)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            driver = try c.decode(String.self, forKey: .driver)
            protocolVersion = try c.decode(Int.self, forKey: .protocolVersion)
        }

        /// Writes the flat object (the encoder sorts the keys; see `canonicalJSON`).
        public func encode(to encoder: any Encoder) throws {
            try identity.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(driver, forKey: .driver)
            try c.encode(protocolVersion, forKey: .protocolVersion)
        }
    }

    /// The recorder's clock as measured at dock time, before any correction.
    public struct Clock: Codable, Sendable, Hashable {
        /// Device clock minus gateway clock, milliseconds: positive when the recorder runs fast.
        /// Subtract it from a device time to get gateway time.
        public var offsetMs: Double
        /// Round trip of the best sample, milliseconds: the offset is good to about half of it.
        public var roundTripMs: Double
        /// How many CLOCK_GET samples were taken.
        public var samples: Int
        /// The device's display time zone, minutes east of UTC (+480 for China Standard Time).
        public var deviceZoneOffsetMinutes: Int
        /// When the offset was measured (gateway clock), `UTCTimestamp` form.
        public var measuredAtUTC: String
        /// How fast the device clock ran away since its last sync (GNSS or time set) before the
        /// dock, seconds per day, positive when fast; nil when the time log has no sync point.
        public var driftSecondsPerDay: Double?
        /// The last sync point before the dock, `UTCTimestamp` form.
        public var lastSyncUTC: String?
        /// What is doubtful about the clock (`no-sync`, `drift-excessive`, ...; report.json
        /// explains each).
        public var flags: [String]?
        /// A clock part.
        public init(offsetMs: Double, roundTripMs: Double, samples: Int, deviceZoneOffsetMinutes: Int,
                    measuredAtUTC: String) {
            self.offsetMs = offsetMs
            self.roundTripMs = roundTripMs
            self.samples = samples
            self.deviceZoneOffsetMinutes = deviceZoneOffsetMinutes
            self.measuredAtUTC = measuredAtUTC
        }
    }

    /// Something odd about the session, for the auditor.
    public struct Anomaly: Codable, Sendable, Hashable {
        /// A short stable code, e.g. `device-hash-mismatch`, `quarantined`, `read-failed`
        /// (Docs/evidence-format.md lists them).
        public var code: String
        /// The recording it concerns, if one.
        public var file: UInt32?
        /// What exactly, for a person.
        public var detail: String

        /// An anomaly.
        public init(code: String, file: UInt32? = nil, detail: String) {
            self.code = code
            self.file = file
            self.detail = detail
        }
    }

    /// Sums over the files.
    public struct Totals: Codable, Sendable, Hashable {
        /// How many files are in the bag's payload.
        public var files: Int
        /// Their bytes.
        public var bytes: UInt64
        /// Seconds from the start of the (first) dock to the sealing of the bag, by the
        /// gateway's clock.
        public var seconds: Double

        /// Totals.
        public init(files: Int, bytes: UInt64, seconds: Double) {
            self.files = files
            self.bytes = bytes
            self.seconds = seconds
        }
    }
}
