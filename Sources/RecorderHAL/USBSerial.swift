import Foundation

/// A device's USB serial number string (iSerialNumber), when it can name a recorder.
public enum USBSerial {
    /// `usb` trimmed of surrounding spaces when it is 1 to 64 ASCII letters, digits, `-`, `_`
    /// or `.` (not `.` or `..`), else nil. A serial names bags and journal rows, and a device's
    /// string is untrusted: an empty, binary, path-like or overlong one is not taken.
    public static func usable(_ usb: String?) -> String? {
        guard let t = usb?.trimmingCharacters(in: .whitespaces), (1...64).contains(t.utf8.count), t != ".", t != "..",
              t.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || "-_.".utf8.contains($0) })
        else { return nil }
        return t
    }
}
