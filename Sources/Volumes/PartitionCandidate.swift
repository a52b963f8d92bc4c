/// A region of the medium that may hold a volume: a partition table's entry, or the whole
/// medium when there is no table.
struct PartitionCandidate: Sendable, Equatable {
    var scheme: VolumeIdentity.PartitionScheme
    /// 1-based number in its table; nil for `.none`.
    var number: Int?
    /// First byte on the medium.
    var offset: UInt64
    /// Bytes, bounded by the medium.
    var length: UInt64
}

/// What a partition table gave: the regions to try and what was wrong with the table.
struct PartitionScan: Sendable {
    var candidates: [PartitionCandidate] = []
    var anomalies: [VolumeAnomaly] = []
}
