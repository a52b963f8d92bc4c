/// Byte ranges of a medium, read through its `BlockSource` in whole blocks. The one place that
/// turns the readers' byte offsets into block reads, so that nothing else has to know the
/// medium's block size and nothing asks past the medium's end.
struct MediumReader: Sendable {
    let source: any BlockSource
    let blockSize: Int
    /// Bytes on the medium.
    let length: UInt64

    /// Refuses a geometry the readers cannot work with: blocks of other than 512…4096 bytes
    /// (a power of two) or an empty medium.
    init(_ source: any BlockSource) throws(VolumeError) {
        let size = source.blockSize
        guard size >= 512, size <= 4096, size & (size - 1) == 0 else {
            throw .badMedium("block size \(size) (expected 512…4096, a power of two)")
        }
        guard source.blockCount > 0 else { throw .badMedium("no blocks") }
        let (bytes, overflow) = source.blockCount.multipliedReportingOverflow(by: UInt64(size))
        // 2^56 bytes (64 PiB) is far beyond any recorder and leaves the readers' offset
        // arithmetic (medium offsets plus 32-bit sector counts times sector sizes) room.
        guard !overflow, bytes <= 1 << 56 else { throw .badMedium("\(source.blockCount) blocks of \(size) bytes") }
        self.source = source
        self.blockSize = size
        self.length = bytes
    }

    /// Whether `count` bytes at `offset` lie on the medium.
    func contains(offset: UInt64, count: UInt64) -> Bool {
        offset <= length && count <= length - offset
    }

    /// `count` bytes at `offset`. The range must lie on the medium (callers bound their ranges
    /// by the volume, and the volume by the medium); a range that does not is a programming
    /// error reported as `VolumeError.badMedium` rather than a read past the end.
    func read(offset: UInt64, count: Int) async throws -> [UInt8] {
        guard count > 0 else { return [] }
        guard contains(offset: offset, count: UInt64(count)) else {
            throw VolumeError.badMedium("read of \(count) bytes at \(offset) is past the medium's \(length) bytes")
        }
        let size = UInt64(blockSize)
        let first = offset / size
        let last = (offset + UInt64(count) - 1) / size
        let blocks = try await source.read(block: first, count: Int(last - first + 1))
        let skip = Int(offset - first * size)
        guard blocks.count >= skip + count else {
            throw VolumeError.badMedium("block source returned \(blocks.count) bytes for \(last - first + 1) blocks")
        }
        if skip == 0 && blocks.count == count { return blocks }
        return Array(blocks[skip ..< skip + count])
    }
}

/// Little-endian fields of on-disk structures; every offset is checked by the caller's length
/// test, so these index directly.
extension Array where Element == UInt8 {
    func u16(_ at: Int) -> UInt16 { UInt16(self[at]) | UInt16(self[at + 1]) << 8 }
    func u32(_ at: Int) -> UInt32 {
        UInt32(self[at]) | UInt32(self[at + 1]) << 8 | UInt32(self[at + 2]) << 16 | UInt32(self[at + 3]) << 24
    }
    func u64(_ at: Int) -> UInt64 { UInt64(u32(at)) | UInt64(u32(at + 4)) << 32 }
}
