@testable import Volumes
import Testing

/// The comparison's own arithmetic, on two in-memory copies: the first differing byte is named
/// exactly for every entry width.
@Suite struct FATCopyComparisonTests {
    static func compare(_ type: VolumeIdentity.FileSystem, width: Int, changing offset: Int) async throws -> FATCopyComparison.Difference? {
        let entries = 64
        let followed = [UInt8](repeating: 0, count: entries * width)
        var compared = followed
        compared[offset] = 0x5A
        let comparison = FATCopyComparison(
            followed: { at, count in Array(followed[Int(at) ..< Int(at) + count]) },
            compared: { at, count in Array(compared[Int(at) ..< Int(at) + count]) },
            type: type, lastCluster: UInt32(entries - 1), fatBytes: UInt64(followed.count))
        return try await comparison.compare(copy: 1)
    }

    /// A 32-bit entry (FAT32, exFAT) that differs in its last byte: that byte is named, not the
    /// entry's first (exFAT's entries were taken as two bytes wide).
    @Test(arguments: [VolumeIdentity.FileSystem.fat32, .exfat])
    func theLastByteOfAWideEntry(type: VolumeIdentity.FileSystem) async throws {
        let d = try #require(try await Self.compare(type, width: 4, changing: 10 * 4 + 3))
        #expect(d.firstCluster == 10 && d.lastCluster == 10 && d.entries == 1)
        #expect(d.firstByte == 43)
    }

    /// A FAT32 cluster entry that differs only in its reserved top 4 bits links the same cluster:
    /// no difference (a chain through it is not disputed). exFAT's entries are 32 bits whole.
    @Test func aFAT32EntrysReservedTopBitsDisputeNoLink() async throws {
        #expect(try await Self.compare(.fat32) { $0[10 * 4 + 3] = 0xF0 } == nil)
        let d = try #require(try await Self.compare(.exfat) { $0[10 * 4 + 3] = 0xF0 })
        #expect(d.firstCluster == 10 && d.entries == 1)
    }

    @Test func theSecondByteOfAFAT16Entry() async throws {
        let d = try #require(try await Self.compare(.fat16, width: 2, changing: 7 * 2 + 1))
        #expect(d.firstCluster == 7 && d.firstByte == 15)
    }

    /// Two copies of `entries` entries, FAT #1 as mkfs.vfat starts one (entry 0 the media
    /// entry, entry 1 all ones, the rest free), FAT #2 the same with `patch` applied to its
    /// bytes; `slack` bytes follow the last entry in both.
    static func compare(_ type: VolumeIdentity.FileSystem, entries: Int = 64, slack: Int = 0,
                        patch: (inout [UInt8]) -> Void) async throws -> FATCopyComparison.Difference? {
        let head: [UInt8] = switch type {
        case .fat12: [0xF8, 0xFF, 0xFF]
        case .fat16: [0xF8, 0xFF, 0xFF, 0xFF]
        case .fat32: [0xF8, 0xFF, 0xFF, 0x0F, 0xFF, 0xFF, 0xFF, 0x0F]
        default: [0xF8, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        }
        let bytes = switch type {
        case .fat12: (entries * 3 + 1) / 2
        case .fat16: entries * 2
        default: entries * 4
        }
        let first = head + [UInt8](repeating: 0, count: bytes - head.count + slack)
        var patched = first
        patch(&patched)
        let second = patched
        let comparison = FATCopyComparison(
            followed: { at, count in Array(first[Int(at) ..< Int(at) + count]) },
            compared: { at, count in Array(second[Int(at) ..< Int(at) + count]) },
            type: type, lastCluster: UInt32(entries - 1), fatBytes: UInt64(first.count))
        return try await comparison.compare(copy: 1)
    }

    /// FAT16's entry 1 with the clean-shutdown flag cleared in FAT #2 only: a difference, though
    /// no cluster's link differs, naming the entry, both values and the flag.
    @Test func theCleanShutdownFlagOfFAT16() async throws {
        let d = try #require(try await Self.compare(.fat16) { $0[3] &= 0x7F })
        #expect(d.entries == 0 && d.runs.isEmpty)
        #expect(d.reserved == [.init(index: 1, followed: 0xFFFF, compared: 0x7FFF)])
        #expect(d.reservedText(followed: "FAT #1", compared: "FAT #2")
                == "reserved entry 1 (FAT #1 0xFFFF, FAT #2 0x7FFF: FAT #2 records an unclean shutdown (bit 0x8000 clear), FAT #1 does not)")
        #expect(!d.touches(first: 0, count: 2))
    }

    /// FAT32's hard-error flag (bit 26) cleared in the compared copy only: that copy records a hard
    /// error, and the text says so (naming the flag "set" in FAT #1 read backwards).
    @Test func theHardErrorFlagOfFAT32() async throws {
        let d = try #require(try await Self.compare(.fat32) { $0[7] = 0x0B })
        #expect(d.entries == 0)
        #expect(d.reservedText(followed: "FAT #1", compared: "FAT #3")
                == "reserved entry 1 (FAT #1 0x0FFFFFFF, FAT #3 0x0BFFFFFF: FAT #3 records a hard error (bit 0x04000000 clear), FAT #1 does not)")
    }

    /// Entry 0 (the media entry) of a FAT12 copy, whose 12 bits share a byte with entry 1, and
    /// of an exFAT copy; with a cluster entry differing too, both are kept.
    @Test func theMediaEntryAndAClusterEntry() async throws {
        let twelve = try #require(try await Self.compare(.fat12) { $0[0] = 0xF0 })
        #expect(twelve.reserved == [.init(index: 0, followed: 0xFF8, compared: 0xFF0)] && twelve.entries == 0)
        #expect(twelve.reservedText(followed: "FAT #1", compared: "FAT #2") == "reserved entry 0 (the media entry: FAT #1 0xFF8, FAT #2 0xFF0)")
        let exfat = try #require(try await Self.compare(.exfat) { $0[0] = 0xF0; $0[4] = 0; $0[9 * 4] = 7 })
        #expect(exfat.entries == 1 && exfat.firstCluster == 9)
        #expect(exfat.reservedText(followed: "FAT #2", compared: "FAT #1")
                == "reserved entries 0 (the media entry: FAT #2 0xFFFFFFF8, FAT #1 0xFFFFFFF0) and 1 (FAT #2 0xFFFFFFFF, FAT #1 0xFFFFFF00)")
    }

    /// Bytes past the last cluster's entry (the FAT's slack) describe no cluster: not compared.
    @Test func theSlackIsNotCompared() async throws {
        #expect(try await Self.compare(.fat16, slack: 16) { $0[64 * 2 + 3] = 0x5A } == nil)
        #expect(try await Self.compare(.fat16, slack: 16) { $0[63 * 2] = 0x5A }?.firstCluster == 63)
    }
}
