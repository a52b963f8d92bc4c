/// amba-ctrl, the vendor unlock of Ambarella-based recorders (USB id 4255:0001) done with
/// vendor control transfers on the default pipe.
///
/// The exchange, from the published tools: login is a control OUT (0x40, bRequest 0x55,
/// wValue 0x0080, wIndex 0) of a 64-byte packet `a1 12 00 12` + password, zero-padded; disk mode
/// is a control OUT (0x40, bRequest 0x50, wValue 0x0080, wIndex 0) of `a1 23 00 23`
/// zero-padded; each is followed by a control IN (0xC0, bRequest 0x55, wValue 0x0080, wIndex 0)
/// of 10 bytes, the result (`AmbaControlResult`). The family has no identity or clock command.
public enum AmbaControl {
    /// The family's name, as in the device database and the driver registry.
    public static let family = "amba-ctrl"
    /// Bytes of the login and disk-mode packets.
    public static let packetSize = 64
    /// The login packet's first four bytes.
    public static let loginHeader: [UInt8] = [0xA1, 0x12, 0x00, 0x12]
    /// The disk-mode packet's first four bytes.
    public static let diskModeHeader: [UInt8] = [0xA1, 0x23, 0x00, 0x23]

    /// The setup stage of one control transfer.
    public struct Setup: Hashable, Sendable, CustomStringConvertible {
        public var requestType: UInt8
        public var request: UInt8
        public var value: UInt16
        public var index: UInt16
        /// wLength: the bytes sent (OUT) or asked for (IN).
        public var length: Int

        public init(requestType: UInt8, request: UInt8, value: UInt16, index: UInt16, length: Int) {
            self.requestType = requestType
            self.request = request
            self.value = value
            self.index = index
            self.length = length
        }

        /// Whether data flows from the device (bit 7 of bmRequestType).
        public var isIn: Bool { requestType & 0x80 != 0 }

        /// "control OUT 40/55 wValue 0080 wIndex 0000 × 64".
        public var description: String {
            func hex(_ v: Int, _ digits: Int) -> String {
                let s = String(v, radix: 16)
                return String(repeating: "0", count: max(0, digits - s.count)) + s
            }
            return "control \(isIn ? "IN" : "OUT") \(hex(Int(requestType), 2))/\(hex(Int(request), 2)) "
                + "wValue \(hex(Int(value), 4)) wIndex \(hex(Int(index), 4)) × \(length)"
        }
    }

    /// The login request's setup: the packet is `loginPacket`.
    public static let login = Setup(requestType: 0x40, request: 0x55, value: 0x0080, index: 0, length: packetSize)
    /// The disk-mode request's setup: the packet is `diskModePacket`.
    public static let diskMode = Setup(requestType: 0x40, request: 0x50, value: 0x0080, index: 0, length: packetSize)
    /// The result request's setup, read after each of the two.
    public static let result = Setup(requestType: 0xC0, request: 0x55, value: 0x0080, index: 0, length: AmbaControlResult.size)

    /// The 64-byte login packet: `a1 12 00 12`, the password, zeros. The password was checked
    /// to fit with a terminating zero (`AmbaControlPassword`).
    public static func loginPacket(_ password: AmbaControlPassword) -> [UInt8] {
        padded(loginHeader + password.bytes)
    }

    /// The 64-byte disk-mode packet: `a1 23 00 23` and zeros.
    public static let diskModePacket: [UInt8] = padded(diskModeHeader)

    /// Where a packet the host sent holds the password, for a capture to write `<password>`
    /// there: in a login packet (`a1 12 00 12` first), every byte after the header, the zero
    /// padding included (the padding would tell the password's length); nil for any other packet.
    public static func passwordSpan(inSent packet: [UInt8]) -> Range<Int>? {
        guard packet.count > loginHeader.count, Array(packet.prefix(loginHeader.count)) == loginHeader else { return nil }
        return loginHeader.count..<packet.count
    }

    private static func padded(_ bytes: [UInt8]) -> [UInt8] {
        bytes + [UInt8](repeating: 0, count: packetSize - bytes.count)
    }
}

/// The 10-byte result an amba-ctrl device gives after login and after disk mode: byte 2 equal
/// to 1 means accepted, any other value refused. The other bytes carry nothing the gateway uses
/// and are not kept (a device that was sent the password could put it there).
public struct AmbaControlResult: Hashable, Sendable {
    /// Bytes of a result.
    public static let size = 10
    /// Byte 2 of the result.
    public var status: UInt8

    /// Whether the device accepted the request.
    public var accepted: Bool { status == 1 }

    public init(status: UInt8) { self.status = status }

    /// Reads a result. `request` names the request it answers, for the error.
    ///
    /// - Throws: `VendorReplyError.wrongLength` unless the device returned exactly 10 bytes (a
    ///   short control IN ends early; the result's layout has no shorter form).
    public init(parsing bytes: [UInt8], request: String) throws(VendorReplyError) {
        guard bytes.count == Self.size else {
            throw .wrongLength(reply: request + " result", received: bytes.count, expected: Self.size)
        }
        status = bytes[2]
    }
}
