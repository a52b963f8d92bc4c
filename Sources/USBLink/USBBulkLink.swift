import CLibUSB
import Foundation
import RecorderHAL

/// A recorder's pair of bulk endpoints through libusb: the production `RecorderLink`.
///
/// Several IN transfers are kept posted at all times (usbmuxd keeps three), so the device can
/// send while the host handles what arrived; completions are delivered in order. OUT transfers
/// end with a zero-length packet when they fill their last packet, so every frame is one
/// transfer. A vanished device fails every pending and later call with `.deviceGone`.
///
/// A halted (stalled) endpoint is recovered the way libusb documents: its pending transfers are
/// cancelled, `libusb_clear_halt`, then the transfers are submitted again. On IN, the bytes a
/// transfer received before the STALL are delivered, and the transfers go back in the order
/// they came back, so the stream reaches the frame decoder whole and in order. On OUT, the
/// frames the halt stopped are sent again (one clear for all of them). An endpoint that halts
/// again before anything moved fails the link with `.stalled`.
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
    /// How the link ended (read and recorded with `lock` held, together with the state above).
    private let failure = LinkFailure()
    private var closing = false
    private var outstanding = 0
    private var idle: CheckedContinuation<Void, Never>?
    private var boxes: [ObjectIdentifier: TransferBox] = [:]
    /// IN transfers submitted and not yet completed.
    private var inSubmitted: Set<ObjectIdentifier> = []
    /// The IN endpoint's halt being recovered: its transfers wait here, in the order they came
    /// back, until the halt is cleared (`clearing`: the clear has started).
    private var inHalt: (parked: [TransferBox], clearing: Bool)?
    /// IN halts since the endpoint last delivered a byte.
    private var inHaltsWithoutData = 0
    /// OUT halts cleared so far, counted when the clear starts: a transfer submitted before the
    /// latest clear that stalled was stopped by a halt that is cleared already.
    private var outClears = 0
    /// libusb_clear_halt is synchronous: it runs here, never on the event thread, one at a time.
    private let clearQueue = DispatchQueue(label: "usb-clear-halt")
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
        let milliseconds = timeout.transferMilliseconds
        var outcome = await transferOut(bytes, milliseconds: milliseconds)
        if case .stalled(let submittedAfter) = outcome {
            // The endpoint halted, so the device has not taken this frame: clear the halt
            // (unless another send cleared it since this transfer was submitted) and send the
            // frame again, once.
            let rc = await clearOutHalt(ifNotClearedSince: submittedAfter)
            if rc != 0 {
                let error: LinkError = rc == LIBUSB_ERROR_NO_DEVICE.rawValue ? .deviceGone : .stalled(endpoint: outEndpoint)
                fail(error)
                throw error
            }
            outcome = await transferOut(bytes, milliseconds: milliseconds)
            if case .stalled = outcome {
                // Halted again at once: clearing does not help, and nothing more can be sent.
                fail(.stalled(endpoint: outEndpoint))
                throw .stalled(endpoint: outEndpoint)
            }
        }
        switch outcome {
        case .sent: return
        case .stalled: throw .stalled(endpoint: outEndpoint)
        case .failed(let error): throw error
        }
    }

    private enum OutOutcome {
        case sent
        /// The transfer ended with a STALL; `clears` is how many OUT clears had started when it
        /// was submitted.
        case stalled(clears: Int)
        case failed(LinkError)
    }

    private func transferOut(_ bytes: [UInt8], milliseconds: UInt32) async -> OutOutcome {
        await withCheckedContinuation { continuation in
            guard let box = TransferBox(capacity: bytes.count) else {
                continuation.resume(returning: .failed(.io("libusb_alloc_transfer failed")))
                return
            }
            bytes.withUnsafeBytes { if let base = $0.baseAddress { box.buffer.copyMemory(from: base, byteCount: bytes.count) } }
            let clears: Int
            switch register(box) {
            case .failure(let failure):
                continuation.resume(returning: .failed(failure))
                return
            case .success(let count):
                clears = count
            }
            box.onComplete = { [weak self] box in
                let outcome: OutOutcome
                switch box.status {
                case LIBUSB_TRANSFER_COMPLETED: outcome = .sent
                case LIBUSB_TRANSFER_TIMED_OUT: outcome = .failed(.timedOut(direction: .bulkOut, milliseconds: Int(milliseconds)))
                case LIBUSB_TRANSFER_NO_DEVICE: outcome = .failed(.deviceGone)
                case LIBUSB_TRANSFER_CANCELLED: outcome = .failed(.closed)
                case LIBUSB_TRANSFER_STALL: outcome = .stalled(clears: clears)
                default: outcome = .failed(.io("bulk OUT failed (libusb status \(box.status.rawValue))"))
                }
                self?.finished(box)
                continuation.resume(returning: outcome)
            }
            let rc = box.submit(handle: handle, endpoint: outEndpoint, length: bytes.count, timeoutMilliseconds: milliseconds, zeroPacket: true)
            if rc != 0 {
                finished(box)
                continuation.resume(returning: .failed(rc == LIBUSB_ERROR_NO_DEVICE.rawValue ? .deviceGone : .io(USBError("submit bulk OUT", rc).description)))
            }
        }
    }

    /// Counts a transfer as outstanding and returns the OUT clears started so far, or returns
    /// the link's failure instead.
    private func register(_ box: TransferBox) -> Result<Int, LinkError> {
        lock.lock()
        defer { lock.unlock() }
        if let failure = failure.current { return .failure(failure) }
        outstanding += 1
        boxes[ObjectIdentifier(box)] = box
        return .success(outClears)
    }

    /// Clears the OUT endpoint's halt, unless a clear has started since the stalled transfer
    /// was submitted (that clear was for the same halt). 0, or libusb's error.
    private func clearOutHalt(ifNotClearedSince clears: Int) async -> Int32 {
        await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            clearQueue.async { [self] in
                lock.lock()
                // Counted before the clear: a transfer submitted while it runs may still meet
                // the halt, and then clears once more (harmless) rather than not at all.
                let needed = outClears == clears && failure.current == nil
                if needed {
                    outClears += 1
                    outstanding += 1   // close() waits for the clear before libusb_close
                }
                lock.unlock()
                guard needed else {
                    continuation.resume(returning: 0)
                    return
                }
                let rc = libusb_clear_halt(handle, outEndpoint)
                endOperation()
                continuation.resume(returning: rc)
            }
        }
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
            } else if let failure = failure.current {
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
        failure.record(.closed)
        let parked = takeParked()
        let pending = boxes.values.filter { box in !parked.contains { $0 === box } }
        let waiting = receiver
        receiver = nil
        lock.unlock()
        waiting?.resume(returning: .failure(.closed))
        for box in parked { finished(box) }
        return pending
    }

    /// The IN transfers parked by a halt whose clear has not started: the caller finishes them
    /// (the link failed or is closing). Called with the lock held.
    private func takeParked() -> [TransferBox] {
        guard let halt = inHalt, !halt.clearing else { return [] }
        inHalt = nil
        return halt.parked
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
        let id = ObjectIdentifier(box)
        if existing == nil {
            box.onComplete = { [weak self] box in self?.inCompleted(box) }
            lock.lock()
            boxes[id] = box
            outstanding += 1
            lock.unlock()
        }
        lock.lock()
        let stop = closing || failure.current != nil
        if !stop { inSubmitted.insert(id) }
        lock.unlock()
        if stop {
            finished(box)
            return
        }
        let rc = box.submit(handle: handle, endpoint: inEndpoint, length: inSize, timeoutMilliseconds: 0, zeroPacket: false)
        if rc != 0 {
            lock.lock()
            inSubmitted.remove(id)
            lock.unlock()
            fail(rc == LIBUSB_ERROR_NO_DEVICE.rawValue ? .deviceGone : .io(USBError("submit bulk IN", rc).description))
            finished(box)
            return
        }
        // A close or a failure that came while submitting did not see this transfer posted.
        lock.lock()
        let cancel = closing || (failure.current == .deviceGone)
        lock.unlock()
        if cancel { libusb_cancel_transfer(box.transfer) }
    }

    /// On the event thread.
    private func inCompleted(_ box: TransferBox) {
        let status = box.status
        let n = box.actualLength
        // The bytes that arrived are the stream's next ones whatever ended the transfer (a STALL
        // can end it part-way), since transfers complete in the order they were submitted.
        if n > 0 { deliver(Array(UnsafeRawBufferPointer(start: box.buffer, count: n))) }
        lock.lock()
        inSubmitted.remove(ObjectIdentifier(box))
        if n > 0 { inHaltsWithoutData = 0 }
        let stopped = closing || failure.current != nil
        switch status {
        case LIBUSB_TRANSFER_COMPLETED, LIBUSB_TRANSFER_TIMED_OUT, LIBUSB_TRANSFER_STALL, LIBUSB_TRANSFER_CANCELLED:
            if stopped || (status == LIBUSB_TRANSFER_CANCELLED && inHalt == nil) {
                lock.unlock()
                finished(box)
                return
            }
            var cancel: [TransferBox] = []
            if status == LIBUSB_TRANSFER_STALL && inHalt == nil {
                inHaltsWithoutData += 1
                if inHaltsWithoutData > 1 {
                    // Halted again before a byte moved: clearing does not help.
                    lock.unlock()
                    fail(.stalled(endpoint: inEndpoint))
                    finished(box)
                    return
                }
                // A halt: every other IN transfer comes back (cancelled, or stalled too)
                // before the halt is cleared, as libusb_clear_halt wants.
                inHalt = ([], false)
                cancel = inSubmitted.compactMap { boxes[$0] }
            }
            guard inHalt != nil else {
                lock.unlock()
                postIn(box)
                return
            }
            inHalt?.parked.append(box)
            let clear = inSubmitted.isEmpty && inHalt?.clearing == false
            if clear { inHalt?.clearing = true }
            lock.unlock()
            for other in cancel { libusb_cancel_transfer(other.transfer) }
            if clear { clearInHalt() }
        case LIBUSB_TRANSFER_NO_DEVICE:
            lock.unlock()
            fail(.deviceGone)
            finished(box)
        default:
            lock.unlock()
            fail(.io("bulk IN failed (libusb status \(status.rawValue))"))
            finished(box)
        }
    }

    /// Every IN transfer is back: clears the halt, then submits them again in the order they
    /// came back, so the device's next bytes land in the transfer the stream expects next.
    private func clearInHalt() {
        clearQueue.async { [self] in
            // The parked transfers are outstanding until resubmitted: close() cannot free the
            // handle meanwhile.
            let rc = libusb_clear_halt(handle, inEndpoint)
            lock.lock()
            let parked = inHalt?.parked ?? []
            inHalt = nil
            let stopped = closing || failure.current != nil
            lock.unlock()
            if !stopped && rc != 0 {
                fail(rc == LIBUSB_ERROR_NO_DEVICE.rawValue ? .deviceGone : .stalled(endpoint: inEndpoint))
            }
            if stopped || rc != 0 {
                for box in parked { finished(box) }
                return
            }
            for box in parked { postIn(box) }
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
        failure.record(error)
        let r = receiver
        receiver = nil
        let parked = takeParked()
        let pending = closing ? [] : boxes.values.filter { box in !parked.contains { $0 === box } }
        lock.unlock()
        // Data already delivered stays readable; a waiting receiver learns of the failure.
        r?.resume(returning: .failure(error))
        for box in parked { finished(box) }
        if error == .deviceGone { for box in pending { libusb_cancel_transfer(box.transfer) } }
    }

    /// A transfer is done for good.
    private func finished(_ box: TransferBox) {
        lock.lock()
        boxes[ObjectIdentifier(box)] = nil
        lock.unlock()
        endOperation()
    }

    /// Something counted in `outstanding` (a transfer, a clear) is over.
    private func endOperation() {
        lock.lock()
        outstanding -= 1
        let done = outstanding == 0 ? idle : nil
        if done != nil { idle = nil }
        lock.unlock()
        done?.resume()
    }
}
