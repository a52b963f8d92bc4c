import RecorderHAL
import RecorderProtocol

/// What the simulator plays: one or more recorders, each with its identity, secrets, clock,
/// recordings, link and faults. Read from a JSON scenario file (Docs/simulator.md).
public struct Scenario: Sendable {
    public var recorders: [RecorderScenario]

    public init(recorders: [RecorderScenario]) { self.recorders = recorders }
}

/// One simulated recorder.
public struct RecorderScenario: Sendable {
    public var identity: RecorderIdentity
    /// USB ids the recorder presents: by default the simulator's entries in the device
    /// database, 1209:0001 (protocol v1) or, for a mass-storage recorder, 1209:0002
    /// (`RecorderScenario.massStorageProductId`).
    public var vendorId: UInt16 = 0x1209
    public var productId: UInt16 = 0x0001
    /// USB port path of the bay it is docked in ("1-1.3"), or nil to number bays in order.
    public var port: String?
    public var password: String
    /// Wrong passwords in a row before the device locks.
    public var lockoutAttempts: Int = 5
    /// How long a lockout lasts.
    public var lockoutSeconds: Int = 300
    public var clock: ClockScenario = ClockScenario()
    public var status: StatusScenario = StatusScenario()
    public var link: LinkModel = .usb2HighSpeed
    /// Largest payload the device accepts and sends.
    public var maxPayload: Int = 1024 * 1024 + 4096
    /// Requests the device accepts at once.
    public var maxInFlight: Int = 8
    /// Whether the catalog carries the device's SHA-256 of each file.
    public var deviceHashes: Bool = true
    public var recordings: [SimulatedRecording]
    public var faults: [Fault] = []
    /// Set for a mass-storage recorder (`"storage"` in the file): it serves an image over
    /// Bulk-Only Transport and SCSI instead of holding a protocol-v1 conversation, and has no
    /// `recordings` or `faults` of its own (its faults are the storage's).
    public var storage: MassStorageScenario?
    /// Set for a vendor recorder (`"family": "amba-ctrl"` or `"amba-ascii"`): it docks as a
    /// vendor device (USB 4255:0001 by default) that is unlocked with `password` and, once told
    /// to switch, comes back as its `storage`.
    public var vendor: VendorScenario?

    public init(identity: RecorderIdentity, password: String, recordings: [SimulatedRecording]) {
        self.identity = identity
        self.password = password
        self.recordings = recordings
    }

    /// The product id a mass-storage recorder presents unless its `usb` says otherwise: the
    /// device database's generic test mass-storage model (pid.codes test id 1209:0002).
    public static let massStorageProductId: UInt16 = 0x0002
}

/// The device clock relative to the host's.
public struct ClockScenario: Sendable, Hashable {
    /// Device minus true UTC at the start, in seconds. Years off models a recorder whose RTC
    /// battery died ("clock far off").
    public var offsetSeconds: Double = 0
    /// The largest `offsetSeconds` a scenario may give either way: 200 years of 365 days.
    public static let maximumOffsetSeconds: Int64 = 200 * 365 * 86400
    /// How fast the device clock runs away, in seconds per day (healthy: within ±3).
    public var driftSecondsPerDay: Double = 0
    /// The time zone the device displays, minutes east of UTC (+480 in China).
    public var zoneOffsetMinutes: Int = 480
    /// Whether CLOCK_SET fails with TIME_SET_FAILED.
    public var refuseSet: Bool = false

    public init() {}
}

/// What STATUS reports.
public struct StatusScenario: Sendable, Hashable {
    public var batteryPercent: Int? = 76
    public var charging: Bool = true
    public var recording: Bool = false
    public var storageTotalBytes: UInt64 = 64_000_000_000
    /// When set, STATUS reports exactly this capacity whatever the recordings hold: a broken or
    /// lying recorder (the catalog may then list more than the medium can hold).
    public var reportedStorageTotalBytes: UInt64?
    public var temperatureCelsius: Double? = 31.5

    public init() {}
}

/// One recording or log on a simulated recorder.
public struct SimulatedRecording: Sendable {
    public var id: UInt32
    public var kind: RecorderProtocol.RecordingKind
    /// The path exactly as the device will send it: may be hostile on purpose.
    public var path: [UInt8]
    public var content: Content
    public var sequence: UInt32
    public var important: Bool
    /// Device clock, UTC milliseconds.
    public var startMilliseconds: Int64
    public var endMilliseconds: Int64

    /// The longest a recording lasts in a scenario: 366 days.
    public static let maximumDurationSeconds: Double = 366 * 86400

    /// Where the bytes come from.
    public enum Content: Sendable {
        /// `size` bytes from a `ContentGenerator`.
        case generated(seed: UInt64, size: UInt64)
        /// Literal bytes (logs, small files).
        case bytes([UInt8])
    }

    public init(id: UInt32, kind: RecorderProtocol.RecordingKind, path: [UInt8], content: Content, sequence: UInt32,
                important: Bool, startMilliseconds: Int64, endMilliseconds: Int64) {
        self.id = id
        self.kind = kind
        self.path = path
        self.content = content
        self.sequence = sequence
        self.important = important
        self.startMilliseconds = startMilliseconds
        self.endMilliseconds = endMilliseconds
    }

    /// The true size of the content.
    public var size: UInt64 {
        switch content {
        case .generated(_, let size): size
        case .bytes(let b): UInt64(b.count)
        }
    }

    /// Writes the content at `offset ..< offset + buffer.count` into `buffer`; the range must
    /// lie inside the content.
    public func fill(_ buffer: UnsafeMutableRawBufferPointer, offset: UInt64) {
        switch content {
        case .generated(let seed, _):
            ContentGenerator(seed: seed).fill(buffer, offset: offset)
        case .bytes(let b):
            let start = Int(offset)
            b.withUnsafeBytes { src in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[start..<(start + buffer.count)]))
            }
        }
    }
}

/// A misbehaviour to inject, so that every failure the gateway must survive can be produced on
/// demand.
public enum Fault: Sendable, Hashable {
    /// The recorder is unplugged once it has sent this many bytes of file data; the frame in
    /// progress is cut off.
    case disconnect(afterBytes: UInt64)
    /// One byte of a recording flipped. In transit: the READ reply is damaged after its CRC
    /// was computed, `times` times (the frame check catches it; a re-read heals it). In storage:
    /// the device's medium holds the wrong byte, every read returns it, and only the device's
    /// own hash (taken when recording) and the host's SHA-256 disagree.
    case corrupt(recording: UInt32, offset: UInt64, inTransit: Bool, times: Int)
    /// The device goes silent for `milliseconds` before the first reply after `afterBytes`
    /// bytes of file data.
    case stall(afterBytes: UInt64, milliseconds: Int)
    /// The catalog carries a SHA-256 for this recording that does not match its content.
    case wrongDeviceHash(recording: UInt32)
    /// Every AUTH_RESPONSE is answered PASSWORD_WRONG, then LOCKED_OUT.
    case refuseAuthentication
    /// The catalog claims this size; the content has its true size.
    case sizeLies(recording: UInt32, reportedSize: UInt64)
    /// Every catalog page says there is another one, listing made-up entries.
    case catalogNeverEnds
}
