import Foundation
import RecorderHAL

/// The host's end of a protocol-v1 recorder served by another process (`DeviceProcess`): each
/// `send` is one message to the device (one bulk OUT transfer), each `receive` the device's
/// next message (one bulk IN transfer). The device process runs the scenario's `SimulatedBus`,
/// so the link model times the transfers there as it does in process.
///
/// Guarantees: when the device is unplugged (its 0xFFFFFFFF marker) or its process ends,
/// `receive` and every later call fail with `.deviceGone`; after `close()` with `.closed`.
public final class PipeRecorderLink: RecorderLink, @unchecked Sendable {
    public let description: String
    public let capacityBytesPerSecond: Double?
    private let device: DeviceProcess
    /// Writes and reads block on the pipes on these queues, never on the cooperative threads.
    private let sending: DispatchQueue
    private let receiving: DispatchQueue
    private let failure = LinkFailure()

    public init(device: DeviceProcess, model: LinkModel, name: String) {
        self.device = device
        self.description = "recorder-sim serve \(name) (pid \(device.pid))"
        self.capacityBytesPerSecond = model.capacity(chunk: 1 << 20)
        self.sending = DispatchQueue(label: "pipe-recorder-link-out-\(name)")
        self.receiving = DispatchQueue(label: "pipe-recorder-link-in-\(name)")
    }

    public func send(_ bytes: [UInt8], timeout: Duration) async throws(LinkError) {
        let outcome: LinkError? = await withCheckedContinuation { continuation in
            sending.async {
                if let failure = self.failure.current { return continuation.resume(returning: failure) }
                continuation.resume(returning: self.device.send(bytes) ? nil : self.failure.record(.deviceGone))
            }
        }
        if let outcome { throw outcome }
    }

    public func receive() async throws(LinkError) -> [UInt8] {
        let outcome: Result<[UInt8], LinkError> = await withCheckedContinuation { continuation in
            receiving.async {
                if let failure = self.failure.current { return continuation.resume(returning: .failure(failure)) }
                switch self.device.receive() {
                case .message(let m): continuation.resume(returning: .success(m))
                case .gone, .end: continuation.resume(returning: .failure(self.failure.record(.deviceGone)))
                case .oversized(let n): continuation.resume(returning: .failure(self.failure.record(.io("device process: a message of \(n) bytes"))))
                }
            }
        }
        return try outcome.get()
    }

    public func close() async {
        failure.record(.closed)
        device.finish()
    }
}
