import CLibUSB

/// A libusb call that failed: which call, on what, and libusb's name for the error.
public struct USBError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var code: Int32

    init(_ operation: String, _ code: Int32) {
        self.operation = operation
        self.code = code
    }

    /// The device is gone (unplugged or reset).
    public var isNoDevice: Bool { code == LIBUSB_ERROR_NO_DEVICE.rawValue }
    /// Permission denied: the udev rule's group and mode have not reached the node yet, or
    /// the user is not in the group.
    public var isAccessDenied: Bool { code == LIBUSB_ERROR_ACCESS.rawValue }
    /// Busy: another program (or a kernel driver we could not detach) has the interface.
    public var isBusy: Bool { code == LIBUSB_ERROR_BUSY.rawValue }

    public var description: String {
        "\(operation): \(String(cString: libusb_error_name(code))) (\(String(cString: libusb_strerror(code))))"
    }
}
