/// Why the data-IN bytes of a SCSI reply cannot be used: too few of them for what the host
/// needs, or a value outside what the gateway accepts. Every reply comes from an untrusted
/// device, so each parser names the reply and the field it stopped at.
public enum SCSIReplyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `reply` had `received` bytes where `needed` are required to read `field`.
    case short(reply: String, field: String, received: Int, needed: Int)
    /// A value the gateway refuses (a block length that is not a power of two, a capacity that
    /// does not fit in 64 bits of bytes).
    case refused(reply: String, what: String)
    /// The reply's own format field names a layout the parser does not know.
    case unknownFormat(reply: String, what: String)

    public var description: String {
        switch self {
        case .short(let reply, let field, let received, let needed):
            "\(reply) reply of \(received) bytes is short: \(field) needs \(needed)"
        case .refused(let reply, let what): "\(reply) reply refused: \(what)"
        case .unknownFormat(let reply, let what): "\(reply) reply in an unknown format: \(what)"
        }
    }
}

extension ArraySlice<UInt8> {
    /// Big-endian, as SCSI lays out every multi-byte field; the caller has checked the length.
    func bigEndianUInt32(at offset: Int) -> UInt32 {
        let i = startIndex + offset
        return UInt32(self[i]) << 24 | UInt32(self[i + 1]) << 16 | UInt32(self[i + 2]) << 8 | UInt32(self[i + 3])
    }

    func bigEndianUInt64(at offset: Int) -> UInt64 {
        UInt64(bigEndianUInt32(at: offset)) << 32 | UInt64(bigEndianUInt32(at: offset + 4))
    }

    func byte(_ offset: Int) -> UInt8 { self[startIndex + offset] }
}
