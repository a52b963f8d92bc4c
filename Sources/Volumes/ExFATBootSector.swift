/// The fields of an exFAT boot sector (Microsoft's exFAT specification §3.1) that locate the
/// volume's structures, accepted only when they are mutually consistent.
struct ExFATBootSector: Hashable, Sendable {
    /// Sectors in the volume, as claimed.
    var volumeLength: UInt64
    /// Sector of the first FAT, from the volume's start.
    var fatOffset: UInt32
    /// Sectors per FAT.
    var fatLength: UInt32
    /// Sector of cluster 2, from the volume's start.
    var clusterHeapOffset: UInt32
    var clusterCount: UInt32
    var rootDirectoryCluster: UInt32
    var serial: UInt32
    var volumeFlags: UInt16
    var bytesPerSectorShift: Int
    var sectorsPerClusterShift: Int
    var numberOfFats: Int

    var bytesPerSector: Int { 1 << bytesPerSectorShift }
    var bytesPerCluster: Int { 1 << (bytesPerSectorShift + sectorsPerClusterShift) }
    /// The FAT in use: the second only on a TexFAT volume whose ActiveFat flag says so.
    var activeFat: Int { numberOfFats == 2 && volumeFlags & 1 == 1 ? 1 : 0 }
    /// Byte of the active FAT from the volume's start.
    var activeFatByteOffset: UInt64 {
        (UInt64(fatOffset) + UInt64(activeFat) * UInt64(fatLength)) << UInt64(bytesPerSectorShift)
    }
    var clusterHeapByteOffset: UInt64 { UInt64(clusterHeapOffset) << UInt64(bytesPerSectorShift) }
    var volumeByteLength: UInt64 { volumeLength << UInt64(bytesPerSectorShift) }

    static let fileSystemName: [UInt8] = Array("EXFAT   ".utf8)

    /// Reads and checks the boot sector at the start of `sector` (512 bytes are enough: the
    /// fields and the signature lie in the first 512 whatever the sector size).
    ///
    /// Throws the first inconsistency found; an accepted boot sector guarantees that the FAT(s)
    /// lie between the boot regions and the cluster heap, that the FAT has an entry for every
    /// cluster, that the heap fits in the claimed volume length, that a cluster is at most
    /// 32 MiB and that the root directory's first cluster is in the heap.
    init(parsing sector: ArraySlice<UInt8>) throws(ExFATBootSectorProblem) {
        let s = Array(sector.prefix(512))
        guard s.count == 512 else { throw .init("boot sector is \(s.count) bytes, not 512") }
        guard s[0] == 0xEB, s[1] == 0x76, s[2] == 0x90 else {
            throw .init("JumpBoot is \(hex(s[0])) \(hex(s[1])) \(hex(s[2])), not EB 76 90")
        }
        guard Array(s[3..<11]) == Self.fileSystemName else { throw .init("FileSystemName is not \"EXFAT   \"") }
        guard s[11..<64].allSatisfy({ $0 == 0 }) else {
            throw .init("MustBeZero (bytes 11–63) is not zero: a FAT boot sector or a damaged one")
        }
        guard s[510] == 0x55, s[511] == 0xAA else { throw .init("boot signature is not 55 AA") }

        let bytesPerSectorShift = Int(s[108]), sectorsPerClusterShift = Int(s[109])
        guard (9...12).contains(bytesPerSectorShift) else {
            throw .init("BytesPerSectorShift \(bytesPerSectorShift) is outside 9…12")
        }
        guard sectorsPerClusterShift <= 25 - bytesPerSectorShift else {
            throw .init("SectorsPerClusterShift \(sectorsPerClusterShift) makes clusters over 32 MiB")
        }
        let numberOfFats = Int(s[110])
        guard numberOfFats == 1 || numberOfFats == 2 else { throw .init("NumberOfFats is \(numberOfFats)") }
        let revision = ExFATLE.u16(s, 104)
        guard revision >> 8 == 1 else { throw .init("FileSystemRevision \(revision >> 8).\(revision & 0xFF) is not 1.x") }

        let volumeLength = ExFATLE.u64(s, 72)
        let fatOffset = ExFATLE.u32(s, 80), fatLength = ExFATLE.u32(s, 84)
        let heapOffset = ExFATLE.u32(s, 88), clusterCount = ExFATLE.u32(s, 92), root = ExFATLE.u32(s, 96)
        let sectorBytes = UInt64(1) << UInt64(bytesPerSectorShift)

        guard volumeLength >= (1 << 20) / sectorBytes else { throw .init("VolumeLength \(volumeLength) is under 1 MiB") }
        guard volumeLength <= UInt64.max >> 12 else { throw .init("VolumeLength \(volumeLength) overflows") }
        guard fatOffset >= 24 else { throw .init("FatOffset \(fatOffset) overlaps the boot regions") }
        guard clusterCount >= 1, clusterCount <= 0xFFFF_FFF5 else { throw .init("ClusterCount \(clusterCount) is out of range") }
        let fatBytesNeeded = (UInt64(clusterCount) + 2) * 4
        guard UInt64(fatLength) * sectorBytes >= fatBytesNeeded else {
            throw .init("FatLength \(fatLength) sectors cannot hold \(UInt64(clusterCount) + 2) entries")
        }
        let fatsEnd = UInt64(fatOffset) + UInt64(fatLength) * UInt64(numberOfFats)
        guard fatsEnd <= UInt64(heapOffset) else {
            throw .init("the FAT(s) end at sector \(fatsEnd), past ClusterHeapOffset \(heapOffset)")
        }
        let heapEnd = UInt64(heapOffset) + UInt64(clusterCount) << UInt64(sectorsPerClusterShift)
        guard heapEnd <= volumeLength else {
            throw .init("the cluster heap ends at sector \(heapEnd), past VolumeLength \(volumeLength)")
        }
        guard root >= 2, UInt64(root) <= UInt64(clusterCount) + 1 else {
            throw .init("FirstClusterOfRootDirectory \(root) is outside the heap (2…\(UInt64(clusterCount) + 1))")
        }

        self.volumeLength = volumeLength
        self.fatOffset = fatOffset
        self.fatLength = fatLength
        self.clusterHeapOffset = heapOffset
        self.clusterCount = clusterCount
        self.rootDirectoryCluster = root
        self.serial = ExFATLE.u32(s, 100)
        self.volumeFlags = ExFATLE.u16(s, 106)
        self.bytesPerSectorShift = bytesPerSectorShift
        self.sectorsPerClusterShift = sectorsPerClusterShift
        self.numberOfFats = numberOfFats
    }

    /// The boot checksum (§3.4) of a boot region's first 11 sectors: VolumeFlags and
    /// PercentInUse are left out because they change without the region being rewritten.
    static func bootChecksum(_ region: ArraySlice<UInt8>) -> UInt32 {
        var checksum: UInt32 = 0
        for (index, byte) in region.enumerated() where index != 106 && index != 107 && index != 112 {
            checksum = (checksum >> 1 | checksum << 31) &+ UInt32(byte)
        }
        return checksum
    }

    /// Whether the 12 sectors of a boot region hold a checksum sector (sector 11, the checksum
    /// repeated) that matches sectors 0–10.
    static func checksumMatches(region: ArraySlice<UInt8>, bytesPerSector: Int) -> Bool {
        guard region.count >= 12 * bytesPerSector else { return false }
        let base = region.startIndex
        let expected = bootChecksum(region[base..<base + 11 * bytesPerSector])
        let sector11 = Array(region[base + 11 * bytesPerSector..<base + 12 * bytesPerSector])
        return stride(from: 0, to: bytesPerSector, by: 4).allSatisfy { ExFATLE.u32(sector11, $0) == expected }
    }
}

/// Why a boot sector was not accepted.
struct ExFATBootSectorProblem: Error, Hashable, Sendable {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

private func hex(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 16, uppercase: true)
    return digits.count == 1 ? "0" + digits : digits
}

/// Little-endian fields of on-disk structures; indices are the caller's to bound.
enum ExFATLE {
    static func u16(_ b: [UInt8], _ at: Int) -> UInt16 { UInt16(b[at]) | UInt16(b[at + 1]) << 8 }
    static func u32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }
    static func u64(_ b: [UInt8], _ at: Int) -> UInt64 { UInt64(u32(b, at)) | UInt64(u32(b, at + 4)) << 32 }
}
