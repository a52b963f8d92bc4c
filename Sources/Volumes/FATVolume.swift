/// Reads a FAT12, FAT16 or FAT32 volume: its identity, every regular file with its extents on
/// the medium, and every anomaly met on the way. Every on-disk value is checked before use;
/// a damaged file is listed with `complete == false` and an anomaly naming why.
enum FATVolume {
    /// Reads the FAT volume whose boot sector is at byte `offset` of `source`. `length` is
    /// what the partition table gives the volume (the medium's rest for a superfloppy).
    ///
    /// Throws `VolumeError.noVolume` when the boot sector is not a valid FAT one or the FAT or
    /// root directory lies off the medium; the source's own errors pass through.
    static func read(source: any BlockSource, offset: UInt64, length: UInt64,
                     scheme: VolumeIdentity.PartitionScheme, partitionNumber: Int?,
                     limits: VolumeLimits) async throws -> VolumeListing {
        let reader = try MediumReader(source)
        guard reader.contains(offset: offset, count: 512) else {
            throw VolumeError.noVolume("FAT volume at byte \(offset) starts past the medium")
        }
        let boot: FATBootSector
        do {
            boot = try FATBootSector(try await reader.read(offset: offset, count: 512))
        } catch let invalid as FATBootSector.Invalid {
            throw VolumeError.noVolume("boot sector at byte \(offset): \(invalid)")
        }
        let walker = try FATWalker(reader: reader, boot: boot, offset: offset, partitionLength: length, limits: limits)
        let (files, label) = try await walker.walk()
        let identity = VolumeIdentity(
            fileSystem: boot.fileSystem,
            label: label ?? boot.labelBytes.flatMap { FATName.label($0, codePage: limits.shortNameCodePage) }, serial: boot.serial ?? 0,
            scheme: scheme, partitionNumber: partitionNumber, offset: offset,
            length: min(boot.volumeBytes, reader.length - offset),
            bytesPerSector: boot.bytesPerSector, bytesPerCluster: boot.bytesPerCluster,
            clusterCount: boot.clusterCount)
        return VolumeListing(volume: identity, files: files, anomalies: walker.anomalies)
    }
}
