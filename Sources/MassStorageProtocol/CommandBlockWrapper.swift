/// A Bulk-Only Transport Command Block Wrapper (USB Mass Storage Class BOT 1.0, §5.1): the
/// 31 bytes that carry one SCSI command to the device on the bulk OUT pipe.
public struct CommandBlockWrapper: Hashable, Sendable {
    /// "USBC", little-endian.
    public static let signature: UInt32 = 0x4342_5355
    public static let size = 31

    /// Echoed by the device in the status wrapper, so a status is tied to its command.
    public var tag: UInt32
    /// Bytes the host expects to move in the data phase.
    public var dataTransferLength: UInt32
    /// True when the data phase is device-to-host (bmCBWFlags bit 7).
    public var dataIn: Bool
    /// Logical unit, 0...15.
    public var lun: UInt8
    /// The command descriptor block, 1...16 bytes.
    public var commandBlock: [UInt8]

    /// A wrapper for `command`, sized and directed by the command itself: the only way the host
    /// builds one, so its CDB always comes from the allow-list.
    public init(tag: UInt32, lun: UInt8, command: SCSICommand) {
        self.tag = tag
        self.dataTransferLength = command.dataLength
        self.dataIn = command.dataLength > 0
        self.lun = lun & 0x0F
        self.commandBlock = command.commandBlock
    }

    /// The 31 bytes on the wire.
    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(Self.size)
        out.appendLittleEndian(Self.signature)
        out.appendLittleEndian(tag)
        out.appendLittleEndian(dataTransferLength)
        out.append(dataIn ? 0x80 : 0x00)
        out.append(lun & 0x0F)
        out.append(UInt8(commandBlock.count))
        out += commandBlock
        out += [UInt8](repeating: 0, count: 16 - commandBlock.count)
        return out
    }

    /// Parses a wrapper as a device receives it (the simulator's side). The command block is
    /// returned as sent, whatever its opcode: a device must see, and log, what arrived.
    ///
    /// - Throws: `WrapperError` naming what is wrong (§6.2: such a CBW is not "valid").
    public init(parsing bytes: [UInt8]) throws(WrapperError) {
        guard bytes.count == Self.size else { throw .wrongLength(bytes.count, expected: Self.size) }
        let signature = bytes.littleEndianUInt32(at: 0)
        guard signature == Self.signature else { throw .badSignature(signature) }
        let length = Int(bytes[14])
        guard (1...16).contains(length), bytes[13] & 0xF0 == 0 else {
            throw .notMeaningful("bCBWLUN 0x\(String(bytes[13], radix: 16)), bCBWCBLength \(length)")
        }
        tag = bytes.littleEndianUInt32(at: 4)
        dataTransferLength = bytes.littleEndianUInt32(at: 8)
        dataIn = bytes[12] & 0x80 != 0
        lun = bytes[13]
        commandBlock = Array(bytes[15..<(15 + length)])
    }
}

/// Why bytes are not a valid or meaningful wrapper (BOT §6.2, §6.3).
public enum WrapperError: Error, Hashable, Sendable, CustomStringConvertible {
    case wrongLength(Int, expected: Int)
    case badSignature(UInt32)
    case notMeaningful(String)

    public var description: String {
        switch self {
        case .wrongLength(let n, let expected): "\(n) bytes where a \(expected)-byte wrapper was expected"
        case .badSignature(let s): "signature 0x\(String(s, radix: 16)) is not a wrapper's"
        case .notMeaningful(let what): "wrapper not meaningful: \(what)"
        }
    }
}

extension [UInt8] {
    mutating func appendLittleEndian(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 24))
    }

    func littleEndianUInt32(at i: Int) -> UInt32 {
        UInt32(self[i]) | UInt32(self[i + 1]) << 8 | UInt32(self[i + 2]) << 16 | UInt32(self[i + 3]) << 24
    }
}
