/// A FAT12/16/32 boot sector's BIOS parameter block, validated as Microsoft's FAT specification
/// (fatgen103) lays it out, and the volume geometry that follows from it. Every field is
/// checked before it is used, because the readers' arithmetic is built on them.
struct FATBootSector: Sendable {
    let fileSystem: VolumeIdentity.FileSystem
    let bytesPerSector: Int
    let sectorsPerCluster: Int
    let reservedSectors: UInt32
    let fatCount: Int
    let rootEntryCount: Int
    let totalSectors: UInt32
    let sectorsPerFAT: UInt32
    /// FAT32: the root directory's first cluster.
    let rootCluster: UInt32
    /// FAT32 with mirroring disabled: the one FAT in use (0-based); else nil (all FATs mirror).
    let activeFAT: Int?
    let serial: UInt32?
    /// The 11 label bytes of the extended boot record; nil when it has none. Decoded in the
    /// volume's code page by the reader (`FATName.label`).
    let labelBytes: [UInt8]?
    /// Clusters in the data area, as the BPB's arithmetic gives them.
    let clusterCount: UInt32
    /// Odd but readable things about the BPB (codes for `VolumeAnomaly`).
    let oddities: [String]

    var bytesPerCluster: Int { bytesPerSector * sectorsPerCluster }
    var fatBytes: UInt64 { UInt64(sectorsPerFAT) * UInt64(bytesPerSector) }
    var firstFATSector: UInt32 { reservedSectors }
    var rootDirectorySectors: UInt32 { UInt32((rootEntryCount * 32 + bytesPerSector - 1) / bytesPerSector) }
    var rootDirectorySector: UInt32 { reservedSectors + UInt32(fatCount) * sectorsPerFAT }
    var firstDataSector: UInt32 { rootDirectorySector + rootDirectorySectors }
    var volumeBytes: UInt64 { UInt64(totalSectors) * UInt64(bytesPerSector) }

    enum Invalid: Error, CustomStringConvertible {
        case field(String)
        var description: String { switch self { case .field(let why): why } }
    }

    /// A quick test that `bytes` look like a FAT boot sector: a full parse that succeeds.
    static func recognises(_ bytes: [UInt8]) -> Bool {
        (try? FATBootSector(bytes)) != nil
    }

    init(_ b: [UInt8]) throws(Invalid) {
        guard b.count >= 512 else { throw .field("boot sector is \(b.count) bytes") }
        // An x86 jump (EB xx or E9 xx xx) opens every FAT boot sector; without it the sector is
        // more likely a partition table or something else entirely.
        guard b[0] == 0xEB || b[0] == 0xE9 else { throw .field(String(format2: "jump byte", b[0])) }
        let bps = Int(b.u16(11))
        guard [512, 1024, 2048, 4096].contains(bps) else { throw .field("bytes per sector \(bps)") }
        let spc = Int(b[13])
        guard spc > 0, spc & (spc - 1) == 0 else { throw .field("sectors per cluster \(spc)") }
        let reserved = UInt32(b.u16(14))
        guard reserved > 0 else { throw .field("no reserved sectors") }
        let fats = Int(b[16])
        guard fats > 0 else { throw .field("no FAT") }
        let rootEntries = Int(b.u16(17))
        let total16 = UInt32(b.u16(19)), total32 = b.u32(32)
        let total = total16 != 0 ? total16 : total32
        guard total > 0 else { throw .field("no sectors") }
        let fatSize16 = UInt32(b.u16(22)), fatSize32 = b.u32(36)
        let fatSize = fatSize16 != 0 ? fatSize16 : fatSize32
        guard fatSize > 0 else { throw .field("FAT of 0 sectors") }

        bytesPerSector = bps
        sectorsPerCluster = spc
        reservedSectors = reserved
        fatCount = fats
        rootEntryCount = rootEntries
        totalSectors = total
        sectorsPerFAT = fatSize

        let rootSectors = UInt64((rootEntries * 32 + bps - 1) / bps)
        let dataStart = UInt64(reserved) + UInt64(fats) * UInt64(fatSize) + rootSectors
        guard dataStart < UInt64(total) else { throw .field("data area starts at sector \(dataStart) of \(total)") }
        let count = (UInt64(total) - dataStart) / UInt64(spc)
        guard count > 0 else { throw .field("no clusters") }
        var notes: [String] = []

        // The type is the cluster count's, as the specification says; a FAT32-shaped BPB
        // (16-bit FAT size 0) is FAT32 whatever the count, as Linux and mkfs.vfat have it.
        let type: VolumeIdentity.FileSystem
        if fatSize16 == 0 {
            type = .fat32
            if count < 65_525 { notes.append("FAT32 BPB with \(count) clusters (the count says FAT\(count < 4085 ? 12 : 16))") }
        } else if count < 4085 {
            type = .fat12
        } else if count < 65_525 {
            type = .fat16
        } else {
            throw .field("\(count) clusters need FAT32, but the BPB is FAT12/16-shaped")
        }
        fileSystem = type
        if type == .fat32 {
            guard rootEntries == 0 else { throw .field("FAT32 with \(rootEntries) fixed root entries") }
            guard count <= 0x0FFF_FFF5 else { throw .field("\(count) clusters exceed FAT32's range") }
            rootCluster = b.u32(44)
            let flags = b.u16(40)
            activeFAT = flags & 0x80 != 0 ? Int(flags & 0x0F) : nil
            if let active = activeFAT, active >= fats { throw .field("active FAT \(active) of \(fats)") }
        } else {
            guard rootEntries > 0 else { throw .field("FAT12/16 with no root directory entries") }
            rootCluster = 0
            activeFAT = nil
        }
        // The FAT must hold an entry for every cluster; a shorter FAT bounds the usable clusters.
        let entryBits: UInt64 = type == .fat12 ? 12 : type == .fat16 ? 16 : 32
        let entriesInFAT = UInt64(fatSize) * UInt64(bps) * 8 / entryBits
        if entriesInFAT < count + 2 {
            guard entriesInFAT > 2 else { throw .field("FAT holds no cluster entries") }
            notes.append("FAT holds \(entriesInFAT - 2) cluster entries for \(count) clusters")
            clusterCount = UInt32(entriesInFAT - 2)
        } else {
            clusterCount = UInt32(count)
        }

        let extended = type == .fat32 ? 64 : 36
        if b[extended + 2] == 0x29 {
            serial = b.u32(extended + 3)
            labelBytes = Array(b[(extended + 7) ..< (extended + 18)])
        } else {
            serial = nil
            labelBytes = nil
        }
        oddities = notes
    }
}

private extension String {
    init(format2 what: String, _ byte: UInt8) {
        let hex = String(byte, radix: 16, uppercase: true)
        self = "\(what) 0x\(hex.count == 1 ? "0" + hex : hex)"
    }
}
