import CLibUSB
import Foundation
import RecorderHAL

/// A recorder's pair of bulk endpoints through libusb: the production `RecorderLink`.
///
/// Several IN transfers are kept posted at all times (usbmuxd keeps three), so the device can
/// send while the host handles what arrived; completions are delivered in order. OUT transfers
/// end with a zero-length packet when they fill their last packet, so every frame is one
/// transfer. A stalled endpoint is cleared and the transfer retried once; a vanished device
/// fails every pending and later call with `.deviceGone`.
public final class USBBulkLink: RecorderLink, @unchecked Sendable {
    public let description: String
    private let context: USBContext
    private let handle: OpaquePointer
    private let interface: UInt8
    private let outEndpoint: UInt8
    private let inEndpoint: UInt8
    /// Bytes per IN transfer: a whole number of packets, large enough for a 1 MiB READ reply.
    /// A larger frame simply spans two transfers; the frame decoder does not mind.
    private let inSize: Int

    private let lock = NSLock()
    private var arrived: [[UInt8]] = []
    private var head = 0
    private var receiver: CheckedContinuation<Result<[UInt8], LinkError>, Never>?
    private var failure: LinkError?
    private var closing = false
    private var outstanding = 0
    private var idle: CheckedContinuation<Void, Never>?
    private var posted: Set<ObjectIdentifier> = []
    private var boxes: [ObjectIdentifier: TransferBox] = [:]
    private var stalls = 0
    public let activity: LinkActivity? = LinkActivity()
    /// What bulk transfers reach in practice at this packet size: 64 full speed, 512 high
    /// speed, 1024 SuperSpeed.
    public let capacityBytesPerSecond: Double?

    init(context: USBContext, handle: OpaquePointer, interface: UInt8, outEndpoint: UInt8, inEndpoint: UInt8,
         maxPacket: Int, inFlight: Int, name: String) {
        self.context = context
        self.handle = handle
        self.interface = interface
        self.outEndpoint = outEndpoint
        self.inEndpoint = inEndpoint
        self.description = name
        let packet = max(64, maxPacket)
        capacityBytesPerSecond = maxPacket >= 1024 ? 400e6 : maxPacket >= 512 ? 43e6 : 1.2e6
        inSize = ((1 << 20) + 8192 + packet - 1) / packet * packet
        for _ in 0..<max(1, inFlight) { postIn(nil) }
    }

    // MARK: RecorderLink

    public func send(_ bytes: [UInt8], timeout: Duration) async throws(LinkError) {
        let milliseconds = UInt32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        var result = await transferOut(bytes, milliseconds: milliseconds)
        if case .failure(.stalled) = result {
            // Clear the halt and try once more, as a USB host is expected to.
            _ = libusb_clear_halt(handle, outEndpoint)
            result = await transferOut(bytes, milliseconds: milliseconds)
        }
        try result.get()
    }

    private func transferOut(_ bytes: [UInt8], milliseconds: UInt32) async -> Result<Void, LinkError> {
        await withCheckedContinuation { continuation in
            guard let box = TransferBox(capacity: bytes.count) else {
                continuation.resume(returning: .failure(.io("libusb_alloc_transfer failed")))
                return
            }
            bytes.withUnsafeBytes { if let base = $0.baseAddress { box.buffer.copyMemory(from: base, byteCount: bytes.count) } }
            let endpoint = outEndpoint
            box.onComplete = { [weak self] box in
                let outcome: Result<Void, LinkError>
                switch box.status {
                case LIBUSB_TRANSFER_COMPLETED: outcome = .success(())
                case LIBUSB_TRANSFER_TIMED_OUT: outcome = .failure(.timedOut(direction: .bulkOut, milliseconds: Int(milliseconds)))
                case LIBUSB_TRANSFER_NO_DEVICE: outcome = .failure(.deviceGone)
                case LIBUSB_TRANSFER_CANCELLED: outcome = .failure(.closed)
                case LIBUSB_TRANSFER_STALL: outcome = .failure(.stalled(endpoint: endpoint))
                default: outcome = .failure(.io("bulk OUT failed (libusb status \(box.status.rawValue))"))
                }
                self?.finished(box)
                continuation.resume(returning: outcome)
            }
            if let failure = register(box) {
                continuation.resume(returning: .failure(failure))
                return
            }
            let rc = box.submit(handle: handle, endpoint: outEndpoint, length: bytes.count, timeoutMilliseconds: milliseconds, zeroPacket: true)
            if rc != 0 {
                finished(box)
                continuation.resume(returning: .failure(rc == LIBUSB_ERROR_NO_DEVICE.rawValue ? .deviceGone : .io(USBError("submit bulk OUT", rc).description)))
            }
        }
    }

    /// Counts a transfer as outstanding, or returns the link's failure instead.
    private func register(_ box: TransferBox) -> LinkError? {
        lock.lock()
        defer { lock.unlock() }
        if let failure { return failure }
        outstanding += 1
        boxes[ObjectIdentifier(box)] = box
        return nil
    }

    public func receive() async throws(LinkError) -> [UInt8] {
        let result: Result<[UInt8], LinkError> = await withCheckedContinuation { continuation in
            lock.lock()
            if head < arrived.count {
                let data = arrived[head]
                arrived[head] = []
                head += 1
                if head == arrived.count { arrived.removeAll(keepingCapacity: true); head = 0 }
                lock.unlock()
                continuation.resume(returning: .success(data))
            } else if let failure {
                lock.unlock()
                continuation.resume(returning: .failure(failure))
            } else {
                receiver = continuation
                lock.unlock()
            }
        }
        if case .success = result { activity?.read() }
        return try result.get()
    }

    public func close() async {
        guard let pending = beginClosing() else { return }
        for box in pending { libusb_cancel_transfer(box.transfer) }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            if !waitForIdle(c) { c.resume() }
        }
        libusb_release_interface(handle, Int32(interface))
        libusb_close(handle)
    }

    /// Marks the link closing and returns the transfers to cancel, or nil if already closing.
    private func beginClosing() -> [TransferBox]? {
        lock.lock()
        if closing {
            lock.unlock()
            return nil
        }
        closing = true
        if failure == nil { failure = .closed }
        let pending = Array(boxes.values)
        let waiting = receiver
        receiver = nil
        lock.unlock()
        waiting?.resume(returning: .failure(.closed))
        return pending
    }

    /// Parks `c` until the last transfer finishes; false when none is outstanding.
    private func waitForIdle(_ c: CheckedContinuation<Void, Never>) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if outstanding == 0 { return false }
        idle = c
        return true
    }

    // MARK: IN pipeline

    /// Posts (or re-posts) an IN transfer.
    private func postIn(_ existing: TransferBox?) {
        guard let box = existing ?? TransferBox(capacity: inSize) else {
            fail(.io("libusb_alloc_transfer failed"))
            return
        }
        if existing == nil {
            box.onComplete = { [weak self] box in self?.inCompleted(box) }
            lock.lock()
            boxes[ObjectIdentifier(box)] = box
            outstanding += 1
            lock.unlock()
        }
        lock.lock()
        let stop = closing || failure != nil
        lock.unlock()
        if stop {
            finished(box)
            return
        }
        let rc = box.submit(handle: handle, endpoint: inEndpoint, length: inSize, timeoutMilliseconds: 0, zeroPacket: false)
        if rc != 0 {
            fail(rc == LIBUSB_ERROR_NO_DEVICE.rawValue ? .deviceGone : .io(USBError("submit bulk IN", rc).description))
            finished(box)
        }
    }

    /// On the event thread.
    private func inCompleted(_ box: TransferBox) {
        switch box.status {
        case LIBUSB_TRANSFER_COMPLETED:
            let n = box.actualLength
            if n > 0 { deliver(Array(UnsafeRawBufferPointer(start: box.buffer, count: n))) }
            lock.lock()
            stalls = 0
            lock.unlock()
            postIn(box)
        case LIBUSB_TRANSFER_TIMED_OUT:
            postIn(box)
        case LIBUSB_TRANSFER_STALL:
            lock.lock()
            stalls += 1
            let again = stalls <= 1
            lock.unlock()
            if again {
                // libusb_clear_halt is synchronous: never on the event thread.
                DispatchQueue.global().async { [self] in
                    _ = libusb_clear_halt(handle, inEndpoint)
                    postIn(box)
                }
            } else {
                fail(.stalled(endpoint: inEndpoint))
                finished(box)
            }
        case LIBUSB_TRANSFER_NO_DEVICE:
            fail(.deviceGone)
            finished(box)
        case LIBUSB_TRANSFER_CANCELLED:
            finished(box)
        default:
            fail(.io("bulk IN failed (libusb status \(box.status.rawValue))"))
            finished(box)
        }
    }

    private func deliver(_ data: [UInt8]) {
        activity?.arrived()
        lock.lock()
        if let r = receiver {
            receiver = nil
            lock.unlock()
            r.resume(returning: .success(data))
            return
        }
        arrived.append(data)
        lock.unlock()
    }

    private func fail(_ error: LinkError) {
        lock.lock()
        if failure == nil { failure = error }
        let r = receiver
        receiver = nil
        let pending = closing ? [] : Array(boxes.values)
        lock.unlock()
        // Data already delivered stays readable; a waiting receiver learns of the failure.
        r?.resume(returning: .failure(error))
        if error == .deviceGone { for box in pending { libusb_cancel_transfer(box.transfer) } }
    }

    /// A transfer is done for good.
    private func finished(_ box: TransferBox) {
        lock.lock()
        boxes[ObjectIdentifier(box)] = nil
        outstanding -= 1
        let done = outstanding == 0 ? idle : nil
        if done != nil { idle = nil }
        lock.unlock()
        done?.resume()
    }
}
