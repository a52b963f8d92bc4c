/// The fixed 28-byte header in front of every frame. All integers are little-endian.
///
/// ```
/// offset size field
///   0     4   magic "ZFYR" (5A 46 59 52)
///   4     1   version (1)
///   5     1   opcode
///   6     1   flags (bit 0: response; other bits reserved, sent as 0, ignored)
///   7     1   reserved (0)
///   8     4   tag (chosen by the host, echoed in the reply)
///  12     2   status (replies; 0 in requests)
///  14     2   reserved (0)
///  16     4   payload length
///  20     4   payload CRC-32C
///  24     4   header CRC-32C over bytes 0..<24
/// ```
///
/// The header has its own check so that a corrupted length is caught before the receiver
/// waits for, or buffers, a payload of that length.
public struct FrameHeader: Hashable, Sendable {
    /// "ZFYR" as it appears on the wire.
    public static let magic: [UInt8] = [0x5A, 0x46, 0x59, 0x52]
    /// The protocol version this implementation speaks.
    public static let currentVersion: UInt8 = 1
    /// Size of the encoded header in bytes.
    public static let size = 28
    /// The largest payload any peer may negotiate (16 MiB).
    public static let protocolMaximumPayload = 16 * 1024 * 1024
    /// The payload limit in force before HELLO has negotiated one.
    public static let initialMaximumPayload = 4096

    public var version: UInt8
    public var opcode: Opcode
    public var isResponse: Bool
    public var tag: UInt32
    public var status: Status
    public var payloadLength: UInt32
    public var payloadCRC: UInt32

    public init(version: UInt8 = FrameHeader.currentVersion, opcode: Opcode, isResponse: Bool,
                tag: UInt32, status: Status = .ok, payloadLength: UInt32, payloadCRC: UInt32) {
        self.version = version
        self.opcode = opcode
        self.isResponse = isResponse
        self.tag = tag
        self.status = status
        self.payloadLength = payloadLength
        self.payloadCRC = payloadCRC
    }

    /// The 28 header bytes, header check included.
    public func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: FrameHeader.size)
        w.bytes(FrameHeader.magic)
        w.u8(version)
        w.u8(opcode.rawValue)
        w.u8(isResponse ? 1 : 0)
        w.u8(0)
        w.u32(tag)
        w.u16(status.rawValue)
        w.u16(0)
        w.u32(payloadLength)
        w.u32(payloadCRC)
        w.u32(CRC32C.checksum(w.buffer))
        return w.buffer
    }

    /// Parses and checks a header. `bytes` must hold at least `FrameHeader.size` bytes.
    ///
    /// Checks, in order: magic, header CRC, version, payload length against `maximumPayload`,
    /// opcode. The length is checked before the opcode so that the caller knows whether the
    /// frame can be skipped safely.
    public static func decode(_ bytes: UnsafeRawBufferPointer, maximumPayload: Int) throws(FrameError) -> FrameHeader {
        precondition(bytes.count >= size)
        if !bytes[0..<4].elementsEqual(magic) {
            throw .badMagic(found: Array(bytes[0..<4]))
        }
        let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 24, as: UInt32.self))
        let computed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<24]))
        if stored != computed {
            throw .headerCheckMismatch(stored: stored, computed: computed)
        }
        let version = bytes[4]
        if version != currentVersion {
            throw .unsupportedVersion(version)
        }
        let opcodeByte = bytes[5]
        let flags = bytes[6]
        let tag = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        let status = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 12, as: UInt16.self))
        let length = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        let payloadCRC = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 20, as: UInt32.self))
        if Int(length) > maximumPayload {
            throw .payloadTooLarge(length: Int(length), maximum: maximumPayload, tag: tag)
        }
        guard let opcode = Opcode(rawValue: opcodeByte) else {
            throw .unknownOpcode(opcodeByte, tag: tag, payloadLength: Int(length))
        }
        return FrameHeader(version: version, opcode: opcode, isResponse: flags & 1 != 0, tag: tag,
                           status: Status(rawValue: status), payloadLength: length, payloadCRC: payloadCRC)
    }
}
