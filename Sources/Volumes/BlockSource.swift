/// Where a medium's bytes come from, in logical blocks: a mass-storage recorder over SCSI, an
/// image file in tests. The volume readers do no I/O of their own; they ask a `BlockSource`.
public protocol BlockSource: Sendable {
    /// Bytes per logical block (512 or 4096 on real media).
    var blockSize: Int { get }
    /// Logical blocks on the medium.
    var blockCount: UInt64 { get }

    /// `count` blocks starting at `block`. The readers never ask past `blockCount`.
    ///
    /// Errors are the source's own (a transport failure, a MEDIUM ERROR); the readers pass
    /// them up unchanged, so the caller can tell a lost link from a damaged volume.
    func read(block: UInt64, count: Int) async throws -> [UInt8]
}
