import Foundation
import Testing
import TestSupport
@testable import Volumes

/// A real FAT12 image (mkfs.vfat + mtools) damaged by hand in one named way per test, and a
/// mutation loop over real FAT12/16/32 images: the reader lists what it can, names what is
/// wrong, and neither crashes nor hangs.
@Suite struct HostileVolumeTests {
    /// The "small" image, in memory, with what the tests need to find in it.
    struct Small {
        var source: PatchedBlockSource
        let fatStart: Int, fatBytes: Int, fatCount: Int

        init(_ url: URL) throws {
            source = PatchedBlockSource([UInt8](try Data(contentsOf: url)))
            let bps = Int(source.u16(11))
            fatStart = Int(source.u16(14)) * bps
            fatBytes = Int(source.u16(22)) * bps
            fatCount = Int(source[16])
        }

        /// The directory entry whose 11-byte 8.3 name is `name`.
        func entry(_ name: String) throws -> Int {
            let pattern = Array(name.utf8)
            for at in stride(from: 0, to: source.base.count - 32, by: 32)
            where Array(source.base[at ..< at + 11]) == pattern && source.base[at + 11] != 0x0F {
                return at
            }
            throw SleuthKit.Failure("no entry \(name)")
        }

        func cluster(of entry: Int) -> UInt32 { UInt32(source.u16(entry + 26)) }

        func fat(_ cluster: UInt32) -> UInt32 {
            let at = fatStart + Int(cluster) + Int(cluster / 2)
            let pair = UInt32(source.u16(at))
            return cluster & 1 == 1 ? pair >> 4 : pair & 0xFFF
        }

        /// Sets a FAT12 entry in every FAT copy (so the damage is not also a FAT mismatch), or
        /// in copy `only` (0-based).
        mutating func setFAT(_ cluster: UInt32, _ value: UInt32, only: Int? = nil) {
            for copy in only.map({ [$0] }) ?? Array(0 ..< fatCount) {
                let at = fatStart + copy * fatBytes + Int(cluster) + Int(cluster / 2)
                var pair = UInt32(source.u16(at))
                pair = cluster & 1 == 1 ? (pair & 0x000F) | (value << 4) : (pair & 0xF000) | (value & 0xFFF)
                source.setU16(at, UInt16(pair & 0xFFFF))
            }
        }

        func read() async throws -> VolumeListing {
            let listings = try await Medium.volumes(on: source)
            try #require(listings.count == 1)
            return listings[0]
        }
    }

    static func small(_ body: (inout Small) async throws -> Void) async throws {
        try await withTemporaryDirectory("volumes-hostile") { directory in
            let image = try TestImage.make("small", in: directory)
            var small = try Small(image.url)
            try await body(&small)
        }
    }

    @Test func undamagedSmallImageIsClean() async throws {
        try await Self.small { small in
            let listing = try await small.read()
            #expect(listing.anomalies.isEmpty, "\(listing.anomalies)")
            #expect(listing.files.map(\.pathString) == ["A.BIN", "B.BIN", "SUB/Long File Name.txt"])
            #expect(listing.files.allSatisfy { $0.complete })
            #expect(listing.volume.label == "SMALL" && listing.volume.fileSystem == .fat12)
        }
    }

    @Test func cyclicChainIsALoop() async throws {
        try await Self.small { small in
            let a = small.cluster(of: try small.entry("A       BIN"))
            let second = small.fat(a)
            small.setFAT(second, a)
            let listing = try await small.read()
            let file = try #require(listing.files.first { $0.pathString == "A.BIN" })
            #expect(!file.complete)
            #expect(listing.anomalies.contains { $0.code == "chain-loop" && $0.path == "A.BIN" })
            #expect(listing.files.first { $0.pathString == "B.BIN" }?.complete == true)
        }
    }

    @Test func clusterPastTheEnd() async throws {
        try await Self.small { small in
            let a = small.cluster(of: try small.entry("A       BIN"))
            small.setFAT(a, 0xFE0)
            let listing = try await small.read()
            #expect(listing.files.first { $0.pathString == "A.BIN" }?.complete == false)
            #expect(listing.anomalies.contains { $0.code == "cluster-out-of-range" && $0.path == "A.BIN" })
        }
    }

    @Test func fourGiBOnAOneMiBVolume() async throws {
        try await Self.small { small in
            small.source.setU32(try small.entry("A       BIN") + 28, 0xFFFF_FFFF)
            let listing = try await small.read()
            let file = try #require(listing.files.first { $0.pathString == "A.BIN" })
            #expect(!file.complete && file.size == 0xFFFF_FFFF)
            #expect(listing.anomalies.contains { $0.code == "size-beyond-volume" && $0.path == "A.BIN" })
            // The rest of the volume is still read.
            #expect(listing.files.first { $0.pathString == "SUB/Long File Name.txt" }?.complete == true)
        }
    }

    @Test func crossLinkedFilesNameEachOther() async throws {
        try await Self.small { small in
            let a = small.cluster(of: try small.entry("A       BIN"))
            small.source.setU16(try small.entry("B       BIN") + 26, UInt16(a))
            let listing = try await small.read()
            #expect(listing.files.first { $0.pathString == "B.BIN" }?.complete == false)
            let anomaly = try #require(listing.anomalies.first { $0.code == "cross-linked" })
            #expect(anomaly.path == "B.BIN" && anomaly.detail.contains("A.BIN"))
        }
    }

    @Test func directoryPointingAtItsParentIsALoop() async throws {
        try await Self.small { small in
            let sub = small.cluster(of: try small.entry("SUB        "))
            small.source.setU16(try small.entry("CHILD      ") + 26, UInt16(sub))
            let listing = try await small.read()
            #expect(listing.anomalies.contains { $0.code == "directory-loop" && $0.path == "SUB/CHILD" })
            // Read once, not again through the loop.
            #expect(listing.files.filter { $0.path.last == "Long File Name.txt" }.count == 1)
        }
    }

    @Test func badLongNameChecksumFallsBackTo83() async throws {
        try await Self.small { small in
            let short = try small.entry("LONGFI~1TXT")
            // The long-name entry just before the 8.3 one: spoil its checksum.
            small.source[short - 32 + 13] = small.source[short - 32 + 13] ^ 0x5A
            let listing = try await small.read()
            #expect(listing.files.contains { $0.pathString == "SUB/LONGFI~1.TXT" && $0.complete })
            #expect(listing.anomalies.contains { $0.code == "bad-long-name" && $0.path == "SUB/LONGFI~1.TXT" })
        }
    }

    @Test func secondFATDiffering() async throws {
        try await Self.small { small in
            let a = small.cluster(of: try small.entry("A       BIN"))
            // Only FAT #2 changes: FAT #1 is used, so A.BIN is still whole.
            small.setFAT(a, 0xFFF, only: 1)
            let listing = try await small.read()
            // The volume's mismatch, then the one file whose chain runs through the entry.
            #expect(listing.anomalies.map(\.code) == ["fat-mismatch", "fat-mismatch"])
            #expect(listing.anomalies.map(\.path) == [nil, "A.BIN"])
            #expect(listing.anomalies.first?.detail.contains("in 1 cluster entry, the first at cluster \(a) (byte \(a + a / 2) of the FAT") == true,
                    "\(listing.anomalies)")
            #expect(listing.files.allSatisfy { $0.complete })
        }
    }

    /// fsck.fat's test of an intact FAT (entry 0: the media byte, every higher bit set) is
    /// reported for each copy, so the examiner knows which copy fsck.fat would keep; FAT #1 is
    /// still the one followed.
    @Test func damagedMediaEntryIsNamed() async throws {
        try await Self.small { small in
            let a = small.cluster(of: try small.entry("A       BIN"))
            small.setFAT(a, 0xFFF, only: 0)
            small.source[small.fatStart + 1] = 0x00      // FAT #1's entry 0 loses its high bits
            let listing = try await small.read()
            let detail = try #require(listing.anomalies.first { $0.code == "fat-mismatch" && $0.path == nil }?.detail)
            #expect(detail.contains("FAT #1's media entry is damaged (fsck.fat would take FAT #2); FAT #1 is used"), "\(detail)")
            // FAT #1 ends A.BIN's chain after one cluster: the file is short, as FAT #1 says.
            #expect(listing.files.first { $0.pathString == "A.BIN" }?.complete == false)
        }
    }

    @Test func chainShorterThanTheSize() async throws {
        try await Self.small { small in
            let a = small.cluster(of: try small.entry("A       BIN"))
            small.setFAT(a, 0xFFF)
            let listing = try await small.read()
            let file = try #require(listing.files.first { $0.pathString == "A.BIN" })
            #expect(!file.complete && file.extents.map(\.length) == [512])
            #expect(listing.anomalies.contains { $0.code == "chain-short" && $0.path == "A.BIN" })
        }
    }

    @Test func depthAndEntryLimitsHold() async throws {
        try await withTemporaryDirectory("volumes-limits") { directory in
            let image = try TestImage.make("fat16-s1", in: directory)
            var limits = VolumeLimits()
            limits.maxDepth = 3
            limits.maxEntriesPerDirectory = 4
            let listing = try #require(try await Medium.volumes(on: FileBlockSource(image.url), limits: limits).first)
            #expect(listing.anomalies.contains { $0.code == "depth-limit" })
            #expect(listing.anomalies.contains { $0.code == "entry-limit" })
            #expect(!listing.files.contains { $0.path.count > 4 })
            limits = VolumeLimits()
            limits.maxFiles = 3
            let limited = try #require(try await Medium.volumes(on: FileBlockSource(image.url), limits: limits).first)
            #expect(limited.files.count == 3)
            #expect(limited.anomalies.map(\.code) == ["file-limit"])
        }
    }

    /// A FAT32 boot sector claiming 64 GiB on a 40 MiB medium: the clusters past the medium are
    /// out of range, the bitmap stays the medium's size, and the files are still read.
    @Test func bootSectorClaimingMoreThanTheMedium() async throws {
        try await withTemporaryDirectory("volumes-claim") { directory in
            let image = try TestImage.make("fat32-s1", in: directory)
            var source = PatchedBlockSource([UInt8](try Data(contentsOf: image.url)))
            source.setU32(32, 0x0800_0000)
            let listing = try #require(try await Medium.volumes(on: source).first)
            #expect(listing.anomalies.contains { $0.code == "volume-beyond-medium" })
            #expect(listing.volume.length == UInt64(source.base.count))
            #expect(listing.files.count == 13 && listing.files.allSatisfy { $0.complete })
        }
    }

    /// FAT32 with mirroring off (ExtFlags bit 7) and FAT #2 active: FAT #1 is not consulted, so
    /// damage there does not matter; with mirroring on, the same damage breaks the chain.
    @Test func activeFATIsTheOneRead() async throws {
        try await withTemporaryDirectory("volumes-active") { directory in
            let image = try TestImage.make("fat32-s1", in: directory)
            let clean = PatchedBlockSource([UInt8](try Data(contentsOf: image.url)))
            let listing = try #require(try await Medium.volumes(on: clean).first)
            let big = try #require(listing.files.first { $0.path.last == "执法记录仪_20240101_第一段视频.MP4" })
            let fatStart = Int(clean.u16(14)) * Int(clean.u16(11))
            var damaged = clean
            damaged.setU32(fatStart + 4 * Int(big.firstCluster), 0)   // FAT #1 only: the chain's first link is free
            var mirrored = try #require(try await Medium.volumes(on: damaged).first)
            #expect(mirrored.files.first { $0.pathString == big.pathString }?.complete == false)
            #expect(mirrored.anomalies.contains { $0.code == "chain-broken" })
            #expect(mirrored.anomalies.contains { $0.code == "fat-mismatch" })
            damaged.setU16(40, 0x0081)
            mirrored = try #require(try await Medium.volumes(on: damaged).first)
            #expect(mirrored.anomalies.isEmpty, "\(mirrored.anomalies)")
            #expect(mirrored.files == listing.files)
        }
    }

    /// Random bytes in the partition tables of real MBR and GPT media (block 0, the primary
    /// GPT and the backup): listings or a `VolumeError`, nothing else.
    @Test(arguments: [("mbr", UInt64(11)), ("gpt", 12)])
    func mutatedPartitionTablesNeverCrash(kind: String, seed: UInt64) async throws {
        try await withTemporaryDirectory("volumes-mutate-\(kind)") { directory in
            let image = try TestImage.make(kind, in: directory)
            let base = PatchedBlockSource([UInt8](try Data(contentsOf: image.url)))
            let end = base.base.count
            let regions = [0 ..< 512, 512 ..< 34 * 512, end - 33 * 512 ..< end]
            var random = SplitMix64(seed: seed)
            var outcomes = (listed: 0, refused: 0)
            for _ in 0 ..< 300 {
                var source = base
                for _ in 0 ..< Int.random(in: 1 ... 4, using: &random) {
                    let region = regions[Int.random(in: 0 ..< regions.count, using: &random)]
                    source[Int.random(in: region, using: &random)] = UInt8.random(in: 0 ... 255, using: &random)
                }
                do {
                    let listings = try await Medium.volumes(on: source)
                    #expect(listings.allSatisfy { $0.volume.offset + $0.volume.length <= UInt64(end) })
                    outcomes.listed += 1
                } catch is VolumeError {
                    outcomes.refused += 1
                }
            }
            #expect(outcomes.listed + outcomes.refused == 300 && outcomes.listed > 0, "\(outcomes)")
        }
    }

    // MARK: Mutation loop

    /// Random bytes changed in the boot sector, the FATs and the first directory clusters of
    /// real images, 300 times per image from a fixed seed: every outcome is listings or a
    /// `VolumeError`, and what is listed holds together.
    @Test(arguments: [("fat12", UInt64(1)), ("fat16-s4", 2), ("fat32-s1", 3)])
    func mutatedImagesNeverCrashOrHang(kind: String, seed: UInt64) async throws {
        try await withTemporaryDirectory("volumes-mutate-\(kind)") { directory in
            let image = try TestImage.make(kind, in: directory)
            let base = PatchedBlockSource([UInt8](try Data(contentsOf: image.url)))
            let bps = Int(base.u16(11)), reserved = Int(base.u16(14)), fats = Int(base[16])
            let fatSectors = base.u16(22) != 0 ? Int(base.u16(22)) : Int(base.u32(36))
            let rootSectors = (Int(base.u16(17)) * 32 + bps - 1) / bps
            let regions = [
                0 ..< 512,
                reserved * bps ..< (reserved + fats * fatSectors) * bps,
                (reserved + fats * fatSectors) * bps ..< (reserved + fats * fatSectors + rootSectors) * bps + 64 * 1024,
            ]
            var random = SplitMix64(seed: seed)
            var outcomes = (listed: 0, refused: 0, incomplete: 0)
            for _ in 0 ..< 300 {
                var source = base
                for _ in 0 ..< Int.random(in: 1 ... 8, using: &random) {
                    let region = regions[Int.random(in: 0 ..< regions.count, using: &random)]
                    let at = Int.random(in: region, using: &random)
                    source[at] = Bool.random(using: &random) ? UInt8.random(in: 0 ... 255, using: &random)
                                                            : source[at] ^ (1 << UInt8.random(in: 0 ... 7, using: &random))
                }
                do {
                    let listings = try await Medium.volumes(on: source)
                    outcomes.listed += 1
                    for listing in listings {
                        var owned = Set<UInt32>()
                        for file in listing.files {
                            if !file.complete { outcomes.incomplete += 1 }
                            if file.complete { #expect(file.extents.reduce(0) { $0 + $1.length } == file.size) }
                            for extent in file.extents {
                                #expect(extent.offset + extent.length <= UInt64(base.base.count))
                                for cluster in extent.firstCluster ..< extent.firstCluster + extent.clusterCount {
                                    #expect(owned.insert(cluster).inserted, "cluster \(cluster) in two files unreported")
                                }
                            }
                        }
                    }
                } catch is VolumeError {
                    outcomes.refused += 1
                }
            }
            #expect(outcomes.listed + outcomes.refused == 300)
            // The loop reaches both outcomes, so it exercises more than the boot sector check.
            #expect(outcomes.listed > 0 && outcomes.refused > 0, "\(outcomes)")
        }
    }
}
