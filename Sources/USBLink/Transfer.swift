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
