/// A recorder that can say where its bytes come from: the medium it reads (disk and volumes)
/// and, per catalog entry, the runs of that medium a file is read from, so that an examiner can
/// find the file again in an image of the medium with standard tools (`dd`, `icat`).
///
/// Optional: a family whose device serves files over its own protocol (protocol v1) has no
/// medium to describe and does not conform; its custody records carry no `source` and no
/// per-file `extents`. The dock asks with `recorder as? any SourceProvenance`.
///
/// Every value is read from the recorder's storage and is as untrusted as the catalog.
public protocol SourceProvenance: Recorder {
    /// The medium as the latest `catalog()` read it. Nil when it could not be described.
    func sourceMedium() async -> SourceMedium?

    /// Where recording `id` of the latest `catalog()` is read from: its runs in file order
    /// (`read` reads exactly these, in this order, trimmed to the file's size). Nil when the
    /// catalog does not hold `id`. An empty array is a file with no bytes on the medium.
    func sourceExtents(of id: UInt32) -> [SourceExtent]?

    /// The index into `sourceMedium().volumes` of the volume recording `id` of the latest
    /// `catalog()` lies on; nil when the catalog does not hold `id`. The dock seals one bag per
    /// volume of a medium with several (`SourceMedium.Volume.key`).
    func sourceVolume(of id: UInt32) -> Int?
}

/// The medium a recorder's files are read from: the disk as it identified itself and every
/// volume on it whose files are in the catalog.
public struct SourceMedium: Codable, Hashable, Sendable {
    /// The disk, when the family reads a block device (mass storage).
    public var disk: Disk?
    /// The volumes, in the order `SourceExtent.volume` indexes them.
    public var volumes: [Volume]

    public init(disk: Disk?, volumes: [Volume]) {
        self.disk = disk
        self.volumes = volumes
    }

    /// A block device as it identified itself (SCSI INQUIRY and READ CAPACITY).
    public struct Disk: Codable, Hashable, Sendable {
        /// INQUIRY vendor, product and revision, printable ASCII, trimmed.
        public var vendor: String
        public var product: String
        public var revision: String
        /// Bytes per logical block.
        public var blockSize: UInt32
        /// Logical blocks on the medium.
        public var blockCount: UInt64

        public init(vendor: String, product: String, revision: String, blockSize: UInt32, blockCount: UInt64) {
            self.vendor = vendor
            self.product = product
            self.revision = revision
            self.blockSize = blockSize
            self.blockCount = blockCount
        }
    }

    /// One file system on the medium.
    public struct Volume: Codable, Hashable, Sendable {
        /// `FAT12`, `FAT16`, `FAT32`, `exFAT`.
        public var fileSystem: String
        /// The volume label, nil when it has none.
        public var label: String?
        /// The volume serial number, 8 upper-case hex digits.
        public var serial: String
        /// `MBR`, `GPT`, or `none` (no partition table: the volume starts at block 0).
        public var partitionScheme: String
        /// 1-based number in the partition table; nil for `none`.
        public var partitionNumber: Int?
        /// The volume's first logical block on the medium, and its length in blocks (the disk's
        /// `blockSize`).
        public var startBlock: UInt64
        public var blocks: UInt64
        public var bytesPerSector: Int
        public var bytesPerCluster: Int
        /// Clusters in the data area.
        public var clusterCount: UInt32

        public init(fileSystem: String, label: String?, serial: String, partitionScheme: String, partitionNumber: Int?,
                    startBlock: UInt64, blocks: UInt64, bytesPerSector: Int, bytesPerCluster: Int, clusterCount: UInt32) {
            self.fileSystem = fileSystem
            self.label = label
            self.serial = serial
            self.partitionScheme = partitionScheme
            self.partitionNumber = partitionNumber
            self.startBlock = startBlock
            self.blocks = blocks
            self.bytesPerSector = bytesPerSector
            self.bytesPerCluster = bytesPerCluster
            self.clusterCount = clusterCount
        }

        /// What makes this volume the same one at the next dock, for a medium with several:
        /// `SCHEME-NUMBER@START:SERIAL` (`MBR-2@206848:2222ABCD`; `none` and `0` without a
        /// partition table). A dock seals one bag per volume, and an interrupted dock's session
        /// of a volume is continued only by a later dock that finds a volume with the same key:
        /// a card repartitioned or reformatted since gives other keys, so its volumes are never
        /// mixed into one bag.
        public var key: String {
            "\(partitionScheme)-\(partitionNumber ?? 0)@\(startBlock):\(serial)"
        }
    }

    /// The medium with only its volume keyed `key` (the same disk), and that volume's index
    /// here; nil when no volume has the key. The custody record of one volume's bag describes
    /// that volume only.
    public func restricted(toVolume key: String) -> (index: Int, medium: SourceMedium)? {
        guard let index = volumes.firstIndex(where: { $0.key == key }) else { return nil }
        return (index, SourceMedium(disk: disk, volumes: [volumes[index]]))
    }
}

/// A run of a file on the medium: `length` consecutive bytes of the file starting at the
/// absolute byte `offset` of the medium (not of the volume), in `clusterCount` contiguous
/// clusters from `firstCluster` of volume `volume`. `dd if=IMAGE iflag=skip_bytes,count_bytes
/// skip=OFFSET count=LENGTH` of every run, in order, is the file.
public struct SourceExtent: Codable, Hashable, Sendable {
    /// Index into `SourceMedium.volumes`.
    public var volume: Int
    /// Cluster numbers as the file system counts them (from 2).
    public var firstCluster: UInt32
    public var clusterCount: UInt32
    public var offset: UInt64
    public var length: UInt64

    public init(volume: Int, firstCluster: UInt32, clusterCount: UInt32, offset: UInt64, length: UInt64) {
        self.volume = volume
        self.firstCluster = firstCluster
        self.clusterCount = clusterCount
        self.offset = offset
        self.length = length
    }
}
