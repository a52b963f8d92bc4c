/// An exFAT volume's bytes, addressed from the volume's first byte, read through a
/// `BlockSource` in whole blocks whatever the alignment of the request.
///
/// Every read is checked against `length` (the bytes of the volume the medium actually holds), so
/// a hostile on-disk value can never make the reader ask the source past its end.
struct ExFATMedium: Sendable {
    let source: any BlockSource
    /// The volume's first byte on the medium.
    let offset: UInt64
    /// Bytes of the volume present on the medium, from `offset`.
    let length: UInt64

    /// The most asked of the source in one call: large enough that BOT's one-command-at-a-time
    /// costs little, small enough that one read is a bounded buffer.
    static let largestRead = 4 << 20

    /// `count` bytes at `position` (from the volume's start).
    func read(at position: UInt64, count: Int) async throws -> [UInt8] {
        guard count > 0 else { return [] }
        guard position <= length, UInt64(count) <= length - position else {
            throw VolumeError.badMedium(
                "read of \(count) bytes at volume byte \(position) passes the volume's end (\(length) bytes)")
        }
        let blockSize = UInt64(source.blockSize)
        let start = offset + position
        let end = start + UInt64(count)
        let endBlock = (end + blockSize - 1) / blockSize
        let blocksPerRead = UInt64(max(1, Self.largestRead / source.blockSize))
        var bytes = [UInt8]()
        bytes.reserveCapacity(count)
        var block = start / blockSize
        while block < endBlock {
            let blocks = min(blocksPerRead, endBlock - block)
            let data = try await source.read(block: block, count: Int(blocks))
            guard data.count == Int(blocks * blockSize) else {
                throw VolumeError.badMedium(
                    "block source returned \(data.count) bytes for \(blocks) blocks at block \(block)")
            }
            let chunkStart = block * blockSize
            let from = Int(max(start, chunkStart) - chunkStart)
            let to = Int(min(end, chunkStart + UInt64(data.count)) - chunkStart)
            bytes.append(contentsOf: data[from..<to])
            block += blocks
        }
        return bytes
    }
}

extension ExFATMedium {
    /// The medium's part that the volume may occupy: `length` bytes from `offset`, bounded by the
    /// medium's end. Throws `badMedium` when the geometry cannot hold a volume at all.
    static func bounded(source: any BlockSource, offset: UInt64, length: UInt64) throws(VolumeError) -> ExFATMedium {
        let blockSize = source.blockSize
        guard blockSize >= 512, blockSize <= 1 << 16, blockSize & (blockSize - 1) == 0 else {
            throw .badMedium("block size \(blockSize) is not a power of two from 512 to 65536")
        }
        let (mediumBytes, overflow) = source.blockCount.multipliedReportingOverflow(by: UInt64(blockSize))
        guard !overflow else { throw .badMedium("\(source.blockCount) blocks of \(blockSize) bytes overflow 64 bits") }
        guard offset < mediumBytes else {
            throw .badMedium("volume offset \(offset) is at or past the medium's end (\(mediumBytes) bytes)")
        }
        return ExFATMedium(source: source, offset: offset, length: min(length, mediumBytes - offset))
    }
}
