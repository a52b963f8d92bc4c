import Foundation

/// One docked recorder, whatever its family: the interface the ingest engine and
/// `recorderctl` program against. A driver maps a device family onto it.
///
/// Every value a recorder returns is its own claim and untrusted. Implementations are safe to
/// call from several tasks at once.
public protocol Recorder: Sendable {
    /// What the device announced when the driver opened it.
    var info: RecorderInfo { get }

    /// Who the recorder is and whom it is issued to.
    func identity() async throws(RecorderError) -> RecorderIdentity

    /// Logs in with the recorder's password, in whatever way its family does (protocol v1
    /// proves knowledge of it without sending it). Families without a login do nothing
    /// (`capabilities` lacks `.authenticationRequired`). A wrong password or a locked device
    /// throws `.device` naming the refusal; callers must not retry in a loop, since a recorder
    /// may lock or wipe itself after a few wrong attempts.
    func authenticate(password: String) async throws(RecorderError)

    /// One reading of the device clock with the host's wall-clock instants around it.
    func readClock() async throws(RecorderError) -> ClockSample

    /// Sets the device clock (when `capabilities` contains `.clockSet`).
    func setClock(_ time: DeviceTime) async throws(RecorderError)

    /// Battery, storage, temperature, recording state.
    func status() async throws(RecorderError) -> RecorderStatus

    /// Every recording and log the device lists, checked for structural sanity (unique ids,
    /// a bounded number of entries) but otherwise as the device claims.
    ///
    /// A call after the first asks the device again (a family that reads a medium reads it
    /// afresh), never a cache: the dock's source verification compares two listings as two
    /// readings. `read` follows the latest listing.
    func catalog() async throws(RecorderError) -> [CatalogEntry]

    /// The bytes of `range` of recording `id` (a catalog entry's driver-assigned id), delivered
    /// in order as chunks; see `RecordingStream` for what every family guarantees.
    func read(_ id: UInt32, range: Range<UInt64>) -> any RecordingStream

    /// Tells the device it may free recording `id`, whose verified copy hashes to `sha256`.
    ///
    /// What release means is the family's, and `capabilities` says whether it exists at all
    /// (`.release`): after it returns, the recording may be gone from the device, so the caller
    /// releases only a recording whose copy is verified and sealed. A family that keeps its own
    /// hash (protocol v1) refuses when `sha256` differs from it (`.device` naming the
    /// mismatch) and frees nothing; a family without release throws `.unsupported`.
    func release(_ id: UInt32, sha256: [UInt8]) async throws(RecorderError)

    /// Counters of the conversation so far (requests, peak in flight, timeouts, corrupt replies).
    func statistics() async -> ExchangeStatistics

    /// Ends the conversation and closes the link.
    func close() async
}

/// What a recorder announced when its driver opened it.
public struct RecorderInfo: Hashable, Sendable {
    /// The driver that speaks to it ("zfy-bulk-v1").
    public var driver: String
    /// The version of the family's command set the conversation uses (1 for protocol v1).
    public var protocolVersion: Int
    /// Largest transfer payload either side sends, as negotiated.
    public var maxPayload: Int
    /// Requests the device accepts at once.
    public var maxInFlight: Int
    /// What this recorder can do, as its family and the device say.
    public var capabilities: RecorderCapabilities
    /// Where the link goes.
    public var link: String
    /// The link's best file bytes per second, when known.
    public var linkCapacityBytesPerSecond: Double?

    public init(driver: String, protocolVersion: Int, maxPayload: Int, maxInFlight: Int,
                capabilities: RecorderCapabilities, link: String) {
        self.driver = driver
        self.protocolVersion = protocolVersion
        self.maxPayload = maxPayload
        self.maxInFlight = maxInFlight
        self.capabilities = capabilities
        self.link = link
        self.linkCapacityBytesPerSecond = nil
    }
}

/// Health of a recorder.
public struct RecorderStatus: Hashable, Sendable, Codable {
    /// Percent, nil when the device does not know.
    public var batteryPercent: Int?
    public var charging: Bool
    public var recording: Bool
    public var storageTotalBytes: UInt64
    public var storageFreeBytes: UInt64
    /// Degrees Celsius, nil when the device does not know.
    public var temperatureCelsius: Double?

    public init(batteryPercent: Int?, charging: Bool, recording: Bool, storageTotalBytes: UInt64,
                storageFreeBytes: UInt64, temperatureCelsius: Double?) {
        self.batteryPercent = batteryPercent
        self.charging = charging
        self.recording = recording
        self.storageTotalBytes = storageTotalBytes
        self.storageFreeBytes = storageFreeBytes
        self.temperatureCelsius = temperatureCelsius
    }
}

/// One clock reading: the device's time and the host's wall clock just before the request
/// was sent and just after the reply arrived.
public struct ClockSample: Hashable, Sendable {
    public var device: DeviceTime
    /// Host wall clock when the request was sent.
    public var hostSent: Date
    /// Host wall clock when the reply arrived.
    public var hostReceived: Date

    public init(device: DeviceTime, hostSent: Date, hostReceived: Date) {
        self.device = device
        self.hostSent = hostSent
        self.hostReceived = hostReceived
    }

    /// Round trip in milliseconds.
    public var roundTripMilliseconds: Double { hostReceived.timeIntervalSince(hostSent) * 1000 }

    /// Device minus host in milliseconds, assuming the device read its clock half way through
    /// the round trip.
    public var offsetMilliseconds: Double {
        let midpoint = hostSent.timeIntervalSince1970 * 1000 + roundTripMilliseconds / 2
        return Double(device.utcMilliseconds) - midpoint
    }
}
