import CLibUSB
import Foundation
import RecorderHAL

/// One claimed interface's bulk pipes and the default control pipe through libusb, used one
/// exact-sized transfer at a time: the production `USBTransferLink` (USB mass storage's
/// Bulk-Only Transport and other command/response families).
///
/// Bulk and control transfers are asynchronous libusb transfers completed on the shared
/// `USBContext` event thread; `libusb_clear_halt`, which is synchronous, runs on a queue of its
/// own, never on the event thread, and is waited for at most its timeout. A halted endpoint is
/// reported as `.stalled` and left halted (the protocol above clears it); a vanished device
/// fails that call and every later one with `.deviceGone`. Nothing is posted ahead, so no byte
/// arrives that the caller did not ask for.
///
/// A vendor interface may have no bulk endpoint at all (amba-ctrl talks over the default pipe
/// only): such a link is control-only, and its bulk calls throw `.io` naming the missing
/// endpoint without touching the device.
public final class USBTransferPipes: USBTransferLink, @unchecked Sendable {
    public let description: String
    public let interfaceNumber: UInt8
    public let capacityBytesPerSecond: Double?
    public let serialNumber: String?
    private let handle: OpaquePointer
    /// nil on a control-only link.
    private let outEndpoint: UInt8?
    private let inEndpoint: UInt8?

    private let lock = NSLock()
    /// Transfers submitted or about to be, which `close()` cancels.
    private var pending: [ObjectIdentifier: TransferBox] = [:]
    /// Transfers and halt clears under way: `close()` frees the handle only when none is.
    private var outstanding = 0
    private var idle: CheckedContinuation<Void, Never>?
    /// `.deviceGone` once the device vanished, `.closed` after `close()`.
    private let failure = LinkFailure()
    private var closing = false
    private let clearQueue = DispatchQueue(label: "usb-transfer-pipes-clear-halt")

    init(handle: OpaquePointer, interface: UInt8, outEndpoint: UInt8?, inEndpoint: UInt8?, maxPacket: Int, name: String,
         serialNumber: String? = nil) {
        self.handle = handle
        self.serialNumber = serialNumber
        self.interfaceNumber = interface
        self.outEndpoint = outEndpoint
        self.inEndpoint = inEndpoint
        self.description = name
        // What bulk transfers reach in practice at this packet size: 64 full speed, 512 high
        // speed, 1024 SuperSpeed.
        capacityBytesPerSecond = maxPacket >= 1024 ? 400e6 : maxPacket >= 512 ? 43e6 : 1.2e6
    }

    // MARK: USBTransferLink

    public func bulkOut(_ bytes: [UInt8], timeout: Duration) async throws(LinkError) {
        let ms = timeout.transferMilliseconds
        let outEndpoint = try endpoint(outEndpoint, .bulkOut)
        let sent = try await perform(.bulkOut, endpoint: outEndpoint, capacity: bytes.count, milliseconds: ms) { box in
            bytes.withUnsafeBytes { if let base = $0.baseAddress { box.buffer.copyMemory(from: base, byteCount: bytes.count) } }
            return box.submit(handle: self.handle, endpoint: outEndpoint, length: bytes.count, timeoutMilliseconds: ms, zeroPacket: false)
        } result: { box in
            [UInt8](repeating: 0, count: box.actualLength)
        }
        guard sent.count == bytes.count else {
            throw .io("bulk OUT moved \(sent.count) of \(bytes.count) bytes")
        }
    }

    public func bulkIn(length: Int, timeout: Duration) async throws(LinkError) -> [UInt8] {
        let ms = timeout.transferMilliseconds
        let inEndpoint = try endpoint(inEndpoint, .bulkIn)
        return try await perform(.bulkIn, endpoint: inEndpoint, capacity: length, milliseconds: ms) { box in
            box.submit(handle: self.handle, endpoint: inEndpoint, length: length, timeoutMilliseconds: ms, zeroPacket: false)
        } result: { box in
            Array(UnsafeRawBufferPointer(start: box.buffer, count: min(box.actualLength, length)))
        }
    }

    public func control(requestType: UInt8, request: UInt8, value: UInt16, index: UInt16,
                        data: [UInt8], length: Int, timeout: Duration) async throws(LinkError) -> [UInt8] {
        let ms = timeout.transferMilliseconds
        let deviceToHost = requestType & 0x80 != 0
        let dataLength = deviceToHost ? length : data.count
        guard (0...Int(UInt16.max)).contains(dataLength) else {
            throw .io("control transfer of \(dataLength) bytes is longer than wLength can say")
        }
        let setup = TransferBox.setupSize
        return try await perform(.control, endpoint: 0, capacity: setup + dataLength, milliseconds: ms) { box in
            if !deviceToHost {
                data.withUnsafeBytes { if let base = $0.baseAddress { box.controlData.copyMemory(from: base, byteCount: data.count) } }
            }
            return box.submitControl(handle: self.handle, requestType: requestType, request: request, value: value, index: index,
                                     length: dataLength, timeoutMilliseconds: ms)
        } result: { box in
            deviceToHost ? Array(UnsafeRawBufferPointer(start: box.controlData, count: min(box.actualLength, dataLength))) : []
        }
    }

    public func clearHalt(_ direction: LinkError.Direction, timeout: Duration) async throws(LinkError) {
        let endpoint: UInt8
        switch direction {
        case .bulkIn: endpoint = try self.endpoint(inEndpoint, .bulkIn)
        case .bulkOut: endpoint = try self.endpoint(outEndpoint, .bulkOut)
        // The default pipe's STALL ends with the next SETUP: there is no halt to clear.
        case .control: return
        }
        try begin()
        let ms = timeout.transferMilliseconds
        let answer = OneAnswer()
        let rc: Int32? = await withCheckedContinuation { (continuation: CheckedContinuation<Int32?, Never>) in
            answer.continuation = continuation
            clearQueue.async { [self] in
                let rc = libusb_clear_halt(handle, endpoint)
                answer.give(rc)
                endOperation()
            }
            // The clear cannot be cancelled: past the timeout the caller is answered, and the
            // clear still holds `outstanding` so `close()` waits for it.
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(ms))) { answer.give(nil) }
        }
        guard let rc else { throw .timedOut(direction: .control, milliseconds: Int(ms)) }
        switch rc {
        case 0: return
        case LIBUSB_ERROR_NO_DEVICE.rawValue:
            failure.record(.deviceGone)
            throw .deviceGone
        case LIBUSB_ERROR_PIPE.rawValue: throw .stalled(endpoint: 0)
        default: throw .io(USBError("clear halt on endpoint 0x\(String(endpoint, radix: 16))", rc).description)
        }
    }

    public func close() async {
        guard let cancel = beginClosing() else { return }
        for box in cancel { libusb_cancel_transfer(box.transfer) }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            if !waitForIdle(c) { c.resume() }
        }
        libusb_release_interface(handle, Int32(interfaceNumber))
        libusb_close(handle)
    }

    /// Marks the link closing and returns the transfers to cancel, or nil if already closing.
    private func beginClosing() -> [TransferBox]? {
        lock.lock()
        defer { lock.unlock() }
        if closing { return nil }
        closing = true
        failure.record(.closed)
        return Array(pending.values)
    }

    /// Parks `c` until the last operation ends; false when none is under way.
    private func waitForIdle(_ c: CheckedContinuation<Void, Never>) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if outstanding == 0 { return false }
        idle = c
        return true
    }

    // MARK: Transfers

    /// The bulk endpoint of `direction`, or the error a control-only link gives.
    private func endpoint(_ address: UInt8?, _ direction: LinkError.Direction) throws(LinkError) -> UInt8 {
        guard let address else { throw .io("\(description) has no \(direction.rawValue) endpoint: its interface is control-only") }
        return address
    }

    /// Submits one transfer built by `submit` and waits for it; `result` takes the bytes out
    /// of a completed one.
    private func perform(_ direction: LinkError.Direction, endpoint: UInt8, capacity: Int, milliseconds: UInt32,
                         submit: @escaping (TransferBox) -> Int32,
                         result: @escaping (TransferBox) -> [UInt8]) async throws(LinkError) -> [UInt8] {
        guard let box = TransferBox(capacity: capacity) else { throw .io("libusb_alloc_transfer failed") }
        try begin(box)
        let outcome: Result<[UInt8], LinkError> = await withCheckedContinuation { continuation in
            box.onComplete = { [self] box in
                let outcome: Result<[UInt8], LinkError>
                switch box.status {
                case LIBUSB_TRANSFER_COMPLETED: outcome = .success(result(box))
                case LIBUSB_TRANSFER_TIMED_OUT: outcome = .failure(.timedOut(direction: direction, milliseconds: Int(milliseconds)))
                case LIBUSB_TRANSFER_STALL: outcome = .failure(.stalled(endpoint: endpoint))
                case LIBUSB_TRANSFER_NO_DEVICE:
                    failure.record(.deviceGone)
                    outcome = .failure(.deviceGone)
                case LIBUSB_TRANSFER_CANCELLED: outcome = .failure(.closed)
                case LIBUSB_TRANSFER_OVERFLOW:
                    outcome = .failure(.io("\(direction.rawValue) overflow: the device sent more than the \(capacity) bytes asked"))
                default: outcome = .failure(.io("\(direction.rawValue) failed (libusb status \(box.status.rawValue))"))
                }
                finished(box)
                continuation.resume(returning: outcome)
            }
            let rc = submit(box)
            if rc != 0 {
                let error: LinkError = rc == LIBUSB_ERROR_NO_DEVICE.rawValue ? .deviceGone
                    : .io(USBError("submit \(direction.rawValue) transfer", rc).description)
                if error == .deviceGone { failure.record(.deviceGone) }
                finished(box)
                continuation.resume(returning: .failure(error))
                return
            }
            // A close that came while this was being submitted did not see it submitted.
            if isClosing { libusb_cancel_transfer(box.transfer) }
        }
        return try outcome.get()
    }

    /// Counts an operation (and its transfer) as under way, or throws the link's failure.
    private func begin(_ box: TransferBox? = nil) throws(LinkError) {
        lock.lock()
        defer { lock.unlock() }
        if let failure = failure.current { throw failure }
        outstanding += 1
        if let box { pending[ObjectIdentifier(box)] = box }
    }

    private func finished(_ box: TransferBox) {
        lock.lock()
        pending[ObjectIdentifier(box)] = nil
        lock.unlock()
        endOperation()
    }

    private func endOperation() {
        lock.lock()
        outstanding -= 1
        let done = outstanding == 0 ? idle : nil
        if done != nil { idle = nil }
        lock.unlock()
        done?.resume()
    }

    private var isClosing: Bool {
        lock.lock()
        defer { lock.unlock() }
        return closing
    }
}

/// The first of two answers (the clear's result or its timeout) resumes the waiter.
private final class OneAnswer: @unchecked Sendable {
    private let lock = NSLock()
    var continuation: CheckedContinuation<Int32?, Never>?

    func give(_ value: Int32?) {
        lock.lock()
        let c = continuation
        continuation = nil
        lock.unlock()
        c?.resume(returning: value)
    }
}
