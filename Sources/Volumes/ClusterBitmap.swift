/// One bit per cluster of a volume: which clusters a file or directory has already claimed, so
/// that loops, cross-links and directory cycles are found in one pass with bounded memory
/// (clusterCount / 8 bytes).
struct ClusterBitmap {
    private var words: [UInt64]

    init(clusters: UInt32) {
        words = Array(repeating: 0, count: Int((UInt64(clusters) + 2 + 63) / 64))
    }

    /// Marks `cluster` as claimed; false when it already was. `cluster` must be in range.
    mutating func claim(_ cluster: UInt32) -> Bool {
        let word = Int(cluster >> 6), bit = UInt64(1) << UInt64(cluster & 63)
        if words[word] & bit != 0 { return false }
        words[word] |= bit
        return true
    }
}
