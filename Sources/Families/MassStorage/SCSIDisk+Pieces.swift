extension SCSIDisk {
    /// Reads the `length` bytes at `byteOffset` one READ command at a time and hands each
    /// command's bytes, cut to the extent, to `consume` in order: a long cluster run is read at
    /// the largest transfer the disk allows, with memory bounded by one command and no
    /// reassembly (only the first and last pieces are copied, when the extent starts or ends
    /// inside a block). Nothing more is read once `consume` throws.
    ///
    /// - Throws: a `MassStorageError` as `read(block:count:)` does, or what `consume` threw.
    public func read(byteOffset: UInt64, length: UInt64, inPieces consume: ([UInt8]) async throws -> Void) async throws {
        let size = UInt64(blockSize)
        let (end, overflow) = byteOffset.addingReportingOverflow(length)
        guard !overflow, end <= identity.byteCount else {
            throw MassStorageError(.outOfRange("bytes \(byteOffset)+\(length) past the medium's \(identity.byteCount)"))
        }
        guard length > 0 else { return }
        var lba = byteOffset / size
        let lastBlock = (end - 1) / size
        while lba <= lastBlock {
            if Task.isCancelled { throw MassStorageError(.cancelled, context: ["reading bytes \(byteOffset)+\(length)"]) }
            let n = min(lastBlock - lba + 1, UInt64(blocksPerCommand))
            let data = try await readCommand(lba: lba, blocks: n)
            let start = lba * size
            let low = Int(byteOffset > start ? byteOffset - start : 0)
            let high = Int(min(UInt64(data.count), end - start))
            try await consume(low == 0 && high == data.count ? data : Array(data[low..<high]))
            lba += n
        }
    }
}
