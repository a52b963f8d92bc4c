/// The size of a block medium from READ CAPACITY(10) or (16) (SBC-3 §5.15, §5.16): the last
/// logical block address and the block length, checked so every later computation is safe.
public struct Capacity: Hashable, Sendable {
    /// The block lengths the gateway accepts: powers of two from 512 to 65536 bytes.
    public static let acceptedBlockLengths: ClosedRange<UInt32> = 512...65_536

    /// RETURNED LOGICAL BLOCK ADDRESS: the last block, so the medium has `lastBlock + 1`.
    public var lastBlock: UInt64
    /// LOGICAL BLOCK LENGTH IN BYTES.
    public var blockLength: UInt32

    /// Blocks on the medium.
    public var blockCount: UInt64 { lastBlock + 1 }
    /// Bytes on the medium; fits in 64 bits (checked at parsing).
    public var byteCount: UInt64 { blockCount * UInt64(blockLength) }

    /// A checked capacity.
    ///
    /// - Throws: `SCSIReplyError.refused` when the block length is not a power of two in
    ///   512...65536 or the medium's bytes do not fit in 64 bits.
    public init(lastBlock: UInt64, blockLength: UInt32, reply: String) throws(SCSIReplyError) {
        guard Self.acceptedBlockLengths.contains(blockLength), blockLength & (blockLength - 1) == 0 else {
            throw .refused(reply: reply, what: "block length \(blockLength) is not a power of two in 512...65536")
        }
        let (count, countOverflow) = lastBlock.addingReportingOverflow(1)
        let (_, bytesOverflow) = count.multipliedReportingOverflow(by: UInt64(blockLength))
        guard !countOverflow, !bytesOverflow else {
            throw .refused(reply: reply, what: "last block \(lastBlock) of \(blockLength) bytes is beyond 2^64 bytes")
        }
        self.lastBlock = lastBlock
        self.blockLength = blockLength
    }
}

/// READ CAPACITY(10)'s 8 data bytes.
public enum ReadCapacity10 {
    /// What a RETURNED LOGICAL BLOCK ADDRESS of 0xFFFFFFFF means: the medium has 2^32 blocks or
    /// more, ask READ CAPACITY(16).
    public static let useReadCapacity16: UInt32 = 0xFFFF_FFFF

    /// The capacity, or nil when the device says to ask READ CAPACITY(16).
    ///
    /// - Throws: `SCSIReplyError.short` under 8 bytes; `.refused` for a block length refused
    ///   by `Capacity`.
    public static func parse(_ bytes: [UInt8]) throws(SCSIReplyError) -> Capacity? {
        let reply = "READ CAPACITY(10)"
        guard bytes.count >= 8 else {
            throw .short(reply: reply, field: "last block address and block length", received: bytes.count, needed: 8)
        }
        let last = bytes[...].bigEndianUInt32(at: 0)
        if last == useReadCapacity16 { return nil }
        return try Capacity(lastBlock: UInt64(last), blockLength: bytes[...].bigEndianUInt32(at: 4), reply: reply)
    }
}

/// READ CAPACITY(16)'s parameter data (32 bytes asked; the first 12 carry what is read).
public enum ReadCapacity16 {
    /// - Throws: `SCSIReplyError.short` under 12 bytes; `.refused` as `Capacity` refuses.
    public static func parse(_ bytes: [UInt8]) throws(SCSIReplyError) -> Capacity {
        let reply = "READ CAPACITY(16)"
        guard bytes.count >= 12 else {
            throw .short(reply: reply, field: "last block address and block length", received: bytes.count, needed: 12)
        }
        return try Capacity(lastBlock: bytes[...].bigEndianUInt64(at: 0), blockLength: bytes[...].bigEndianUInt32(at: 8), reply: reply)
    }
}
