import Foundation
import TestSupport
import Testing
import Volumes

/// A real image damaged at random (seeded, so a failure replays): bits flipped and words
/// overwritten in the boot regions, the FAT, the allocation bitmap and directory clusters.
/// Every read ends with a listing or a `VolumeError`, and every listing stays inside the
/// medium and the limits.
@Suite struct MutationTests {
    static let seed: UInt64 = 0x6578_4641_5431_3301
    static let iterations = 400

    @Test(.timeLimit(.minutes(20)))
    func randomDamageNeverCrashesOrEscapesTheMedium() async throws {
        try await withTemporaryDirectory("exfat-mutation") { directory in
            let path = try makeExFATImage("files", in: directory)
            var image = PatchedImage(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            let map = ImageMap(image)
            let bitmap = map.clusterOffset(image.get32(try map.rootEntry(0x81, in: image) + 20))
            var directoryClusters = [map.clusterOffset(map.rootCluster)]
            for name in ["DCIM", "100MEDIA", "FILL", "L01", "L11", "L12"] {
                let set = try map.entrySet(name, in: image)
                directoryClusters.append(map.clusterOffset(map.firstCluster(ofSet: set, in: image)))
            }
            let regions: [Range<Int>] = [
                0..<24 * map.bytesPerSector,
                map.fatOffset..<map.fatOffset + (Int(map.clusterCount) + 2) * 4,
                bitmap..<bitmap + map.bytesPerCluster,
            ] + directoryClusters.map { $0..<$0 + map.bytesPerCluster }
            let interesting: [UInt32] = [0, 1, 2, 0xFFFF_FFFF, 0xFFFF_FFF7, 0x7FFF_FFFF,
                                         map.clusterCount, map.clusterCount + 1, map.clusterCount + 2]
            var limits = VolumeLimits()
            limits.maxFiles = 2_000

            var generator = SplitMix64(seed: Self.seed)
            var outcomes = (listings: 0, errors: 0, anomalies: 0)
            var codes = Set<String>()
            for iteration in 0..<Self.iterations {
                var saved: [(Int, UInt8)] = []
                for _ in 0..<Int.random(in: 1...6, using: &generator) {
                    let region = regions[Int.random(in: 0..<regions.count, using: &generator)]
                    let at = Int.random(in: region.lowerBound..<region.upperBound - 4, using: &generator) & ~3
                    for i in 0..<4 { saved.append((at + i, image.bytes[at + i])) }
                    switch Int.random(in: 0..<3, using: &generator) {
                    case 0: image.bytes[at + Int.random(in: 0..<4, using: &generator)] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
                    case 1: image.put32(interesting[Int.random(in: 0..<interesting.count, using: &generator)], at: at)
                    default: image.put32(UInt32.random(in: 0...UInt32.max, using: &generator), at: at)
                    }
                }
                do {
                    let result = try await listing(image, limits: limits)
                    outcomes.listings += 1
                    outcomes.anomalies += result.anomalies.count
                    codes.formUnion(result.anomalies.map(\.code))
                    let end = UInt64(image.bytes.count)
                    let heap = UInt64(map.clusterCount) * UInt64(map.bytesPerCluster)
                    #expect(result.files.count <= limits.maxFiles, "iteration \(iteration)")
                    for file in result.files {
                        #expect(file.extents.allSatisfy { $0.offset + $0.length <= end }, "iteration \(iteration): \(file.pathString)")
                        #expect(file.size <= heap, "iteration \(iteration): \(file.pathString)")
                        let covered = file.extents.reduce(0) { $0 + $1.length }
                        #expect(file.complete ? covered == file.size : covered <= file.size,
                                "iteration \(iteration): \(file.pathString)")
                        #expect(file.path.count <= limits.maxDepth + 1, "iteration \(iteration)")
                    }
                } catch is VolumeError {
                    outcomes.errors += 1
                }
                for (at, byte) in saved.reversed() { image.bytes[at] = byte }
            }
            // The loop did reach the reader's checks, both ways.
            #expect(outcomes.listings > Self.iterations / 2)
            #expect(outcomes.anomalies > 0)
            #expect(codes.isSuperset(of: ["bad-boot-sector", "bad-set-checksum", "cluster-out-of-range", "chain-short"]),
                    "seen: \(codes.sorted())")
        }
    }
}
