/// The entry point of the volume readers: every FAT or exFAT volume on a medium.
public enum Medium {
    /// One listing per FAT12/16/32 or exFAT volume on `source`, in partition-table order.
    ///
    /// Block 0 decides the layout: a protective MBR (type 0xEE) means GPT; a FAT or exFAT boot
    /// sector means a partitionless "superfloppy"; otherwise an MBR's primary and logical
    /// partitions. Every partition whose first sector a known file system recognises is read.
    /// What was wrong with the partition table is added to every listing's anomalies.
    ///
    /// Throws `VolumeError.badMedium` for a geometry the readers cannot use and
    /// `VolumeError.noVolume` when no volume could be read at all (saying why for each region
    /// tried); errors of `source` itself pass through unchanged.
    public static func volumes(on source: any BlockSource, limits: VolumeLimits = VolumeLimits()) async throws -> [VolumeListing] {
        let reader = try MediumReader(source)
        let block0 = try await reader.read(offset: 0, count: max(512, reader.blockSize))
        let scan: PartitionScan
        let mbr = MBRTable.hasSignature(block0) ? MBRTable.entries(block0) : []
        let superfloppy = PartitionScan(candidates: [PartitionCandidate(scheme: .none, number: nil, offset: 0, length: reader.length)])
        if mbr.contains(where: { $0.type == 0xEE }) {
            let gpt = try await GPTTable.scan(reader: reader, limits: limits)
            // A boot sector's code can hold 0xEE where a partition type would be: with no GPT
            // to be found, block 0's own boot sector is the volume.
            if gpt.candidates.isEmpty, format(for: block0) != nil {
                scan = PartitionScan(candidates: superfloppy.candidates, anomalies: gpt.anomalies)
            } else {
                scan = gpt
            }
        } else if format(for: block0) != nil {
            scan = superfloppy
        } else if !mbr.isEmpty {
            scan = try await MBRTable.scan(block0, reader: reader, limits: limits)
        } else {
            throw VolumeError.noVolume("block 0 is neither a partition table nor a boot sector")
        }

        var listings: [VolumeListing] = []
        var reasons: [String] = scan.anomalies.map(\.description)
        for candidate in scan.candidates {
            let where_ = candidate.number.map { "partition \($0) at byte \(candidate.offset)" } ?? "volume at byte 0"
            guard reader.contains(offset: candidate.offset, count: 512) else {
                reasons.append("\(where_): past the medium's end")
                continue
            }
            let boot = try await reader.read(offset: candidate.offset, count: 512)
            guard let format = format(for: boot) else {
                reasons.append("\(where_): unrecognised boot sector (OEM name \"\(oemName(boot))\")")
                continue
            }
            do {
                var listing = try await format.read(source, candidate.offset, candidate.length, candidate.scheme, candidate.number, limits)
                listing.anomalies.insert(contentsOf: scan.anomalies, at: 0)
                listings.append(listing)
            } catch let error as VolumeError {
                reasons.append("\(where_): \(error)")
            }
        }
        guard !listings.isEmpty else {
            throw VolumeError.noVolume(reasons.isEmpty ? "the partition table lists no partitions" : reasons.joined(separator: "; "))
        }
        return listings
    }

    private static func format(for bootSector: [UInt8]) -> VolumeFormat? {
        VolumeFormat.known.first { $0.recognises(bootSector) }
    }

    private static func oemName(_ boot: [UInt8]) -> String {
        String(decoding: boot[3 ..< 11].map { $0 >= 0x20 && $0 < 0x7F ? $0 : 0x3F }, as: UTF8.self)
    }
}
