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

    @Test func theSecondByteOfAFAT16Entry() async throws {
        let d = try #require(try await Self.compare(.fat16, width: 2, changing: 7 * 2 + 1))
        #expect(d.firstCluster == 7 && d.firstByte == 15)
    }
}
