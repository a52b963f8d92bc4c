/// exFAT volumes, read-only (Microsoft's exFAT file system specification, revision 1.00).
public enum ExFATVolume {
    /// Whether a volume's first sector names itself exFAT: "EXFAT   " at byte 3 (a FAT boot
    /// sector has an OEM name there, never a valid exFAT layout after it). Only the name is
    /// looked at, so a volume with a damaged main boot sector is still offered to `read`, which
    /// then tries the backup boot region.
    public static func recognises(_ bootSector: [UInt8]) -> Bool {
        bootSector.count >= 11 && Array(bootSector[3..<11]) == ExFATBootSector.fileSystemName
    }

    /// Lists every regular file of the exFAT volume at `offset` (bytes on the medium), at most
    /// `length` bytes long, reading it through `source`.
    ///
    /// Guarantees: every on-disk value is checked before use; no block past the medium's end is
    /// asked for; the number of blocks read and the memory held are bounded by `limits` and the
    /// volume's size, whatever the volume says; loops in chains or directories end. A file whose
    /// allocation cannot be followed to its size is listed with `complete == false` and a named
    /// anomaly. Files' extents are absolute byte ranges on the medium covering the size in the
    /// directory entry (DataLength), as The Sleuth Kit reads them; a file whose
    /// ValidDataLength is smaller carries a "valid-data-length" anomaly.
    ///
    /// Throws `VolumeError.noVolume` when neither boot region holds a consistent exFAT boot
    /// sector or the FAT or root directory lies off the medium, `VolumeError.badMedium` when the
    /// medium's geometry is unusable, and the source's own errors unchanged.
    public static func read(source: any BlockSource, offset: UInt64, length: UInt64,
                            scheme: VolumeIdentity.PartitionScheme, partitionNumber: Int?,
                            limits: VolumeLimits) async throws -> VolumeListing {
        let medium = try ExFATMedium.bounded(source: source, offset: offset, length: length)
        let head = try await medium.read(at: 0, count: Int(min(UInt64(ExFATBootRegion.bytesToRead), medium.length)))
        let region = try ExFATBootRegion.choose(from: head)
        let boot = region.bootSector
        var anomalies = region.anomalies

        let clusterBytes = UInt64(boot.bytesPerCluster)
        if boot.volumeByteLength > medium.length {
            anomalies.append(VolumeAnomaly("volume-truncated",
                "the boot sector claims \(boot.volumeByteLength) bytes; the medium holds \(medium.length) from the volume's start"))
        }
        let fatEnd = boot.activeFatByteOffset + (UInt64(boot.clusterCount) + 2) * 4
        guard fatEnd <= medium.length else {
            throw VolumeError.noVolume("exFAT FAT ends at volume byte \(fatEnd), past the medium's end (\(medium.length))")
        }
        guard boot.clusterHeapByteOffset < medium.length else {
            throw VolumeError.noVolume("exFAT cluster heap starts past the medium's end")
        }
        let onMedium = (medium.length - boot.clusterHeapByteOffset) / clusterBytes
        let lastCluster = UInt32(min(UInt64(boot.clusterCount), onMedium) + 1)
        guard boot.rootDirectoryCluster <= lastCluster else {
            throw VolumeError.noVolume("exFAT root directory (cluster \(boot.rootDirectoryCluster)) is past the medium's end")
        }

        let reader = ExFATVolumeReader(medium: medium, boot: boot, limits: limits, lastCluster: lastCluster)
        let result = try await reader.read()
        anomalies += result.anomalies
        let identity = VolumeIdentity(
            fileSystem: .exfat, label: result.label, serial: boot.serial, scheme: scheme,
            partitionNumber: scheme == .none ? nil : partitionNumber, offset: offset,
            length: min(boot.volumeByteLength, medium.length), bytesPerSector: boot.bytesPerSector,
            bytesPerCluster: boot.bytesPerCluster, clusterCount: boot.clusterCount)
        return VolumeListing(volume: identity, files: result.files, anomalies: anomalies)
    }
}
