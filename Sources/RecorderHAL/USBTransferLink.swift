/// One USB interface's pipes used one transfer at a time, each of a size the caller chose, plus
/// the default control pipe: the transport of command/response families (USB mass storage's
/// Bulk-Only Transport, vendor control requests, ASCII commands on bulk endpoints).
///
/// Unlike `RecorderLink`, nothing is posted ahead: a bulk IN asks for exactly `length` bytes,
/// because in Bulk-Only Transport the data phase and the status that follows it are separate
/// transfers and a longer request would swallow the status. A halted endpoint is reported as
/// `LinkError.stalled` and left halted: the protocol above decides how to recover (BOT §5.3
/// clears it and reads the status; §5.3.4 resets). Implementations: the libusb link and the
/// simulator's in-memory link. One command at a time: callers serialise their use.
public protocol USBTransferLink: Sendable {
    /// Where the link goes, for messages: "usb 1-1.3 if 0 ep 0x02/0x81".
    var description: String { get }

    /// The interface number the link claimed (BOT's class requests name it in wIndex).
    var interfaceNumber: UInt8 { get }

    /// Sends `bytes` as one bulk OUT transfer.
    ///
    /// - Throws: `.timedOut`, `.stalled` (the endpoint halted; it stays halted), `.deviceGone`,
    ///   `.closed`.
    func bulkOut(_ bytes: [UInt8], timeout: Duration) async throws(LinkError)

    /// One bulk IN transfer of at most `length` bytes. It returns fewer when the device ended
    /// the transfer with a short packet; the bytes received before a STALL are lost with it.
    ///
    /// - Throws: `.timedOut`, `.stalled` (the endpoint halted; it stays halted), `.deviceGone`,
    ///   `.closed`.
    func bulkIn(length: Int, timeout: Duration) async throws(LinkError) -> [UInt8]

    /// A control transfer on the default pipe. For a request with the IN direction bit set
    /// (`requestType & 0x80`), up to `length` bytes are read and returned and `data` is ignored;
    /// otherwise `data` is sent and the result is empty.
    ///
    /// - Throws: `.stalled(endpoint: 0)` when the device refuses the request, `.timedOut`,
    ///   `.deviceGone`, `.closed`.
    func control(requestType: UInt8, request: UInt8, value: UInt16, index: UInt16,
                 data: [UInt8], length: Int, timeout: Duration) async throws(LinkError) -> [UInt8]

    /// Clears the halt of the bulk endpoint of `direction` (libusb_clear_halt).
    func clearHalt(_ direction: LinkError.Direction, timeout: Duration) async throws(LinkError)

    /// Closes the link. Pending and later calls throw `.closed`.
    func close() async

    /// Payload bytes per second the bulk pipes carry at best, for diagnosis; nil when unknown
    /// or unlimited.
    var capacityBytesPerSecond: Double? { get }

    /// The device's iSerialNumber string descriptor as it gave it, read when the link was
    /// opened; nil when it has none or it could not be read. Untrusted: the device's claim.
    var serialNumber: String? { get }
}

extension USBTransferLink {
    public var capacityBytesPerSecond: Double? { nil }
    public var serialNumber: String? { nil }
}

extension Duration {
    /// This timeout as a USB transfer takes it (libusb, and `TransferWire` between processes):
    /// whole milliseconds, at least 1 (libusb's 0 means "wait for ever", so a negative or
    /// sub-millisecond timeout is 1), at most u32's largest.
    public var transferMilliseconds: UInt32 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 1 }
        let ms = seconds.multipliedReportingOverflow(by: 1000)
        return ms.overflow ? .max : max(1, UInt32(clamping: ms.partialValue + attoseconds / 1_000_000_000_000_000))
    }
}
