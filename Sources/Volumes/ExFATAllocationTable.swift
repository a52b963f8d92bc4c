/// The active FAT (§4), read in windows of `windowEntries` entries and kept in a few of them, so
/// following chains costs one large read per window rather than one per cluster, and memory
/// stays bounded however large the FAT.
final class ExFATAllocationTable {
    static let endOfChain: UInt32 = 0xFFFF_FFFF
    static let badCluster: UInt32 = 0xFFFF_FFF7
    /// 1 MiB of entries per read.
    static let windowEntries: UInt64 = 1 << 18
    static let windowsKept = 8

    private let medium: ExFATMedium
    private let byteOffset: UInt64
    /// Entries in the FAT: the cluster count plus the two reserved ones.
    private let entryCount: UInt64
    private var windows: [UInt64: [UInt32]] = [:]
    private var recent: [UInt64] = []

    /// The FAT at `byteOffset` from the volume's start, holding `entryCount` entries; the caller
    /// has checked that they lie on the medium.
    init(medium: ExFATMedium, byteOffset: UInt64, entryCount: UInt64) {
        self.medium = medium
        self.byteOffset = byteOffset
        self.entryCount = entryCount
    }

    /// The FAT entry of `cluster` (2 ≤ cluster < entryCount, checked by the caller).
    func entry(_ cluster: UInt32) async throws -> UInt32 {
        let window = UInt64(cluster) / Self.windowEntries
        let slot = Int(UInt64(cluster) % Self.windowEntries)
        if let entries = windows[window] {
            if recent.last != window {
                recent.removeAll { $0 == window }
                recent.append(window)
            }
            return entries[slot]
        }
        let first = window * Self.windowEntries
        let count = min(Self.windowEntries, entryCount - first)
        let bytes = try await medium.read(at: byteOffset + first * 4, count: Int(count * 4))
        let entries = (0..<Int(count)).map { ExFATLE.u32(bytes, $0 * 4) }
        if windows.count >= Self.windowsKept, let oldest = recent.first {
            windows[oldest] = nil
            recent.removeFirst()
        }
        windows[window] = entries
        recent.append(window)
        return entries[slot]
    }
}
