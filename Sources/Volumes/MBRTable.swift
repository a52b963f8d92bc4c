/// The master boot record's partition table: four primary entries at byte 446 of block 0, and
/// the chain of extended boot records for logical partitions (numbered from 5, as Linux and
/// The Sleuth Kit number them), followed at most `limits.maxPartitions` links deep.
enum MBRTable {
    struct Entry: Equatable {
        let type: UInt8
        let start: UInt32
        let sectors: UInt32
    }

    /// Whether `block` ends in the 0x55AA boot signature.
    static func hasSignature(_ block: [UInt8]) -> Bool {
        block.count >= 512 && block[510] == 0x55 && block[511] == 0xAA
    }

    /// The four entries of a boot record (empty ones included).
    static func entries(_ block: [UInt8]) -> [Entry] {
        (0 ..< 4).map { index in
            let at = 446 + 16 * index
            return Entry(type: block[at + 4], start: block.u32(at + 8), sectors: block.u32(at + 12))
        }
    }

    static func isExtended(_ type: UInt8) -> Bool { type == 0x05 || type == 0x0F || type == 0x85 }

    static func scan(_ block0: [UInt8], reader: MediumReader, limits: VolumeLimits) async throws -> PartitionScan {
        var scan = PartitionScan()
        let blockSize = UInt64(reader.blockSize)
        let blocks = reader.length / blockSize
        func add(_ entry: Entry, base: UInt64, number: Int) {
            let first = base + UInt64(entry.start)
            guard entry.sectors > 0, entry.start > 0, first < blocks else {
                scan.anomalies.append(VolumeAnomaly("bad-partition-table",
                                                    "partition \(number) (type 0x\(String(entry.type, radix: 16))) starts at block \(first) of \(blocks), length \(entry.sectors)"))
                return
            }
            var count = UInt64(entry.sectors)
            if first + count > blocks {
                scan.anomalies.append(VolumeAnomaly("bad-partition-table", "partition \(number) runs \(first + count - blocks) blocks past the medium's end"))
                count = blocks - first
            }
            guard scan.candidates.count < limits.maxPartitions else {
                scan.anomalies.append(VolumeAnomaly("partition-limit", "more than \(limits.maxPartitions) partitions; partition \(number) and later not read"))
                return
            }
            scan.candidates.append(PartitionCandidate(scheme: .mbr, number: number, offset: first * blockSize, length: count * blockSize))
        }

        var extendedStart: UInt64?
        for (index, entry) in entries(block0).enumerated() where entry.type != 0 {
            if isExtended(entry.type) {
                if extendedStart == nil { extendedStart = UInt64(entry.start) }
                else { scan.anomalies.append(VolumeAnomaly("bad-partition-table", "more than one extended partition; only the first is read")) }
            } else {
                add(entry, base: 0, number: index + 1)
            }
        }
        guard let extended = extendedStart else { return scan }
        // Each EBR holds a logical partition (relative to itself) and a link to the next EBR
        // (relative to the extended partition's start). Bounded and loop-checked.
        var next: UInt64? = extended
        var seen: Set<UInt64> = []
        var number = 5
        while let ebr = next {
            guard ebr > 0, ebr < blocks, seen.insert(ebr).inserted else {
                scan.anomalies.append(VolumeAnomaly("bad-partition-table", "extended boot record link to block \(ebr) is out of range or loops"))
                break
            }
            guard seen.count <= limits.maxPartitions else {
                scan.anomalies.append(VolumeAnomaly("partition-limit", "more than \(limits.maxPartitions) extended boot records"))
                break
            }
            let block = try await reader.read(offset: ebr * blockSize, count: Int(blockSize))
            guard hasSignature(block) else {
                scan.anomalies.append(VolumeAnomaly("bad-partition-table", "extended boot record at block \(ebr) has no boot signature"))
                break
            }
            let pair = entries(block)
            if pair[0].type != 0 {
                add(pair[0], base: ebr, number: number)
                number += 1
            }
            next = isExtended(pair[1].type) && pair[1].start > 0 ? extended + UInt64(pair[1].start) : nil
        }
        return scan
    }
}
