/// The GUID partition table (UEFI 2.x §5.3): the header at block 1 with its CRC-32, the
/// partition entry array with its own CRC-32, and the backup header at the medium's last block
/// when the primary is damaged. Entries are looked at up to `limits.maxPartitions`.
enum GPTTable {
    /// Entry arrays larger than this are not read whole (so their CRC is not checked).
    private static let maxArrayBytes: UInt64 = 4 << 20

    private struct Header {
        let entriesLBA: UInt64
        let entryCount: UInt32
        let entrySize: UInt32
        let entriesCRC: UInt32
    }

    static func scan(reader: MediumReader, limits: VolumeLimits) async throws -> PartitionScan {
        var scan = PartitionScan()
        let last = reader.length / UInt64(reader.blockSize) - 1
        var unchecked: (Header, [UInt8])?
        for (lba, which) in [(UInt64(1), "primary"), (last, "backup")] where lba >= 1 {
            let header: Header
            switch try await readHeader(at: lba, reader: reader) {
            case .failure(let why):
                scan.anomalies.append(VolumeAnomaly("bad-partition-table", "\(which) GPT header: \(why)"))
                continue
            case .success(let parsed):
                header = parsed
            }
            let (entries, problem) = try await entryArray(header, reader: reader, limits: limits)
            if let problem {
                scan.anomalies.append(VolumeAnomaly("bad-partition-table", "\(which) GPT entries: \(problem)"))
                if unchecked == nil { unchecked = (header, entries) }
                continue
            }
            if which == "backup" {
                scan.anomalies.append(VolumeAnomaly("bad-partition-table", "the backup GPT is used"))
            }
            scan.candidates = candidates(entries, header: header, reader: reader, limits: limits, anomalies: &scan.anomalies)
            return scan
        }
        // No copy is sound. Entries whose checksum failed are still worth trying: every value
        // in them is checked anyway, and only boot sectors are read from what they name.
        if let (header, entries) = unchecked {
            scan.candidates = candidates(entries, header: header, reader: reader, limits: limits, anomalies: &scan.anomalies)
        }
        return scan
    }

    private enum HeaderResult { case success(Header), failure(String) }

    private static func readHeader(at lba: UInt64, reader: MediumReader) async throws -> HeaderResult {
        let blockSize = UInt64(reader.blockSize)
        let block = try await reader.read(offset: lba * blockSize, count: Int(blockSize))
        guard Array(block[0 ..< 8]) == Array("EFI PART".utf8) else { return .failure("no \"EFI PART\" signature at block \(lba)") }
        let size = Int(block.u32(12))
        guard size >= 92, size <= block.count else { return .failure("header size \(size)") }
        var zeroed = Array(block[0 ..< size])
        zeroed.replaceSubrange(16 ..< 20, with: [0, 0, 0, 0])
        let stored = block.u32(16), computed = CRC32.checksum(zeroed[...])
        guard stored == computed else { return .failure("header CRC32 0x\(String(stored, radix: 16)) != computed 0x\(String(computed, radix: 16))") }
        guard block.u64(24) == lba else { return .failure("header at block \(lba) says it is at block \(block.u64(24))") }
        let entrySize = block.u32(84)
        guard entrySize >= 128, entrySize % 8 == 0, entrySize <= 4096 else { return .failure("entry size \(entrySize)") }
        return .success(Header(entriesLBA: block.u64(72), entryCount: block.u32(80), entrySize: entrySize, entriesCRC: block.u32(88)))
    }

    /// The entry array, whole when it is small enough to check its CRC (empty slots are
    /// skipped later, so the limit cannot apply to slots), and what is wrong with it.
    private static func entryArray(_ header: Header, reader: MediumReader, limits: VolumeLimits) async throws -> ([UInt8], String?) {
        let blockSize = UInt64(reader.blockSize)
        let total = UInt64(header.entryCount) * UInt64(header.entrySize)
        let (start, overflow) = header.entriesLBA.multipliedReportingOverflow(by: blockSize)
        guard !overflow, header.entriesLBA >= 1 else { return ([], "entry array at block \(header.entriesLBA)") }
        if total <= maxArrayBytes {
            guard reader.contains(offset: start, count: total) else { return ([], "entry array runs past the medium's end") }
            let bytes = try await reader.read(offset: start, count: Int(total))
            let computed = CRC32.checksum(bytes[...])
            return (bytes, computed == header.entriesCRC ? nil
                    : "entries CRC32 0x\(String(header.entriesCRC, radix: 16)) != computed 0x\(String(computed, radix: 16))")
        }
        // Too large to check: read only as many entries as the limit allows.
        let count = min(UInt64(clamping: min(limits.maxPartitions, 1 << 20)) * UInt64(header.entrySize), maxArrayBytes,
                        reader.length - min(start, reader.length))
        guard count > 0 else { return ([], "entry array runs past the medium's end") }
        return (try await reader.read(offset: start, count: Int(count)),
                "\(header.entryCount) entries of \(header.entrySize) bytes: too many to check their CRC32")
    }

    private static func candidates(_ array: [UInt8], header: Header, reader: MediumReader, limits: VolumeLimits,
                                   anomalies: inout [VolumeAnomaly]) -> [PartitionCandidate] {
        let blockSize = UInt64(reader.blockSize)
        let blocks = reader.length / blockSize
        let size = Int(header.entrySize)
        var found: [PartitionCandidate] = []
        var index = 0
        while (index + 1) * size <= array.count, index < Int(header.entryCount) {
            defer { index += 1 }
            let entry = Array(array[index * size ..< index * size + 128])
            guard entry[0 ..< 16].contains(where: { $0 != 0 }) else { continue }
            guard found.count < limits.maxPartitions else {
                anomalies.append(VolumeAnomaly("partition-limit", "more than \(limits.maxPartitions) partitions; partition \(index + 1) and later not read"))
                break
            }
            let first = entry.u64(32), lastLBA = entry.u64(40)
            guard first >= 1, first <= lastLBA, first < blocks else {
                anomalies.append(VolumeAnomaly("bad-partition-table", "partition \(index + 1) spans blocks \(first)…\(lastLBA) of \(blocks)"))
                continue
            }
            var end = lastLBA
            if end >= blocks {
                anomalies.append(VolumeAnomaly("bad-partition-table", "partition \(index + 1) runs past the medium's end"))
                end = blocks - 1
            }
            found.append(PartitionCandidate(scheme: .gpt, number: index + 1, offset: first * blockSize, length: (end - first + 1) * blockSize))
        }
        return found
    }
}
