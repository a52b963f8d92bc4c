/// A Bulk-Only Transport Command Status Wrapper (BOT 1.0, §5.2): the 13 bytes that end every
/// command on the bulk IN pipe.
public struct CommandStatusWrapper: Hashable, Sendable {
    /// "USBS", little-endian.
    public static let signature: UInt32 = 0x5342_5355
    public static let size = 13

    public enum Status: UInt8, Hashable, Sendable {
        case passed = 0
        case failed = 1
        /// The device lost track of the command: only a reset recovery brings it back (§5.3.3).
        case phaseError = 2
    }

    /// The tag of the command this status ends.
    public var tag: UInt32
    /// Bytes of the data phase not moved (for IN: expected minus sent).
    public var dataResidue: UInt32
    public var status: Status

    public init(tag: UInt32, dataResidue: UInt32, status: Status) {
        self.tag = tag
        self.dataResidue = dataResidue
        self.status = status
    }

    /// The 13 bytes on the wire.
    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(Self.size)
        out.appendLittleEndian(Self.signature)
        out.appendLittleEndian(tag)
        out.appendLittleEndian(dataResidue)
        out.append(status.rawValue)
        return out
    }

    /// Parses a status as the host receives it. Whether it answers the right command, and
    /// whether its residue is possible, is the caller's check (§6.3), since only it knows the
    /// command.
    ///
    /// - Throws: `WrapperError` when the bytes are not a valid status (wrong length or
    ///   signature) or not meaningful (a status value above 2).
    public init(parsing bytes: [UInt8]) throws(WrapperError) {
        guard bytes.count == Self.size else { throw .wrongLength(bytes.count, expected: Self.size) }
        let signature = bytes.littleEndianUInt32(at: 0)
        guard signature == Self.signature else { throw .badSignature(signature) }
        guard let status = Status(rawValue: bytes[12]) else {
            throw .notMeaningful("bCSWStatus \(bytes[12])")
        }
        tag = bytes.littleEndianUInt32(at: 4)
        dataResidue = bytes.littleEndianUInt32(at: 8)
        self.status = status
    }
}
