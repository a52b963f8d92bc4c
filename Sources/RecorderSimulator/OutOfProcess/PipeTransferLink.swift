import Foundation
import RecorderHAL

/// The host's end of a mass-storage device served by another process (`DeviceProcess`): each
/// `USBTransferLink` call is one `TransferWire` request and its reply, one at a time, as a
/// Bulk-Only Transport host makes them. The device process runs the simulator's own timed
/// link (`SimulatedTransferLink`), so transfers are timed, NAKed, stalled and lost exactly as
/// in process; this end adds only the pipe.
///
/// Guarantees: a reply longer than the transfer asked is an `.io` error, never returned; when
/// the device process ends or sends something that is not a reply, this and every later call
/// fail with `.deviceGone` or `.io`; after `close()` with `.closed`. The device's timeouts are
/// the caller's, applied on the device's side; a device process that hangs hangs the call
/// (the simulator is the only thing on the other end).
public final class PipeTransferLink: USBTransferLink, @unchecked Sendable {
    public let description: String
    /// `BulkOnlyDevice`'s one interface.
    public let interfaceNumber: UInt8 = 0
    public let capacityBytesPerSecond: Double?
    /// The scenario's `storage.serialNumber`: what the device's descriptor would say, which
    /// the host reads at open, before any transfer (so it is not asked over the pipe).
    public let serialNumber: String?
    private let device: DeviceProcess
    /// Calls block on the pipes here, never on the cooperative threads.
    private let queue: DispatchQueue
    private let failure = LinkFailure()

    /// The host's end of `device`; `model` is the recorder's link, for `capacityBytesPerSecond`.
    public init(device: DeviceProcess, model: LinkModel, name: String, serialNumber: String? = nil) {
        self.device = device
        self.serialNumber = serialNumber
        self.description = "recorder-sim serve \(name) (pid \(device.pid))"
        self.capacityBytesPerSecond = model.bulkOnlyCapacity(readBytes: 1 << 20)
        self.queue = DispatchQueue(label: "pipe-transfer-link-\(name)")
    }

    public func bulkOut(_ bytes: [UInt8], timeout: Duration) async throws(LinkError) {
        _ = try await call(.bulkOut(bytes, timeoutMilliseconds: timeout.transferMilliseconds), limit: 0)
    }

    public func bulkIn(length: Int, timeout: Duration) async throws(LinkError) -> [UInt8] {
        guard (0...FramedPipe.maximumMessage - 1).contains(length) else { throw .io("bulk IN of \(length) bytes") }
        return try await call(.bulkIn(length: UInt32(length), timeoutMilliseconds: timeout.transferMilliseconds), limit: length)
    }

    public func control(requestType: UInt8, request: UInt8, value: UInt16, index: UInt16,
                        data: [UInt8], length: Int, timeout: Duration) async throws(LinkError) -> [UInt8] {
        let deviceToHost = requestType & 0x80 != 0
        let wanted = deviceToHost ? length : data.count
        guard (0...Int(UInt16.max)).contains(wanted) else { throw .io("control transfer of \(wanted) bytes is longer than wLength can say") }
        return try await call(.control(requestType: requestType, request: request, value: value, index: index, length: UInt32(length),
                                       data: deviceToHost ? [] : data, timeoutMilliseconds: timeout.transferMilliseconds),
                              limit: deviceToHost ? length : 0)
    }

    public func clearHalt(_ direction: LinkError.Direction, timeout: Duration) async throws(LinkError) {
        _ = try await call(.clearHalt(direction, timeoutMilliseconds: timeout.transferMilliseconds), limit: 0)
    }

    public func close() async {
        failure.record(.closed)
        device.finish()
    }

    // MARK: Exchanges

    private func call(_ request: TransferWire.Request, limit: Int) async throws(LinkError) -> [UInt8] {
        let outcome: Result<[UInt8], LinkError> = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.exchange(request, limit: limit)) }
        }
        return try outcome.get()
    }

    /// One request and its reply, on `queue`.
    private func exchange(_ request: TransferWire.Request, limit: Int) -> Result<[UInt8], LinkError> {
        if let failure = failure.current { return .failure(failure) }
        guard device.send(TransferWire.encode(request)) else { return .failure(failure.record(.deviceGone)) }
        switch device.receive() {
        case .message(let m):
            do {
                return try TransferWire.decodeReply(m, limit: limit)
            } catch {
                return .failure(failure.record(.io("device process: \(error)")))
            }
        case .gone, .end: return .failure(failure.record(.deviceGone))
        case .oversized(let n): return .failure(failure.record(.io("device process: a message of \(n) bytes")))
        }
    }
}
