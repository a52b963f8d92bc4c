import CLibUSB

/// One libusb transfer, its buffer, and what to do when it completes. Kept alive by an
/// unmanaged retain held in the transfer's user_data from submission until it is freed.
final class TransferBox: @unchecked Sendable {
    let transfer: UnsafeMutablePointer<libusb_transfer>
    let buffer: UnsafeMutableRawPointer
    let capacity: Int
    /// Runs on the libusb event thread.
    var onComplete: (TransferBox) -> Void = { _ in }

    init?(capacity: Int) {
        guard let t = libusb_alloc_transfer(0) else { return nil }
        transfer = t
        self.capacity = capacity
        buffer = UnsafeMutableRawPointer.allocate(byteCount: max(capacity, 1), alignment: 64)
    }

    deinit {
        libusb_free_transfer(transfer)
        buffer.deallocate()
    }

    /// Fills the transfer for a bulk endpoint and submits it; the box stays retained until
    /// `finish()`. Returns libusb's result.
    func submit(handle: OpaquePointer, endpoint: UInt8, length: Int, timeoutMilliseconds: UInt32, zeroPacket: Bool) -> Int32 {
        libusb_fill_bulk_transfer(transfer, handle, endpoint, buffer.assumingMemoryBound(to: UInt8.self),
                                  Int32(length), transferCompleted, Unmanaged.passRetained(self).toOpaque(),
                                  timeoutMilliseconds)
        if zeroPacket { transfer.pointee.flags |= UInt8(LIBUSB_TRANSFER_ADD_ZERO_PACKET.rawValue) }
        let rc = libusb_submit_transfer(transfer)
        if rc != 0 { Unmanaged<TransferBox>.fromOpaque(transfer.pointee.user_data).release() }
        return rc
    }

    /// Fills the transfer for the default control pipe and submits it, as `submit` does. The
    /// buffer holds the 8-byte setup packet, then `length` data bytes (for OUT, the caller has
    /// put them at `controlData` already). Returns libusb's result.
    func submitControl(handle: OpaquePointer, requestType: UInt8, request: UInt8, value: UInt16, index: UInt16,
                       length: Int, timeoutMilliseconds: UInt32) -> Int32 {
        let bytes = buffer.assumingMemoryBound(to: UInt8.self)
        libusb_fill_control_setup(bytes, requestType, request, value, index, UInt16(length))
        libusb_fill_control_transfer(transfer, handle, bytes, transferCompleted, Unmanaged.passRetained(self).toOpaque(),
                                     timeoutMilliseconds)
        let rc = libusb_submit_transfer(transfer)
        if rc != 0 { Unmanaged<TransferBox>.fromOpaque(transfer.pointee.user_data).release() }
        return rc
    }

    /// Where a control transfer's data stage is, after the setup packet.
    var controlData: UnsafeMutableRawPointer { buffer + Self.setupSize }

    /// A control transfer's SETUP packet: 8 bytes (USB 2.0 §9.3; libusb's
    /// LIBUSB_CONTROL_SETUP_SIZE, a macro Swift cannot import).
    static let setupSize = 8

    var status: libusb_transfer_status { transfer.pointee.status }
    var actualLength: Int { Int(transfer.pointee.actual_length) }
}

/// The completion callback of every transfer (a global function, so it is @convention(c)).
/// Hands the box to its handler and drops the retain taken at submission.
private func transferCompleted(_ transfer: UnsafeMutablePointer<libusb_transfer>?) {
    guard let transfer, let user = transfer.pointee.user_data else { return }
    let unmanaged = Unmanaged<TransferBox>.fromOpaque(user)
    let box = unmanaged.takeUnretainedValue()
    box.onComplete(box)
    unmanaged.release()
}
