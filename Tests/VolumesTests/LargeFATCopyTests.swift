import Foundation
import Testing
import TestSupport
@testable import Volumes

/// FAT copies of the size a large card has: mkfs.vfat's FAT32 on a sparse 40 GiB image at
/// 4 KiB clusters, two FATs of 40 MiB each (Tests/volumes/make-image.sh `bigfat`). The copies
/// are compared whole, a chunk at a time, and what the reader says agrees with fsck.fat -n
/// (whether the FATs differ) and cmp (where).
@Suite struct LargeFATCopyTests {
    /// The image's FAT geometry, from its boot sector.
    struct Geometry {
        let bytesPerSector: UInt64, firstFATSector: UInt64, sectorsPerFAT: UInt64
        var fatBytes: UInt64 { sectorsPerFAT * bytesPerSector }
        func fatStart(_ copy: UInt64) -> UInt64 { (firstFATSector + copy * sectorsPerFAT) * bytesPerSector }

        init(_ source: FileBlockSource) throws {
            let boot = try source.bytes(at: 0, count: 512)
            bytesPerSector = UInt64(boot[11]) | UInt64(boot[12]) << 8
            firstFATSector = UInt64(boot[14]) | UInt64(boot[15]) << 8
            // BPB_FATSz16, or FAT32's BPB_FATSz32 when that is 0.
            let short = UInt64(boot[22]) | UInt64(boot[23]) << 8
            sectorsPerFAT = short != 0 ? short : (0 ..< 4).reduce(UInt64(0)) { $0 | UInt64(boot[36 + $1]) << (8 * UInt64($1)) }
        }
    }

    /// fsck.fat -n's report; it exits 1 when it found something to repair.
    static func fsck(_ image: URL) throws -> CommandResult {
        try run("/usr/sbin/fsck.fat", ["-n", image.path], mergingErrors: true)
    }

    @Test func untouchedCopiesAgreeAndAreReadInChunks() async throws {
        try await withTemporaryDirectory("volumes-bigfat") { directory in
            let image = try TestImage.make("bigfat", in: directory)
            let file = try FileBlockSource(image.url)
            let geometry = try Geometry(file)
            #expect(geometry.fatBytes > 32 << 20, "a FAT of \(geometry.fatBytes) bytes is not large")
            let source = ReadPatternTests.CountingSource(file)
            let listing = try #require(try await Medium.volumes(on: source).first)
            #expect(listing.anomalies.isEmpty, "\(listing.anomalies)")
            let fsck = try Self.fsck(image.url)
            #expect(fsck.status == 0 && !fsck.output.contains("FATs differ"), "\(fsck.output)")
            // Both copies were read whole (the walk reads only FAT #1's first chunk again at
            // most), and never more than one chunk at once.
            let bytes = source.reads.reduce(0) { $0 + $1 } * 512
            #expect(UInt64(bytes) >= 2 * geometry.fatBytes - 2 * UInt64(FATCopyComparison.chunkBytes))
            #expect(source.reads.allSatisfy { $0 * 512 <= FATCopyComparison.chunkBytes })
        }
    }

    /// One byte of FAT #2 changed with dd, 20 MiB into the FAT (past the old 8 MiB bound), in
    /// the entry of a free cluster: the anomaly names the byte, the cluster and the sectors;
    /// fsck.fat -n finds the FATs differ, cmp finds the same first byte, and the files are
    /// read as FAT #1 has them.
    @Test func aByteOfTheSecondFATIsFound() async throws {
        try await withTemporaryDirectory("volumes-bigfat-fat2") { directory in
            let image = try TestImage.make("bigfat", in: directory)
            let clean = try #require(try await Medium.volumes(on: FileBlockSource(image.url)).first)
            let geometry = try Geometry(try FileBlockSource(image.url))
            let byte: UInt64 = (20 << 20) + 5
            let dd = try run("/bin/dd", ["of=\(image.url.path)", "bs=1", "seek=\(geometry.fatStart(1) + byte)",
                                         "conv=notrunc", "status=none"], input: Data([0x5A]), mergingErrors: true)
            try #require(dd.status == 0, "\(dd.output)")

            let cmp = try run("/usr/bin/cmp", ["-l", "-i", "\(geometry.fatStart(0)):\(geometry.fatStart(1))",
                                               "-n", "\(geometry.fatBytes)", image.url.path, image.url.path])
            // cmp -l: one line per differing byte, its 1-based position first.
            let lines = cmp.output.split(separator: "\n")
            #expect(lines.count == 1, "\(cmp.output)")
            let cmpByte = try #require(lines.first?.split(separator: " ").first.flatMap { UInt64($0) })
            #expect(cmpByte - 1 == byte)
            let fsck = try Self.fsck(image.url)
            #expect(fsck.output.contains("FATs differ"), "\(fsck.output)")
            #expect(fsck.output.contains("Using first FAT"), "\(fsck.output)")

            let listing = try #require(try await Medium.volumes(on: FileBlockSource(image.url)).first)
            let cluster = byte / 4
            let sector = geometry.firstFATSector + byte / geometry.bytesPerSector
            #expect(listing.anomalies.map(\.code) == ["fat-mismatch"])
            let detail = try #require(listing.anomalies.first?.detail)
            #expect(detail.contains("in 1 cluster entry, the first at cluster \(cluster) (byte \(byte) of the FAT: volume sector "
                                    + "\(sector) in FAT #1, \(sector + geometry.sectorsPerFAT) in FAT #2)"), "\(detail)")
            #expect(detail.hasSuffix("FAT #1 is used"), "\(detail)")
            #expect(listing.files == clean.files)
        }
    }
}
