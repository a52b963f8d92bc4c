import RecorderHAL

/// The host's end of a simulated transfer device: a `USBTransferLink` whose transfers are
/// timed by a `LinkModel` and carried to a `BulkOnlyDevice` or a vendor personality.
///
/// Timing (Docs/simulator.md §11.4): each transfer occupies the bus for
/// `LinkModel.busTime(forTransferOf:)` of its bytes from when the bus is free, and completes
/// `latency` later; a control transfer is charged as one transfer of its 8-byte setup plus its
/// data; a STALL handshake as an empty transfer. Waits are in real time, as `SimulatedBus`'s;
/// on an unlimited link nothing waits. A transfer the device would NAK (nothing to send, or
/// no OUT data wanted) fails with `.timedOut` after `timeout` on a timed link, at once on an
/// unlimited one.
struct SimulatedTransferLink: USBTransferLink {
    let device: any SimulatedTransferDevice
    let timing: TransferTiming
    let name: String
    /// The iSerialNumber string it was constructed with.
    let serialNumber: String?

    var description: String {
        "simulator \(name) if \(device.interfaceNumber) \(device.endpointsDescription)"
    }

    var interfaceNumber: UInt8 { device.interfaceNumber }

    func bulkOut(_ bytes: [UInt8], timeout: Duration) async throws(LinkError) {
        try await timing.carry(bytes.count)
        do throws(LinkError) {
            try await device.receive(bytes)
        } catch {
            throw await timing.settle(error, timeout: timeout)
        }
    }

    func bulkIn(length: Int, timeout: Duration) async throws(LinkError) -> [UInt8] {
        guard length >= 0 else { throw .io("bulk IN of \(length) bytes") }
        try await timing.checkOpen()
        let bytes: [UInt8]
        do throws(LinkError) {
            bytes = try await device.send(upTo: length)
        } catch {
            if case .stalled = error { try await timing.carry(0) } // the STALL handshake
            throw await timing.settle(error, timeout: timeout)
        }
        try await timing.carry(bytes.count)
        return bytes
    }

    func control(requestType: UInt8, request: UInt8, value: UInt16, index: UInt16,
                 data: [UInt8], length: Int, timeout: Duration) async throws(LinkError) -> [UInt8] {
        let wanted = requestType & 0x80 != 0 ? length : data.count
        try await timing.carry(8 + wanted)
        return try await device.control(requestType: requestType, request: request, value: value, index: index,
                                        data: requestType & 0x80 != 0 ? [] : data, length: wanted)
    }

    func clearHalt(_ direction: LinkError.Direction, timeout: Duration) async throws(LinkError) {
        try await timing.carry(8)
        try await device.clearHalt(direction)
    }

    func close() async { await timing.close() }

    var capacityBytesPerSecond: Double? { timing.model.bulkOnlyCapacity(readBytes: 1 << 20) }
}

/// The bus time of a simulated mass-storage link, one transfer at a time, and whether the
/// host has closed it.
actor TransferTiming {
    nonisolated let model: LinkModel
    private let clock = ContinuousClock()
    private var busFreeAt: ContinuousClock.Instant
    /// How late the last wait woke after the modelled completion: time the scheduler took, not
    /// the host, so it is not charged to the next transfer (else every command would run
    /// slower than the model by three wake-up delays).
    private var oversleep: Duration = .zero
    private var closed = false

    init(model: LinkModel) {
        self.model = model
        busFreeAt = clock.now
    }

    /// Waits until a transfer of `count` bytes, started when the bus is free, has completed.
    func carry(_ count: Int) async throws(LinkError) {
        if closed { throw .closed }
        guard let busTime = model.busTime(forTransferOf: count) else { return }
        // Never before the previous transfer's modelled completion: now − oversleep is at or
        // after it.
        let now = clock.now
        let start = max(now - oversleep, busFreeAt)
        busFreeAt = start + busTime
        let done = busFreeAt + model.latency
        oversleep = .zero
        if done > now {
            try? await clock.sleep(until: done)
            oversleep = max(.zero, clock.now - done)
        }
        if closed { throw .closed }
    }

    /// Throws `.closed` once the host has closed the link.
    func checkOpen() throws(LinkError) {
        if closed { throw .closed }
    }

    /// What the host sees of a device's `error`: a NAKed transfer (`.timedOut` from the
    /// device) takes the caller's `timeout` on a timed link and is reported with it.
    func settle(_ error: LinkError, timeout: Duration) async -> LinkError {
        guard case .timedOut(let direction, _) = error else { return error }
        if model.bytesPerSecond != nil { try? await clock.sleep(for: timeout) }
        if closed { return .closed }
        let ms = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        return .timedOut(direction: direction, milliseconds: Int(ms))
    }

    func close() { closed = true }
}
