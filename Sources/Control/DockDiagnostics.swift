import RecorderHAL

/// Facts about a dock for diagnosis: how the link and the recorder behaved. The service gathers
/// them into its progress board as a dock runs, `recorderctl diagnose --direct` by probing the
/// device itself; `Diagnosis` turns either into the technician's checks.
public struct DockDiagnostics: Sendable, Equatable, Codable {
    public var link: String?
    public var driver: String?
    public var maxPayload: Int?
    public var maxInFlight: Int?
    public var linkCapacityBytesPerSecond: Double?
    /// nil: not tried yet.
    public var authenticated: Bool?
    public var authenticationError: String?
    public var openError: String?
    public var driftSecondsPerDay: Double?
    /// Bytes pulled and the seconds spent pulling them (not identifying or sealing).
    public var pulledBytes: UInt64 = 0
    public var pullSeconds: Double = 0
    public var requests = 0
    public var timeouts = 0
    public var corruptReplies = 0
    public var strayReplies = 0
    public var peakInFlight = 0
    public var rereads = 0
    /// What the dance of a vendor recorder did before its disk was read; nil for a dock
    /// without one (protocol v1, a plain disk).
    public var dance: DanceDiagnostics?
    public init() {}
}

extension DockDiagnostics {
    /// The link and the conversation a recorder was opened with, as its driver reports them.
    public mutating func record(_ info: RecorderInfo) {
        link = info.link
        driver = info.driver
        maxPayload = info.maxPayload
        maxInFlight = info.maxInFlight
        linkCapacityBytesPerSecond = info.linkCapacityBytesPerSecond
    }

    /// The conversation's exchange counters, as they stand (they count from its start).
    public mutating func record(_ statistics: ExchangeStatistics) {
        requests = statistics.requests
        timeouts = statistics.timeouts
        corruptReplies = statistics.corruptReplies
        strayReplies = statistics.strayReplies
        peakInFlight = statistics.peakInFlight
    }

    /// Adds one pull: the bytes read, the time spent reading them, and the re-reads it needed.
    public mutating func recordPull(bytes: UInt64, spent: Duration, rereads: Int) {
        pulledBytes += bytes
        pullSeconds += Double(spent.components.seconds) + Double(spent.components.attoseconds) / 1e18
        self.rereads += rereads
    }
}
