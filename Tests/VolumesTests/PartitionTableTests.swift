import Foundation
import Testing
import TestSupport
@testable import Volumes

/// Partition tables as sfdisk writes them, damaged: the GPT's checksums send the reader to the
/// backup header; hopeless media are refused with a `VolumeError`.
@Suite struct PartitionTableTests {
    static func gpt(_ body: (PatchedBlockSource) async throws -> Void) async throws {
        try await withTemporaryDirectory("volumes-gpt") { directory in
            let image = try TestImage.make("gpt", in: directory)
            try await body(PatchedBlockSource([UInt8](try Data(contentsOf: image.url))))
        }
    }

    @Test func damagedPrimaryHeaderUsesTheBackup() async throws {
        try await Self.gpt { clean in
            var source = clean
            source[512 + 60] ^= 0xFF   // inside the disk GUID: the header's CRC32 no longer holds
            let listings = try await Medium.volumes(on: source)
            #expect(listings.map(\.volume.partitionNumber) == [1, 2])
            #expect(listings.map(\.volume.fileSystem) == [.fat16, .fat32])
            for listing in listings {
                #expect(listing.anomalies.contains { $0.code == "bad-partition-table" && $0.detail.contains("primary GPT header") })
                #expect(listing.anomalies.contains { $0.detail.contains("backup GPT is used") })
            }
        }
    }

    @Test func damagedPrimaryEntriesUseTheBackup() async throws {
        try await Self.gpt { clean in
            var source = clean
            source[1024 + 56] ^= 0x01  // the first entry's name: the entries' CRC32 no longer holds
            let listings = try await Medium.volumes(on: source)
            #expect(listings.count == 2)
            #expect(listings[0].anomalies.contains { $0.detail.contains("primary GPT entries") })
        }
    }

    @Test func bothHeadersDamagedIsNoVolume() async throws {
        try await Self.gpt { clean in
            var source = clean
            source[512 + 60] ^= 0xFF
            source[clean.base.count - 512 + 60] ^= 0xFF
            await #expect(throws: VolumeError.self) { try await Medium.volumes(on: source) }
        }
    }

    @Test func unusableMedia() async throws {
        struct Odd: BlockSource {
            var blockSize: Int
            var blockCount: UInt64
            func read(block: UInt64, count: Int) async throws -> [UInt8] { [UInt8](repeating: 0, count: count * blockSize) }
        }
        await #expect(throws: VolumeError.badMedium("block size 100 (expected 512…4096, a power of two)")) {
            try await Medium.volumes(on: Odd(blockSize: 100, blockCount: 10))
        }
        await #expect(throws: VolumeError.badMedium("no blocks")) { try await Medium.volumes(on: Odd(blockSize: 512, blockCount: 0)) }
        await #expect(throws: VolumeError.noVolume("block 0 is neither a partition table nor a boot sector")) {
            try await Medium.volumes(on: Odd(blockSize: 512, blockCount: 2048))
        }
    }

    /// Extended boot records that link back to themselves end the walk.
    @Test func loopingExtendedPartitionsEnd() async throws {
        var source = PatchedBlockSource([UInt8](repeating: 0, count: 8 * 512))
        source[510] = 0x55; source[511] = 0xAA
        source[446 + 4] = 0x05; source.setU32(446 + 8, 1); source.setU32(446 + 12, 7)
        for ebr in [1, 2] {
            let at = ebr * 512
            source[at + 510] = 0x55; source[at + 511] = 0xAA
            source[at + 446 + 16 + 4] = 0x05
            source.setU32(at + 446 + 16 + 8, 1)   // both link to block 1 + 1 = 2
            source.setU32(at + 446 + 16 + 12, 1)
        }
        do {
            _ = try await Medium.volumes(on: source)
            Issue.record("a medium without a file system was read")
        } catch let error as VolumeError {
            #expect(error.description.contains("loops"))
        }
    }
}
