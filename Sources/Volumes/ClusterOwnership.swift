/// Which clusters some file, directory or system structure has already claimed (FAT and exFAT
/// alike), so a cluster
/// claimed twice (cross-linked chains, a chain running into itself, a directory inside itself)
/// is seen the second time. Kept as 8 KiB pages of bits made only where clusters are claimed:
/// memory follows what the volume uses, not what its boot sector claims.
struct ClusterOwnership: Sendable {
    private static let pageShift: UInt64 = 16
    private static let wordsPerPage = (1 << 16) / 64
    private var pages: [UInt64: [UInt64]] = [:]

    /// Claims `cluster`; false when it already was.
    mutating func claim(_ cluster: UInt32) -> Bool { claim(first: cluster, count: 1) == 1 }

    /// Claims `count` clusters from `first`, stopping at the first one already claimed.
    /// Returns how many were claimed (== count when none was taken before).
    mutating func claim(first: UInt32, count: UInt64) -> UInt64 {
        var cluster = UInt64(first)
        let end = cluster + count
        while cluster < end {
            let page = cluster >> Self.pageShift
            let bitInPage = Int(cluster & ((1 << Self.pageShift) - 1))
            let word = bitInPage / 64, bit = bitInPage % 64
            let span = min(UInt64(64 - bit), end - cluster)
            let mask: UInt64 = (span == 64 ? ~0 : ((1 << span) - 1)) << UInt64(bit)
            if pages[page] == nil { pages[page] = [UInt64](repeating: 0, count: Self.wordsPerPage) }
            // Mutated through the dictionary's subscript in place: a copy of the page per
            // cluster would cost 8 KiB each.
            let taken = pages[page]![word] & mask
            if taken != 0 {
                // Claim up to the first taken bit, and report where the run stopped.
                let firstTaken = UInt64(taken.trailingZeroBitCount)
                let free = firstTaken - UInt64(bit)
                if free > 0 { pages[page]![word] |= ((1 << free) - 1) << UInt64(bit) }
                return cluster - UInt64(first) + free
            }
            pages[page]![word] |= mask
            cluster += span
        }
        return count
    }
}
