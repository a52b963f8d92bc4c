/// One bay as the service reports it (`devices`, `info`; Docs/control-api.md, "A BAY object").
public struct BayStatus: Codable, Sendable, Equatable {
    /// The USB port path or the configured bay name.
    public var bay: String
    @Nullable public var serial: String?
    @Nullable public var officer: String?
    /// identifying, authenticating, cataloguing, ingesting, verifying, finalizing, releasing,
    /// done, interrupted, error.
    public var state: String
    public var bytesDone: UInt64
    public var bytesTotal: UInt64
    /// 0...100.
    public var percent: Int
    /// Megabytes per second since the dock began, to 0.1.
    public var mbps: Double
    /// Percent, or null when the recorder does not say.
    @Nullable public var battery: Int?
    /// Bytes, or null.
    @Nullable public var storageFree: UInt64?
    /// Device minus gateway, milliseconds to 0.1; null before the clock is read.
    @Nullable public var clockOffsetMs: Double?
    /// The bag the dock is filling, or the last it sealed.
    @Nullable public var bag: String?
    /// Every bag the dock has sealed so far, in the medium's order: one per volume of a medium
    /// with several, else at most one.
    public var bags: [String]
    /// Why the dock stopped, for interrupted and error; else empty.
    public var note: String
    /// ISO 8601, UTC.
    public var started: String

    public init(bay: String, serial: String?, officer: String?, state: String, bytesDone: UInt64, bytesTotal: UInt64,
                percent: Int, mbps: Double, battery: Int?, storageFree: UInt64?, clockOffsetMs: Double?, bag: String?,
                bags: [String] = [], note: String, started: String) {
        self.bay = bay
        self.serial = serial
        self.officer = officer
        self.state = state
        self.bytesDone = bytesDone
        self.bytesTotal = bytesTotal
        self.percent = percent
        self.mbps = mbps
        self.battery = battery
        self.storageFree = storageFree
        self.clockOffsetMs = clockOffsetMs
        self.bag = bag
        self.bags = bags
        self.note = note
        self.started = started
    }
}
