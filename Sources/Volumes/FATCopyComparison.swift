#if canImport(Glibc)
import Glibc
#endif

/// How one FAT copy compares with the copy the reader follows: a mirrored FAT12/16/32 copy with
/// FAT #1, or a TexFAT volume's inactive FAT with its active one.
///
/// The copies are read side by side in 1 MiB chunks, never whole (for FAT12/16/32, FAT #1's
/// chunks come through the `FATTable` that the walk then follows, so a FAT of up to 16 MiB is
/// read once in all). Each copy is read once whatever the FAT's size (a FAT32 FAT of a large
/// card is tens of MiB, at most 1 GiB), so time follows the volume's geometry and memory stays
/// at one chunk of each. Compared: the reserved entries 0 (the media entry) and 1 (FAT16's and
/// FAT32's clean-shutdown and hard-error flags), as fsck.fat compares them, and the entries of
/// the clusters that are on the medium (2…last usable cluster). The reserved entries are not
/// links: a difference there is kept apart (`reserved`) and names no file. Bytes of a FAT past
/// the last cluster's entry (its slack, up to the end of its last sector) are not compared:
/// no cluster is described there.
struct FATCopyComparison {
    /// A reserved entry (0 or 1) that differs: its value in each copy, whole (a FAT12 entry's
    /// 12 bits, a FAT16 entry's 16, a FAT32 or exFAT entry's 32).
    struct ReservedEntry: Equatable {
        let index: Int
        let followed: UInt32
        let compared: UInt32
    }

    /// Where FAT copy `copy` (0-based) differs from the followed copy.
    struct Difference {
        let copy: Int
        /// The FAT's kind, for the width and meaning of its entries.
        let type: VolumeIdentity.FileSystem
        /// Reserved entries (0, 1) that differ, ascending. With `entries == 0` these are the
        /// only difference: no cluster's link differs.
        var reserved: [ReservedEntry] = []
        /// Cluster entries that differ.
        var entries: UInt64 = 0
        var firstCluster: UInt32 = 0
        var lastCluster: UInt32 = 0
        /// Byte of the FAT (from its start, the same in every copy) where the two first differ.
        var firstByte: UInt64 = 0
        /// The differing clusters as coalesced runs, ascending, at most `maxRuns`.
        var runs: [(first: UInt32, count: UInt32)] = []
        /// False when there were more runs than `maxRuns` (the later ones are counted, not kept).
        var runsComplete = true
        /// Whether each copy's entry 0 carries the media byte with every other bit set, the
        /// test fsck.fat uses to call a FAT intact.
        var followedIntact = true
        var comparedIntact = true

        /// Whether any cluster of `first`…`first + count - 1` is in a kept run.
        func touches(first: UInt32, count: UInt32) -> Bool {
            guard count > 0 else { return false }
            let last = UInt64(first) + UInt64(count) - 1
            // The first kept run that does not end before `first`.
            var low = 0, high = runs.count
            while low < high {
                let mid = (low + high) / 2
                if UInt64(runs[mid].first) + UInt64(runs[mid].count) <= UInt64(first) { low = mid + 1 } else { high = mid }
            }
            return low < runs.count && UInt64(runs[low].first) <= last
        }
    }

    /// Bytes of each copy read at once: the table's chunk. A FAT32 or FAT16 chunk starts on an
    /// entry; a FAT12 FAT's entries (at most 4086 × 1.5 bytes) always fit in the first chunk.
    static let chunkBytes = FATTable.chunkSize
    /// FAT copies compared at most, FAT #1 included (a hostile boot sector may claim 255).
    static let maxCopies = 4
    /// Differing runs kept to name the files and directories they touch.
    static let maxRuns = 256

    /// `count` bytes (or more) of the followed copy from FAT byte `at`; `at` is a multiple of
    /// `chunkBytes`.
    let followed: (_ at: UInt64, _ count: Int) async throws -> [UInt8]
    /// Exactly `count` bytes of the compared copy from FAT byte `at`.
    let compared: (_ at: UInt64, _ count: Int) async throws -> [UInt8]
    /// FAT12, FAT16, FAT32, or exFAT (32-bit entries, compared whole).
    let type: VolumeIdentity.FileSystem
    /// Highest cluster number whose entry is compared (the last usable cluster).
    let lastCluster: UInt32
    /// Bytes per FAT copy.
    let fatBytes: UInt64

    /// Compares the two copies; `copy` names the compared one in the result. Nil when every
    /// compared entry (reserved or cluster) agrees.
    func compare(copy: Int) async throws -> Difference? {
        let end = min(entriesEnd, fatBytes)
        var difference = Difference(copy: copy, type: type)
        var at: UInt64 = 0
        while at < end {
            let count = Int(min(UInt64(Self.chunkBytes), end - at))
            let mine = try await followed(at, count)
            let theirs = try await compared(at, count)
            if at == 0 {
                difference.followedIntact = intact(mine)
                difference.comparedIntact = intact(theirs)
                for index in 0 ..< 2 {
                    guard let (_, a) = entry(UInt32(index), in: mine, chunkStart: 0),
                          let (_, b) = entry(UInt32(index), in: theirs, chunkStart: 0), a != b else { continue }
                    difference.reserved.append(ReservedEntry(index: index, followed: a, compared: b))
                }
            }
            if !Self.same(mine, theirs) { record(mine, theirs, chunkStart: at, into: &difference) }
            at += UInt64(count)
        }
        return difference.entries > 0 || !difference.reserved.isEmpty ? difference : nil
    }

    /// One byte past the last compared entry's bytes.
    private var entriesEnd: UInt64 {
        let entries = UInt64(lastCluster) + 1
        return switch type {
        case .fat12: (entries * 3 + 1) / 2
        case .fat16: entries * 2
        default: entries * 4
        }
    }

    /// Notes every differing cluster entry of one chunk (none when the only differences were in
    /// the reserved entries or in bytes past the last compared entry).
    private func record(_ mine: [UInt8], _ theirs: [UInt8], chunkStart: UInt64, into difference: inout Difference) {
        var cluster = UInt64(firstEntry(at: chunkStart))
        while cluster <= UInt64(lastCluster) {
            guard let (byte, a) = entry(UInt32(cluster), in: mine, chunkStart: chunkStart),
                  let (_, b) = entry(UInt32(cluster), in: theirs, chunkStart: chunkStart) else { break }
            if cluster >= 2, a != b {
                let c = UInt32(cluster)
                if difference.entries == 0 {
                    difference.firstCluster = c
                    // The entry's first byte that differs (a FAT12 entry shares a byte).
                    let width = type == .fat12 || type == .fat16 ? 2 : 4
                    let skew = (0 ..< width).first { mine[byte + $0] != theirs[byte + $0] } ?? 0
                    difference.firstByte = chunkStart + UInt64(byte + skew)
                }
                difference.entries += 1
                difference.lastCluster = c
                if let last = difference.runs.last, UInt64(last.first) + UInt64(last.count) == cluster {
                    difference.runs[difference.runs.count - 1].count += 1
                } else if difference.runs.count < Self.maxRuns {
                    difference.runs.append((c, 1))
                } else {
                    difference.runsComplete = false
                }
            }
            cluster += 1
        }
    }

    /// The first entry whose bytes start in a chunk starting at `chunkStart` (chunks start on
    /// entry boundaries: see `chunkBytes`).
    private func firstEntry(at chunkStart: UInt64) -> UInt32 {
        switch type {
        case .fat12: UInt32(chunkStart * 2 / 3)
        case .fat16: UInt32(chunkStart / 2)
        default: UInt32(chunkStart / 4)
        }
    }

    /// Cluster `cluster`'s entry in `chunk` (and the byte of the chunk where it starts), nil
    /// when its bytes are not all in the chunk.
    private func entry(_ cluster: UInt32, in chunk: [UInt8], chunkStart: UInt64) -> (Int, UInt32)? {
        let at: UInt64 = switch type {
        case .fat12: UInt64(cluster) + UInt64(cluster / 2)
        case .fat16: UInt64(cluster) * 2
        default: UInt64(cluster) * 4
        }
        let index = Int(at - chunkStart)
        switch type {
        case .fat12:
            guard index + 2 <= chunk.count else { return nil }
            let pair = UInt32(chunk.u16(index))
            return (index, cluster & 1 == 1 ? pair >> 4 : pair & 0x0FFF)
        case .fat16:
            guard index + 2 <= chunk.count else { return nil }
            return (index, UInt32(chunk.u16(index)))
        default:
            guard index + 4 <= chunk.count else { return nil }
            // A FAT32 link is the low 28 bits (as `FATTable` follows it): the top 4 are reserved,
            // and a difference only there disputes no chain. exFAT's entries are 32 bits whole.
            // Entries 0 and 1 are compared whole elsewhere (`reserved`).
            return (index, type == .fat32 && cluster >= 2 ? chunk.u32(index) & 0x0FFF_FFFF : chunk.u32(index))
        }
    }

    /// fsck.fat's test of a FAT: entry 0 is the media byte with every higher bit of the entry set.
    private func intact(_ chunk: [UInt8]) -> Bool {
        switch type {
        case .fat12: chunk.count >= 2 && UInt32(chunk.u16(0)) & 0x0F00 == 0x0F00
        case .fat16: chunk.count >= 2 && UInt32(chunk.u16(0)) & 0xFF00 == 0xFF00
        default: chunk.count >= 4 && chunk.u32(0) & 0x0FFF_FF00 == 0x0FFF_FF00
        }
    }

    /// Whether `a` begins with `b`'s bytes (a table chunk may run past the compared entries), at
    /// memcmp's speed: the chunks are large and the FAT is compared on every listing.
    private static func same(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count >= b.count else { return false }
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in memcmp(x.baseAddress!, y.baseAddress!, y.count) == 0 } }
    }
}

extension FATCopyComparison.Difference {
    /// The differing reserved entries as text, or nil when none differs: each entry's number,
    /// both copies' values in hex at the entry's width, and for FAT16's and FAT32's entry 1
    /// which copy records what a cleared flag means, e.g. "reserved entry 1 (FAT #1 0xFFFF,
    /// FAT #2 0x7FFF: FAT #2 records an unclean shutdown (bit 0x8000 clear), FAT #1 does not)".
    func reservedText(followed: String, compared: String) -> String? {
        guard !reserved.isEmpty else { return nil }
        let digits = switch type {
        case .fat12: 3
        case .fat16: 4
        default: 8
        }
        func hex(_ value: UInt32) -> String {
            let text = String(value, radix: 16, uppercase: true)
            return "0x" + String(repeating: "0", count: max(0, digits - text.count)) + text
        }
        // Entry 1's flags: set means clean / no error (Microsoft's FAT specification, §4.2), so
        // the copy with a flag clear is the one that records something; named by what it records,
        // not by the flag's name, which reads backwards for the hard-error bit.
        let flags: [(mask: UInt32, records: String)] = switch type {
        case .fat16: [(0x8000, "an unclean shutdown"), (0x4000, "a hard error")]
        case .fat32: [(0x0800_0000, "an unclean shutdown"), (0x0400_0000, "a hard error")]
        default: []
        }
        let parts = reserved.map { entry -> String in
            var text = "\(entry.index) (\(entry.index == 0 ? "the media entry: " : "")\(followed) \(hex(entry.followed)), "
                + "\(compared) \(hex(entry.compared))"
            if entry.index == 1 {
                let changed = entry.followed ^ entry.compared
                let named = flags.filter { changed & $0.mask != 0 }.map { flag in
                    let setIn = entry.followed & flag.mask != 0 ? followed : compared
                    let clearIn = setIn == followed ? compared : followed
                    return "\(clearIn) records \(flag.records) (bit \(hex(flag.mask)) clear), \(setIn) does not"
                }
                if !named.isEmpty { text += ": " + named.joined(separator: "; ") }
            }
            return text + ")"
        }
        return "reserved entr\(parts.count == 1 ? "y" : "ies") " + parts.joined(separator: " and ")
    }
}
