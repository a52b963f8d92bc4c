/// A docked device's transport in the shape its family speaks over: what the binaries open
/// (from the device database's interface and the driver's `linkShape`) and hand to the driver.
public enum DeviceLink: Sendable, CustomStringConvertible {
    /// Bulk transfers kept posted, carrying a framed stream (protocol v1).
    case stream(any RecorderLink)
    /// One exact-sized transfer at a time, with the control pipe (USB mass storage's Bulk-Only
    /// Transport, vendor commands).
    case transfers(any USBTransferLink)

    /// Which of the two a driver needs.
    public enum Shape: String, Hashable, Sendable {
        case stream, transfers
    }

    public var shape: Shape {
        switch self {
        case .stream: .stream
        case .transfers: .transfers
        }
    }

    public var description: String {
        switch self {
        case .stream(let link): link.description
        case .transfers(let link): link.description
        }
    }

    /// Closes whichever link it is.
    public func close() async {
        switch self {
        case .stream(let link): await link.close()
        case .transfers(let link): await link.close()
        }
    }
}
