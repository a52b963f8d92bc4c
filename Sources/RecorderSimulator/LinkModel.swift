/// How the simulated bus between a bay and a recorder behaves in time.
///
/// A transfer occupies the bus for its size, rounded up to whole packets (a zero-length packet
/// ends a transfer that fills its last packet), divided by the bandwidth; the bus idles when
/// nothing is queued; each completion reaches the other side `latency` after its last packet.
/// So a client with one small transfer at a time pays the latency on every round trip and sees
/// far less than the capacity, while one with enough in flight keeps the bus busy.
public struct LinkModel: Hashable, Sendable {
    /// Payload bytes per second, or nil for no limit (and no latency): the unlimited link used
    /// to measure the gateway itself.
    public var bytesPerSecond: Double?
    /// Time from a transfer's last packet to its completion at the other end.
    public var latency: Duration
    /// wMaxPacketSize of the bulk endpoints.
    public var packetSize: Int

    public init(bytesPerSecond: Double?, latency: Duration, packetSize: Int) {
        self.bytesPerSecond = bytesPerSecond
        self.latency = latency
        self.packetSize = packetSize
    }

    /// USB 2.0 high-speed as measured in practice: 43 MB/s of bulk payload, 200 µs from the
    /// last packet to the completion callback, 512-byte packets.
    public static let usb2HighSpeed = LinkModel(bytesPerSecond: 43_000_000, latency: .microseconds(200), packetSize: 512)
    /// USB 3 SuperSpeed bulk: ~400 MB/s, 1024-byte packets.
    public static let usb3SuperSpeed = LinkModel(bytesPerSecond: 400_000_000, latency: .microseconds(125), packetSize: 1024)
    /// No limit and no latency.
    public static let unlimited = LinkModel(bytesPerSecond: nil, latency: .zero, packetSize: 512)

    /// Bus time of one transfer of `count` bytes, or nil on an unlimited link.
    public func busTime(forTransferOf count: Int) -> Duration? {
        guard let rate = bytesPerSecond else { return nil }
        var packets = (count + packetSize - 1) / packetSize
        if count % packetSize == 0 { packets += 1 } // zero-length packet (or the empty transfer itself)
        let seconds = Double(packets * packetSize) / rate
        return .nanoseconds(Int64(seconds * 1e9))
    }

    /// The most file bytes per second a client can get when READ replies of `chunk` bytes keep
    /// the bus busy (frame header and reply prefix included): the "link capacity" benchmarks
    /// compare against.
    /// The READ requests share the half-duplex bus with the replies.
    public func capacity(chunk: Int) -> Double? {
        // The READ request (28 + 16 bytes) shares the half-duplex bus with its reply.
        guard let reply = busTime(forTransferOf: chunk + 28 + 12),
              let request = busTime(forTransferOf: 28 + 16) else { return nil }
        let bus = reply + request
        let seconds = Double(bus.components.seconds) + Double(bus.components.attoseconds) / 1e18
        return Double(chunk) / seconds
    }
}
