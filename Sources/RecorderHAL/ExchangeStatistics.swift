/// What a conversation with a recorder has seen so far, in any family: the numbers
/// `recorderctl diagnose` reports. A family counts what its transport lets it see.
public struct ExchangeStatistics: Hashable, Sendable, Codable {
    /// Requests sent.
    public var requests = 0
    /// The most requests that were outstanding at once.
    public var peakInFlight = 0
    /// Requests that got no reply in time.
    public var timeouts = 0
    /// Replies that failed their payload check.
    public var corruptReplies = 0
    /// Replies that matched no outstanding request.
    public var strayReplies = 0

    public init() {}
}
