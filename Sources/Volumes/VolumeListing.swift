/// Everything a medium's volume lists, as read: its identity, every file that could be found
/// (readable or not) and what was wrong on the way. A damaged volume yields every file that can
/// be read plus named anomalies; only a medium with no volume at all is an error.
public struct VolumeListing: Sendable {
    public var volume: VolumeIdentity
    /// Regular files, in directory order, depth first. Directories are not listed; empty ones
    /// carry nothing to collect.
    public var files: [VolumeFile]
    public var anomalies: [VolumeAnomaly]

    public init(volume: VolumeIdentity, files: [VolumeFile], anomalies: [VolumeAnomaly]) {
        self.volume = volume
        self.files = files
        self.anomalies = anomalies
    }
}

/// Which volume was read, for the custody record: enough for an examiner to find it again in an
/// image of the medium.
public struct VolumeIdentity: Hashable, Sendable {
    public enum FileSystem: String, Hashable, Sendable {
        case fat12 = "FAT12", fat16 = "FAT16", fat32 = "FAT32", exfat = "exFAT"
    }
    public enum PartitionScheme: String, Hashable, Sendable {
        case mbr = "MBR", gpt = "GPT"
        /// No partition table: the volume starts at block 0 ("superfloppy").
        case none
    }

    public var fileSystem: FileSystem
    /// The volume label, trimmed of padding; nil when the volume has none.
    public var label: String?
    /// The volume serial number (FAT's volume ID, exFAT's VolumeSerialNumber).
    public var serial: UInt32
    public var scheme: PartitionScheme
    /// 1-based partition number in its table; nil for `.none`.
    public var partitionNumber: Int?
    /// First byte of the volume on the medium.
    public var offset: UInt64
    /// Bytes of the volume (its boot sector's claim, bounded by the medium).
    public var length: UInt64
    public var bytesPerSector: Int
    public var bytesPerCluster: Int
    /// Clusters in the data area.
    public var clusterCount: UInt32

    public init(fileSystem: FileSystem, label: String?, serial: UInt32, scheme: PartitionScheme,
                partitionNumber: Int?, offset: UInt64, length: UInt64, bytesPerSector: Int,
                bytesPerCluster: Int, clusterCount: UInt32) {
        self.fileSystem = fileSystem
        self.label = label
        self.serial = serial
        self.scheme = scheme
        self.partitionNumber = partitionNumber
        self.offset = offset
        self.length = length
        self.bytesPerSector = bytesPerSector
        self.bytesPerCluster = bytesPerCluster
        self.clusterCount = clusterCount
    }
}

/// One regular file on a volume.
public struct VolumeFile: Hashable, Sendable {
    /// Directory names then the file name, from the long names (VFAT LFN, exFAT File Name
    /// entries) where present, else the 8.3 name. Decoded from UTF-16; an unpaired surrogate
    /// becomes U+FFFD and is reported as an anomaly.
    public var path: [String]
    /// Bytes, as the directory entry says. A size beyond the volume is kept (it is what the
    /// recorder claimed), with the file not `complete` and a `size-beyond-volume` anomaly.
    public var size: UInt64
    public var modified: VolumeTimestamp?
    public var created: VolumeTimestamp?
    /// The first cluster the directory entry names (0 for an empty file).
    public var firstCluster: UInt32
    /// Where the file's bytes are on the medium, in file order. When `complete`, the extents
    /// cover exactly `size` bytes (the last one trimmed to the file's end).
    public var extents: [Extent]
    /// False when the allocation could not be followed to `size` bytes (a broken, looping or
    /// cross-linked chain, a cluster out of range): `extents` then hold what could be found,
    /// and an anomaly names the problem.
    public var complete: Bool

    public init(path: [String], size: UInt64, modified: VolumeTimestamp?, created: VolumeTimestamp?,
                firstCluster: UInt32, extents: [Extent], complete: Bool) {
        self.path = path
        self.size = size
        self.modified = modified
        self.created = created
        self.firstCluster = firstCluster
        self.extents = extents
        self.complete = complete
    }

    /// The path joined with "/".
    public var pathString: String { path.joined(separator: "/") }
}

/// A run of contiguous clusters holding consecutive bytes of a file.
public struct Extent: Hashable, Sendable {
    /// The run's first cluster (cluster numbers as the file system counts them, from 2).
    public var firstCluster: UInt32
    public var clusterCount: UInt32
    /// Absolute byte offset of the run on the medium (not the volume).
    public var offset: UInt64
    /// Bytes of the file in this run (the last run stops at the file's end).
    public var length: UInt64

    public init(firstCluster: UInt32, clusterCount: UInt32, offset: UInt64, length: UInt64) {
        self.firstCluster = firstCluster
        self.clusterCount = clusterCount
        self.offset = offset
        self.length = length
    }
}

/// A time stamp as the volume stores it: civil time of the recorder's clock. FAT keeps no zone
/// (`utcOffsetMinutes` nil: the family's or the kiosk's zone rule applies); exFAT may record its
/// offset from UTC.
public struct VolumeTimestamp: Hashable, Sendable {
    public var year: Int, month: Int, day: Int
    public var hour: Int, minute: Int, second: Int
    public var millisecond: Int
    public var utcOffsetMinutes: Int?

    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int,
                millisecond: Int = 0, utcOffsetMinutes: Int? = nil) {
        self.year = year; self.month = month; self.day = day
        self.hour = hour; self.minute = minute; self.second = second
        self.millisecond = millisecond
        self.utcOffsetMinutes = utcOffsetMinutes
    }
}

/// Something wrong on the volume, named. Codes are stable (they reach the custody record).
public struct VolumeAnomaly: Hashable, Sendable, CustomStringConvertible {
    /// "cluster-out-of-range", "chain-loop", "chain-short", "chain-long", "cross-linked",
    /// "size-beyond-volume", "depth-limit", "entry-limit", "bad-long-name", "bad-boot-sector",
    /// "fat-mismatch", "bad-partition-table", "bad-upcase-table", "bad-name-hash", …
    public var code: String
    /// The file or directory concerned, when there is one.
    public var path: String?
    public var detail: String

    public init(_ code: String, path: String? = nil, _ detail: String) {
        self.code = code
        self.path = path
        self.detail = detail
    }

    public var description: String { path.map { "\(code) at \($0): \(detail)" } ?? "\(code): \(detail)" }
}

/// Why a medium yields no volume at all.
public enum VolumeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No partition table or boot sector the readers recognise.
    case noVolume(String)
    /// The medium's geometry makes no sense (block size, block count).
    case badMedium(String)

    public var description: String {
        switch self {
        case .noVolume(let why): "no FAT or exFAT volume: \(why)"
        case .badMedium(let why): "medium unusable: \(why)"
        }
    }
}
