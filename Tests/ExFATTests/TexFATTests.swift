import Foundation
import TestSupport
import Testing
import Volumes

/// TexFAT volumes: two FATs and two allocation bitmaps, the pair in use named by
/// VolumeFlags.ActiveFat. mkfs.exfat (exfatprogs 1.2) cannot make one and no tool on Linux
/// writes one, so an image made by mkfs.exfat and written through exfat-fuse
/// (make-exfat-image.sh `texfat`) is patched by Tests/volumes/make-texfat.py, which adds only
/// what TexFAT adds (the second FAT and bitmap, the bitmap's root entry, NumberOfFats, ActiveFat,
/// the boot checksums) and says why. The Sleuth Kit reads TexFAT but always follows FAT #1 and
/// the first bitmap entry (tsk/fs/exfatfs.c), so it is the peer where FAT #1 is the one in use;
/// where FAT #2 is, the peer is The Sleuth Kit on the unpatched image.
@Suite struct TexFATTests {
    struct Images {
        /// mkfs.exfat + exfat-fuse, one FAT.
        let base: String
        /// The same patched to TexFAT.
        let texfat: String
    }

    static func make(in directory: URL, active: Int, stale: String? = nil) throws -> Images {
        let base = try makeExFATImage("texfat", in: directory)
        let texfat = directory.appendingPathComponent("texfat-\(active).img").path
        let script = packageRoot.appendingPathComponent("Tests/volumes/make-texfat.py").path
        let result = try run("/usr/bin/python3", [script, base, texfat, "--active", String(active)]
                             + (stale.map { ["--stale", $0] } ?? []), mergingErrors: true)
        guard result.status == 0 else { throw ImageError("make-texfat.py: \(result.output)") }
        return Images(base: base, texfat: texfat)
    }

    /// Every file's path and SHA-256 (from our extents on `ours`) equal fls's and icat's on
    /// `peer`.
    static func expectSameFiles(_ listing: VolumeListing, on ours: String, as peer: String) throws {
        let source = try FileBlockSource(path: ours)
        let tsk = try SleuthKit.files(image: URL(fileURLWithPath: peer), sector: 0)
        #expect(Set(listing.files.map(\.pathString)) == Set(tsk.keys))
        for file in listing.files {
            guard let inode = tsk[file.pathString] else { continue }
            #expect(file.complete, "\(file.pathString)")
            #expect(try extentsSHA256(file, source: source) == SleuthKit.sha256(image: URL(fileURLWithPath: peer), sector: 0, inode: inode),
                    "\(file.pathString)")
        }
    }

    /// Both pairs agree, FAT #1 active: nothing to report, and the files are The Sleuth Kit's.
    @Test func mirroredTexFATReadsAsTheSleuthKitDoes() async throws {
        try await withTemporaryDirectory("texfat-mirrored") { directory in
            let images = try Self.make(in: directory, active: 0)
            let result = try await listing(try FileBlockSource(path: images.texfat))
            #expect(result.anomalies == [])
            #expect(result.files.count == 14)
            try Self.expectSameFiles(result, on: images.texfat, as: images.texfat)
        }
    }

    /// FAT #2 active, FAT #1 and bitmap #1 the state before APPEND.BIN was written (a chain in
    /// FAT #2 only): APPEND.BIN is read whole through FAT #2, with the bytes The Sleuth Kit
    /// reads from the unpatched image; the inactive pair's difference is named, and so is the
    /// file. With ActiveFat cleared (in memory; VolumeFlags is outside the boot checksum) the
    /// same volume is read through the stale FAT #1 and APPEND.BIN is broken: ActiveFat decides.
    @Test func theActiveSecondFATIsFollowed() async throws {
        try await withTemporaryDirectory("texfat-active-1") { directory in
            let images = try Self.make(in: directory, active: 1, stale: "APPEND.BIN")
            let source = try FileBlockSource(path: images.texfat)
            let result = try await listing(source)
            try Self.expectSameFiles(result, on: images.texfat, as: images.base)
            let append = try #require(result.files.first { $0.pathString == "APPEND.BIN" })
            #expect(append.complete && append.size == 300_000)

            let clusters = append.extents.reduce(UInt64(0)) { $0 + UInt64($1.clusterCount) }
            let codes = result.anomalies.map { "\($0.code) \($0.path ?? "-")" }
            #expect(codes == ["fat-mismatch -", "bitmap-mismatch -", "fat-mismatch APPEND.BIN"], "\(result.anomalies)")
            let fat = result.anomalies[0].detail
            #expect(fat.hasPrefix("the inactive FAT #1 differs from the active FAT #2 in \(clusters) cluster entries, "
                                  + "the first at cluster \(append.firstCluster)"), "\(fat)")
            #expect(fat.hasSuffix("FAT #2 is used (VolumeFlags.ActiveFat)"), "\(fat)")
            #expect(result.anomalies[1].detail.contains("on \(clusters) clusters, the first \(append.firstCluster)"),
                    "\(result.anomalies[1].detail)")

            var flipped = PatchedImage(bytes: try [UInt8](Data(contentsOf: URL(fileURLWithPath: images.texfat))))
            flipped.bytes[106] &= 0xFE
            let stale = try await listing(flipped)
            #expect(stale.files.first { $0.pathString == "APPEND.BIN" }?.complete == false)
            #expect(stale.anomalies.contains { $0.code == "fat-mismatch" && $0.detail.hasPrefix("the inactive FAT #2 differs from the active FAT #1") })
        }
    }

    /// FAT #1 active, the inactive FAT #2 stale: FAT #1 is followed (The Sleuth Kit agrees on
    /// the TexFAT image itself), and the stale pair is named.
    @Test func theStaleSecondFATIsOnlyReported() async throws {
        try await withTemporaryDirectory("texfat-active-0") { directory in
            let images = try Self.make(in: directory, active: 0, stale: "APPEND.BIN")
            let result = try await listing(try FileBlockSource(path: images.texfat))
            try Self.expectSameFiles(result, on: images.texfat, as: images.texfat)
            #expect(result.anomalies.map(\.code) == ["fat-mismatch", "bitmap-mismatch", "fat-mismatch"], "\(result.anomalies)")
            #expect(result.anomalies.first?.detail.hasPrefix("the inactive FAT #2 differs from the active FAT #1") == true)
        }
    }

    /// FAT #1 active, FAT #2 and bitmap #2 the state before DCIM was written. DCIM outgrew its
    /// first cluster after 一.JPG took the next one, so exfat-fuse chained its two clusters in
    /// the FAT (make-texfat.py refuses a NoFatChain NAME): the directory is named, once, beside
    /// the volume's difference; the files in it, whose chains both FATs hold alike, are not.
    @Test func aDirectoryWhoseChainTheStaleFATDisputesIsNamed() async throws {
        try await withTemporaryDirectory("texfat-stale-directory") { directory in
            let images = try Self.make(in: directory, active: 0, stale: "DCIM")
            let result = try await listing(try FileBlockSource(path: images.texfat))
            try Self.expectSameFiles(result, on: images.texfat, as: images.texfat)
            let codes = result.anomalies.map { "\($0.code) \($0.path ?? "-")" }
            #expect(codes == ["fat-mismatch -", "bitmap-mismatch -", "fat-mismatch DCIM"], "\(result.anomalies)")
            #expect(result.anomalies.first?.detail.hasPrefix("the inactive FAT #2 differs from the active FAT #1 in 2 cluster entries") == true,
                    "\(result.anomalies)")
            #expect(result.anomalies.last?.detail
                    == "the directory's clusters have entries the inactive FAT #2 holds otherwise; the active FAT was followed")
        }
    }

    /// The inactive FAT's reserved entry 1 changed (its top bit cleared), nothing else: a
    /// volume-level difference naming the entry and both values, and no file or directory.
    @Test func aReservedEntryOfTheInactiveFATIsReported() async throws {
        try await withTemporaryDirectory("texfat-reserved") { directory in
            let images = try Self.make(in: directory, active: 0)
            var image = PatchedImage(bytes: try [UInt8](Data(contentsOf: URL(fileURLWithPath: images.texfat))))
            let bytesPerSector = 1 << Int(image.bytes[108])
            func u32(_ at: Int) -> Int { (0 ..< 4).reduce(0) { $0 | Int(image.bytes[at + $1]) << (8 * $1) } }
            let fat1 = u32(80), fat2 = fat1 + u32(84)
            #expect((0 ..< 4).allSatisfy { image.bytes[fat2 * bytesPerSector + 4 + $0] == 0xFF })
            image.bytes[fat2 * bytesPerSector + 7] = 0x7F
            let result = try await listing(image)
            #expect(result.anomalies.map(\.code) == ["fat-mismatch"] && result.anomalies.first?.path == nil, "\(result.anomalies)")
            #expect(result.anomalies.first?.detail
                    == "the inactive FAT #2 differs from the active FAT #1 only in reserved entry 1 (FAT #1 0xFFFFFFFF, FAT #2 "
                    + "0x7FFFFFFF) (volume sector \(fat1) in FAT #1, \(fat2) in FAT #2); no cluster's link differs, so no file or "
                    + "directory is named; FAT #1 is used (VolumeFlags.ActiveFat)")
            #expect(result.files.allSatisfy(\.complete) && result.files.count == 14)
        }
    }

    /// Read through the partition dispatcher as a recorder's medium is: still exFAT, still the
    /// active pair.
    @Test func theDispatcherReadsTexFAT() async throws {
        try await withTemporaryDirectory("texfat-medium") { directory in
            let images = try Self.make(in: directory, active: 1)
            let listings = try await Medium.volumes(on: try FileBlockSource(path: images.texfat))
            #expect(listings.count == 1 && listings.first?.volume.fileSystem == .exfat)
            #expect(listings.first?.anomalies == [])
            #expect(listings.first?.files.allSatisfy(\.complete) == true)
        }
    }
}
