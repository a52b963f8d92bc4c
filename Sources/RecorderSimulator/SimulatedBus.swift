import RecorderHAL

/// One simulated USB connection between a bay and a recorder: a half-duplex bus timed by a
/// `LinkModel`, with the host's end (`hostEnd`, a `RecorderLink`) and the device's end.
///
/// Guarantees: IN data reaches the host in the order the device sent it; each transfer
/// completes no earlier than the model allows; the bus carries at most `bytesPerSecond`; once the device is gone, the host receives what
/// was already on the bus and then `.deviceGone`.
public actor SimulatedBus {
    public nonisolated let model: LinkModel
    public nonisolated let name: String

    private let clock = ContinuousClock()
    private var busFreeAt: ContinuousClock.Instant
    private var device: (any SimulatedDeviceEnd)?

    private enum Delivery {
        case data([UInt8])
        case gone
    }
    // Device → host: scheduled, then delivered to the inbox at their completion instants.
    private var scheduled: [(at: ContinuousClock.Instant, what: Delivery)] = []
    private var deliveryRunning = false
    // Taken slots are cleared at once: a delivered frame must not stay alive (1 MiB each)
    // while the host keeps the inbox from ever running empty.
    private var inbox: [Delivery?] = []
    private var inboxHead = 0
    private var receiver: CheckedContinuation<Delivery, Never>?
    private var gone = false
    private var closed = false
    /// Arrivals as the host's transport would see them (`RecorderLink.activity`).
    nonisolated let activity = LinkActivity()

    /// Bytes the device has put on the bus (all frames, headers included).
    public private(set) var bytesToHost: UInt64 = 0
    /// Bytes the host has put on the bus.
    public private(set) var bytesToDevice: UInt64 = 0

    public init(model: LinkModel, name: String) {
        self.model = model
        self.name = name
        self.busFreeAt = ContinuousClock.now
    }

    /// The host's end of the connection.
    public nonisolated var hostEnd: any RecorderLink { HostEnd(bus: self) }

    /// Connects the device side. Requests the host sends are handed to `device`.
    public func attach(_ device: any SimulatedDeviceEnd) {
        self.device = device
    }

    /// Device side: puts one IN transfer on the bus.
    public func deviceSend(_ bytes: [UInt8]) {
        guard !gone, !closed else { return }
        bytesToHost += UInt64(bytes.count)
        guard let busTime = model.busTime(forTransferOf: bytes.count) else {
            deliver(.data(bytes))
            return
        }
        let done = occupy(busTime)
        scheduled.append((done + model.latency, .data(bytes)))
        startDeliveries()
    }

    /// Device side: the device is unplugged. What is already on the bus still arrives.
    public func unplug() {
        guard !gone else { return }
        gone = true
        if model.bytesPerSecond == nil || scheduled.isEmpty {
            deliver(.gone)
        } else {
            scheduled.append((scheduled.last!.at, .gone))
        }
    }

    /// Whether the device has been unplugged.
    public var isGone: Bool { gone }

    // MARK: Host side

    fileprivate func hostSend(_ bytes: [UInt8]) async throws(LinkError) {
        if closed { throw .closed }
        if gone { throw .deviceGone }
        bytesToDevice += UInt64(bytes.count)
        if let busTime = model.busTime(forTransferOf: bytes.count) {
            // The host controller interleaves OUT packets with the IN data already queued, so a
            // request does not wait for queued replies to drain; it takes its share of the bus
            // by pushing them back.
            let now = clock.now
            busFreeAt = max(busFreeAt, now) + busTime
            let arrival = now + busTime + model.latency
            try? await clock.sleep(until: arrival)
            if closed { throw .closed }
            if gone { throw .deviceGone }
        }
        await device?.handle(bytes)
    }

    fileprivate func hostReceive() async throws(LinkError) -> [UInt8] {
        if closed { throw .closed }
        let next: Delivery
        if inboxHead < inbox.count, let item = inbox[inboxHead] {
            next = item
            inbox[inboxHead] = nil
            inboxHead += 1
            if inboxHead == inbox.count {
                inbox.removeAll(keepingCapacity: true)
                inboxHead = 0
            } else if inboxHead > 64 && inboxHead * 2 > inbox.count {
                inbox.removeFirst(inboxHead)
                inboxHead = 0
            }
        } else {
            next = await withCheckedContinuation { receiver = $0 }
        }
        if closed { throw .closed }
        switch next {
        case .data(let bytes): return bytes
        case .gone:
            inbox.insert(.gone, at: inboxHead) // stays gone for later calls
            inboxHead = min(inboxHead, inbox.count - 1)
            throw .deviceGone
        }
    }

    fileprivate func hostClose() {
        closed = true
        if let r = receiver {
            receiver = nil
            r.resume(returning: .gone)
        }
        scheduled.removeAll()
    }

    // MARK: Internals

    private func occupy(_ busTime: Duration) -> ContinuousClock.Instant {
        let start = max(clock.now, busFreeAt)
        busFreeAt = start + busTime
        return busFreeAt
    }

    private func deliver(_ d: Delivery) {
        if case .data = d { activity.arrived() }
        if let r = receiver {
            receiver = nil
            r.resume(returning: d)
        } else {
            inbox.append(d)
        }
    }

    private func startDeliveries() {
        guard !deliveryRunning else { return }
        deliveryRunning = true
        Task { await self.runDeliveries() }
    }

    private func runDeliveries() async {
        while !scheduled.isEmpty && !closed {
            let at = scheduled[0].at
            if at > clock.now {
                try? await clock.sleep(until: at)
                continue
            }
            deliver(scheduled.removeFirst().what)
        }
        deliveryRunning = false
    }

    private struct HostEnd: RecorderLink {
        let bus: SimulatedBus
        var description: String { "simulator \(bus.name)" }
        func send(_ bytes: [UInt8], timeout: Duration) async throws(LinkError) { try await bus.hostSend(bytes) }
        func receive() async throws(LinkError) -> [UInt8] {
            let bytes = try await bus.hostReceive()
            bus.activity.read()
            return bytes
        }
        var activity: LinkActivity? { bus.activity }
        func close() async { await bus.hostClose() }
        var capacityBytesPerSecond: Double? { bus.model.capacity(chunk: 1 << 20) }
    }
}

/// The device behind a `SimulatedBus`: receives the bytes of each OUT transfer.
public protocol SimulatedDeviceEnd: Sendable {
    func handle(_ bytes: [UInt8]) async
}
