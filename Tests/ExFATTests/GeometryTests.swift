import Foundation
import TestSupport
import Testing
import Volumes

/// The same real volume seen through different media: inside a partition, on 4096-byte blocks,
/// and how many requests listing it costs.
@Suite struct GeometryTests {
    @Test func aVolumeInsideAPartitionOrOnLargeBlocksListsTheSameFiles() async throws {
        try await withTemporaryDirectory("exfat-geometry") { directory in
            let path = try makeExFATImage("files", in: directory)
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            let plain = try await listing(PatchedImage(bytes: bytes))

            // 1 MiB in, as an MBR's first partition would be: the same files, every extent 1 MiB
            // further on the medium, the identity saying where the volume is.
            let start = 1 << 20
            let shifted = PatchedImage(bytes: [UInt8](repeating: 0, count: start) + bytes + [UInt8](repeating: 0, count: 4096))
            let inside = try await ExFATVolume.read(source: shifted, offset: UInt64(start), length: UInt64(bytes.count),
                                                    scheme: .mbr, partitionNumber: 1, limits: VolumeLimits())
            #expect(inside.anomalies == [])
            #expect(inside.volume.offset == UInt64(start) && inside.volume.partitionNumber == 1)
            #expect(inside.files.map(\.pathString) == plain.files.map(\.pathString))
            for (a, b) in zip(inside.files, plain.files) {
                #expect(a.extents.map(\.offset) == b.extents.map { $0.offset + UInt64(start) }, "\(a.pathString)")
                #expect(a.extents.map(\.length) == b.extents.map(\.length))
            }

            // A medium of 4096-byte blocks: reads no longer line up with sectors; same result.
            let large = try FileBlockSource(path: path, blockSize: 4096)
            let onLarge = try await listing(large)
            #expect(onLarge.files == plain.files)
            #expect(onLarge.anomalies == [])

            // A medium that ends halfway through the volume (the partition claims it all): read
            // to the medium's end, files past it named out of range, no request past it (the
            // source's precondition).
            let cut = try await ExFATVolume.read(source: PatchedImage(bytes: Array(bytes.prefix(bytes.count / 2))), offset: 0,
                                                 length: UInt64(bytes.count), scheme: .none, partitionNumber: nil,
                                                 limits: VolumeLimits())
            #expect(cut.anomalies.first?.code == "volume-truncated")
            #expect(cut.files.allSatisfy { $0.extents.allSatisfy { $0.offset + $0.length <= UInt64(bytes.count / 2) } })
            #expect(cut.files.contains { !$0.complete })
        }
    }

    /// FAT, bitmap and directories come in large requests: the 64 KiB FAT in one, the bitmap in
    /// one, each directory run in one, never a sector at a time.
    @Test func listingReadsEachStructureInOneRequest() async throws {
        try await withTemporaryDirectory("exfat-reads") { directory in
            let path = try makeExFATImage("files", in: directory)
            let image = PatchedImage(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            let map = ImageMap(image)
            let counting = CountingSource(image)
            let result = try await listing(counting)
            #expect(result.anomalies == [])
            let reads = counting.requests
            let fatBlocks = UInt64(map.fatOffset / 512)..<UInt64((map.fatOffset + (Int(map.clusterCount) + 2) * 4 + 511) / 512)
            let fatReads = reads.filter { $0.block < fatBlocks.upperBound && $0.block + UInt64($0.count) > fatBlocks.lowerBound }
            #expect(fatReads.count == 1)
            #expect(fatReads.first.map { $0.block <= fatBlocks.lowerBound && $0.block + UInt64($0.count) >= fatBlocks.upperBound } == true)
            // Boot regions, up-case table, 16 directories (FILL in a few runs): a few dozen.
            #expect(reads.count < 40, "\(reads.count) requests")
            // The smallest structure is the 2 KiB allocation bitmap (16 Ki clusters), read whole.
            #expect(reads.allSatisfy { $0.count >= 4 }, "never a sector at a time")
            let bitmap = UInt64(map.clusterOffset(image.get32(try map.rootEntry(0x81, in: image) + 20)) / 512)
            #expect(reads.filter { $0.block <= bitmap && $0.block + UInt64($0.count) > bitmap }.map(\.count) == [4])
        }
    }
}

/// A medium that records every request.
final class CountingSource: BlockSource, @unchecked Sendable {
    let base: PatchedImage
    private let lock = NSLock()
    private var log: [(block: UInt64, count: Int)] = []
    var blockSize: Int { base.blockSize }
    var blockCount: UInt64 { base.blockCount }

    init(_ base: PatchedImage) { self.base = base }

    var requests: [(block: UInt64, count: Int)] { lock.withLock { log } }

    func read(block: UInt64, count: Int) async throws -> [UInt8] {
        lock.withLock { log.append((block, count)) }
        return try await base.read(block: block, count: count)
    }
}
