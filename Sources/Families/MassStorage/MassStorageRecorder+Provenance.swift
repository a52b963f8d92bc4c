import RecorderHAL
import Volumes

/// Where a mass-storage recorder's files come from: the disk's INQUIRY and capacity, each
/// volume's file system and geometry, and each file's cluster runs with their absolute byte
/// offsets, all from the latest reading of the volumes (`volumeCatalog`).
extension MassStorageRecorder: SourceProvenance {
    public func sourceMedium() async -> SourceMedium? {
        let d = disk.identity, blockSize = UInt64(d.blockLength)
        let volumes = volumeCatalog.volumes.map { v in
            SourceMedium.Volume(fileSystem: v.fileSystem.rawValue, label: v.label, serial: hex8(v.serial),
                                partitionScheme: v.scheme.rawValue, partitionNumber: v.partitionNumber,
                                startBlock: v.offset / blockSize, blocks: v.length / blockSize,
                                bytesPerSector: v.bytesPerSector, bytesPerCluster: v.bytesPerCluster,
                                clusterCount: v.clusterCount)
        }
        return SourceMedium(disk: .init(vendor: d.vendor, product: d.product, revision: d.revision,
                                        blockSize: d.blockLength, blockCount: d.blockCount),
                            volumes: volumes)
    }

    /// The file's extents exactly as `read` follows them (`ExtentStream`); for a file whose
    /// allocation could not be followed to its size (an anomaly says so) they are the runs that
    /// were found.
    public func sourceExtents(of id: UInt32) -> [SourceExtent]? {
        guard let item = volumeCatalog.item(id) else { return nil }
        return item.file.extents.map {
            SourceExtent(volume: item.volume, firstCluster: $0.firstCluster, clusterCount: $0.clusterCount,
                         offset: $0.offset, length: $0.length)
        }
    }

    public func sourceVolume(of id: UInt32) -> Int? { volumeCatalog.item(id)?.volume }
}

/// 8 upper-case hex digits, as the recorder's serial is written (`identity()`).
private func hex8(_ value: UInt32) -> String {
    let digits = Array("0123456789ABCDEF".utf8)
    return String(decoding: (0..<8).reversed().map { digits[Int(value >> (UInt32($0) * 4) & 0xF)] }, as: UTF8.self)
}
