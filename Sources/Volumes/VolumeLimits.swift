/// Bounds on what a volume may make the readers do, so a hostile or damaged volume costs bounded
/// time and memory. Hitting one is an anomaly ("depth-limit", "entry-limit", "file-limit"), and
/// what was read up to it is kept.
public struct VolumeLimits: Hashable, Sendable {
    /// Directory nesting below the root.
    public var maxDepth: Int = 32
    /// Directory entries (32-byte slots) read from one directory.
    public var maxEntriesPerDirectory: Int = 65_536
    /// Files listed from one volume.
    public var maxFiles: Int = 100_000
    /// Partitions looked at in one table (GPT may claim thousands).
    public var maxPartitions: Int = 128

    public init() {}
}
