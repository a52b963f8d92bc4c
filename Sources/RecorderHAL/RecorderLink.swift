/// A pair of bulk pipes to one recorder: the transport, with no knowledge of frames.
///
/// Implementations: the libusb link (a real or umockdev USB device) and the simulator's
/// in-memory link. Both keep several IN transfers posted so that data keeps flowing while the
/// host handles the previous transfer.
public protocol RecorderLink: Sendable {
    /// Where the link goes, for messages: "usb 1-1.3 ep 0x01/0x81" or "simulator A123456".
    var description: String { get }

    /// Sends `bytes` as one bulk OUT transfer and returns when it has completed.
    ///
    /// - Throws: `LinkError.timedOut` when the transfer did not complete within `timeout`,
    ///   `.deviceGone` when the device disappeared, `.closed` after `close()`.
    func send(_ bytes: [UInt8], timeout: Duration) async throws(LinkError)

    /// The data of the next completed bulk IN transfer, in the order the device sent it.
    ///
    /// Waits as long as it takes: replies are timed per request by the caller, not per
    /// transfer, so an idle link is not an error. Only one task may call `receive` at a time.
    func receive() async throws(LinkError) -> [UInt8]

    /// Cancels posted transfers and closes the link. Pending and later calls throw `.closed`.
    func close() async

    /// File bytes per second the link can carry at best (USB 2.0 high speed: ~43 MB/s), for
    /// diagnosis; nil when unknown or unlimited.
    var capacityBytesPerSecond: Double? { get }

    /// What the transport has received and the host not yet read, when the link can tell; a
    /// request then times out only after the link has been silent for the whole timeout, not
    /// when the host was too busy to read a reply that had arrived.
    var activity: LinkActivity? { get }
}

extension RecorderLink {
    public var capacityBytesPerSecond: Double? { nil }
    public var activity: LinkActivity? { nil }
}

/// A transport failure, named from the host's point of view.
public enum LinkError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The transfer did not complete in time.
    case timedOut(direction: Direction, milliseconds: Int)
    /// The device was unplugged or reset (libusb: LIBUSB_ERROR_NO_DEVICE).
    case deviceGone
    /// The endpoint halted and clearing the halt did not help.
    case stalled(endpoint: UInt8)
    /// The link was closed by this side.
    case closed
    /// Any other transport error, with the transport's own words.
    case io(String)

    public enum Direction: String, Hashable, Sendable {
        case bulkIn = "bulk IN"
        case bulkOut = "bulk OUT"
        /// The default control pipe (endpoint 0).
        case control = "control"
    }

    public var description: String {
        switch self {
        case .timedOut(let direction, let ms): "\(direction.rawValue) timed out after \(ms) ms"
        case .deviceGone: "device disconnected"
        case .stalled(let ep): "endpoint 0x\(String(ep, radix: 16)) stalled"
        case .closed: "link closed"
        case .io(let text): text
        }
    }
}
