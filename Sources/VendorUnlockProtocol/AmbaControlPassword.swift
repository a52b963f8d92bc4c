/// A password amba-ctrl's login packet can carry: 1 to 59 bytes of printable ASCII (0x20...0x7E).
///
/// The login packet is 64 bytes, `a1 12 00 12` then the password zero-padded: 60 bytes of room.
/// One of them is kept for a terminating zero, so that firmware reading the password as a
/// C string always finds its end inside the packet. A zero inside the password would end it
/// early, and bytes above 0x7E depend on a code page the device does not name: both are refused.
///
/// Guarantees: printing, interpolating, dumping or mirroring the value never shows the password.
public struct AmbaControlPassword: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The password's bytes, for the packet only.
    let bytes: [UInt8]

    /// The most bytes a password may have.
    public static let room = AmbaControl.packetSize - AmbaControl.loginHeader.count - 1

    /// Checks `text` against what the login packet can carry.
    ///
    /// - Throws: `VendorPasswordError` (empty, too long, or a character outside 0x20...0x7E),
    ///   which never holds the password.
    public init(_ text: String) throws(VendorPasswordError) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { throw .empty(family: AmbaControl.family) }
        guard bytes.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            throw .characterNotCarried(family: AmbaControl.family, allowed: "printable ASCII, space included")
        }
        guard bytes.count <= Self.room else { throw .tooLong(family: AmbaControl.family, bytes: bytes.count, room: Self.room) }
        self.bytes = bytes
    }

    public var description: String { "<amba-ctrl password withheld>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
