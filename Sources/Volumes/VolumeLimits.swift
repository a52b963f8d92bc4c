/// Bounds on what a volume may make the readers do, so a hostile or damaged volume costs bounded
/// time and memory. Hitting one is an anomaly ("depth-limit", "entry-limit", "file-limit"), and
/// what was read up to it is kept. Also the one reading rule a FAT volume cannot state itself:
/// the code page of its 8.3 names.
public struct VolumeLimits: Hashable, Sendable {
    /// Directory nesting below the root.
    public var maxDepth: Int = 32
    /// Directory entries (32-byte slots) read from one directory.
    public var maxEntriesPerDirectory: Int = 65_536
    /// Files listed from one volume.
    public var maxFiles: Int = 100_000
    /// Partitions looked at in one table (GPT may claim thousands).
    public var maxPartitions: Int = 128
    /// The OEM code page of FAT 8.3 names and labels (exFAT's are UTF-16). A name that is not
    /// text in it is shown in code page 437 with a "short-name-code-page" anomaly.
    public var shortNameCodePage: ShortNameCodePage = .cp437

    public init() {}
}
