import Foundation
import TestSupport
import Testing
import Volumes

/// One structure of a real image damaged on purpose, each time: the damage is named, the
/// damaged file is marked incomplete when its bytes cannot all be found, and everything else
/// is still listed.
@Suite struct HandMadeDamageTests {
    @Test func eachDamageIsNamedAndTheRestIsListed() async throws {
        try await withTemporaryDirectory("exfat-damage") { directory in
            let path = try makeExFATImage("files", in: directory)
            let base = PatchedImage(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            let map = ImageMap(base)
            let clean = try await listing(base)
            #expect(clean.anomalies == [])
            let cleanFiles = Dictionary(uniqueKeysWithValues: clean.files.map { ($0.pathString, $0) })
            let frag = try #require(cleanFiles["FRAG.MP4"])

            /// Runs `damage` on a copy of the image and returns the listing and its files by path.
            func damaged(_ damage: (inout PatchedImage) throws -> Void) async throws -> (VolumeListing, [String: VolumeFile]) {
                var image = base
                try damage(&image)
                let result = try await listing(image)
                return (result, Dictionary(uniqueKeysWithValues: result.files.map { ($0.pathString, $0) }))
            }
            func codes(_ listing: VolumeListing, at path: String) -> Set<String> {
                Set(listing.anomalies.filter { $0.path == path }.map(\.code))
            }

            // A cyclic FAT chain: FRAG.MP4's third cluster points back to its first.
            var (result, files) = try await damaged { image in
                let c1 = frag.firstCluster
                let c2 = image.get32(map.fatEntryOffset(c1)), c3 = image.get32(map.fatEntryOffset(c2))
                image.put32(c1, at: map.fatEntryOffset(c3))
            }
            #expect(codes(result, at: "FRAG.MP4") == ["chain-loop"])
            #expect(files["FRAG.MP4"]?.complete == false)
            #expect(files["FRAG.MP4"]?.extents.reduce(0) { $0 + $1.length } == 3 * 4096)
            #expect(files.count == cleanFiles.count)
            #expect(files.values.filter { !$0.complete }.map(\.pathString) == ["FRAG.MP4"])

            // A chain that leaves the heap.
            (result, files) = try await damaged { image in
                let c2 = image.get32(map.fatEntryOffset(frag.firstCluster))
                image.put32(map.clusterCount + 50, at: map.fatEntryOffset(c2))
            }
            #expect(codes(result, at: "FRAG.MP4") == ["cluster-out-of-range"])
            #expect(files["FRAG.MP4"]?.complete == false)

            // A chain that ends early, and one with a bad-cluster mark.
            (result, files) = try await damaged { image in
                image.put32(0xFFFF_FFFF, at: map.fatEntryOffset(frag.firstCluster))
            }
            #expect(codes(result, at: "FRAG.MP4") == ["chain-short"])
            #expect(files["FRAG.MP4"]?.extents.reduce(0) { $0 + $1.length } == 4096)
            (result, _) = try await damaged { image in image.put32(0xFFFF_FFF7, at: map.fatEntryOffset(frag.firstCluster)) }
            #expect(codes(result, at: "FRAG.MP4") == ["bad-cluster"])

            // A NoFatChain run that starts near the heap's end and runs past it.
            (result, files) = try await damaged { image in
                let set = try map.entrySet("CONTIG.BIN", in: image)
                image.put32(map.clusterCount - 3, at: set + 32 + 20)
                map.fixSetChecksum(set, in: &image)
            }
            #expect(codes(result, at: "CONTIG.BIN") == ["cluster-out-of-range"])
            #expect(files["CONTIG.BIN"]?.complete == false)
            #expect(files["CONTIG.BIN"]?.extents.first?.clusterCount == 5, "clusterCount-3 … clusterCount+1")

            // A 4 GiB size on a 64 MiB volume.
            (result, files) = try await damaged { image in
                let set = try map.entrySet("README.TXT", in: image)
                image.put64(1 << 32, at: set + 32 + 8)
                image.put64(1 << 32, at: set + 32 + 24)
                map.fixSetChecksum(set, in: &image)
            }
            #expect(codes(result, at: "README.TXT").contains("size-beyond-volume"))
            let readme = try #require(files["README.TXT"])
            #expect(!readme.complete && readme.size <= UInt64(map.clusterCount) * 4096)
            #expect(readme.extents.allSatisfy { $0.offset + $0.length <= UInt64(base.bytes.count) })
            #expect(files.values.filter { !$0.complete }.map(\.pathString) == ["README.TXT"], "it claims no one's clusters")

            // The same through the FAT, the chain a loop of one cluster: it ends, and it steals
            // nothing.
            (result, files) = try await damaged { image in
                let set = try map.entrySet("README.TXT", in: image)
                image.put64(1 << 32, at: set + 32 + 8)
                image.put64(1 << 32, at: set + 32 + 24)
                image.bytes[set + 32 + 1] &= ~0x02
                map.fixSetChecksum(set, in: &image)
                let first = map.firstCluster(ofSet: set, in: image)
                image.put32(first, at: map.fatEntryOffset(first))
            }
            #expect(codes(result, at: "README.TXT") == ["size-beyond-volume", "chain-loop"])
            #expect(files["README.TXT"]?.extents.count == 1)
            #expect(files.values.filter { !$0.complete }.map(\.pathString) == ["README.TXT"])

            // A wrong SetChecksum: named, the file still listed whole.
            (result, files) = try await damaged { image in
                let set = try map.entrySet("一.JPG", in: image)
                image.bytes[set + 2] ^= 0x5A
            }
            #expect(codes(result, at: "DCIM/100MEDIA/一.JPG") == ["bad-set-checksum"])
            #expect(files["DCIM/100MEDIA/一.JPG"] == cleanFiles["DCIM/100MEDIA/一.JPG"])

            // Two files on the same clusters: the second one met is cross-linked.
            (result, files) = try await damaged { image in
                let contig = try map.entrySet("CONTIG.BIN", in: image)
                let mixed = try map.entrySet("Mixed Case Name With Spaces.txt", in: image)
                image.put32(map.firstCluster(ofSet: contig, in: image), at: mixed + 32 + 20)
                map.fixSetChecksum(mixed, in: &image)
            }
            #expect(codes(result, at: "DCIM/100MEDIA/Mixed Case Name With Spaces.txt") == ["cross-linked"])
            #expect(files["DCIM/100MEDIA/Mixed Case Name With Spaces.txt"]?.complete == false)
            #expect(files["CONTIG.BIN"]?.complete == true)

            // A file chained into the allocation bitmap is cross-linked too.
            (result, _) = try await damaged { image in
                let set = try map.entrySet("README.TXT", in: image)
                image.put32(image.get32(try map.rootEntry(0x81, in: image) + 20), at: set + 32 + 20)
                map.fixSetChecksum(set, in: &image)
            }
            #expect(codes(result, at: "README.TXT") == ["cross-linked"])

            // A file on clusters the allocation bitmap calls free: named, the bytes still listed.
            (result, files) = try await damaged { image in
                let bitmap = map.clusterOffset(image.get32(try map.rootEntry(0x81, in: image) + 20))
                let first = Int(map.firstCluster(ofSet: try map.entrySet("CONTIG.BIN", in: image), in: image)) - 2
                image.bytes[bitmap + first / 8] &= ~(1 << UInt8(first % 8))
                image.bytes[bitmap + (first + 9) / 8] &= ~(1 << UInt8((first + 9) % 8))
            }
            #expect(codes(result, at: "CONTIG.BIN") == ["cluster-not-allocated"])
            #expect(result.anomalies.first?.detail.hasPrefix("2 of its clusters") == true)
            #expect(files == cleanFiles)

            // A wrong NameHash: named, the file kept.
            (result, files) = try await damaged { image in
                let set = try map.entrySet("README.TXT", in: image)
                image.put16(0x1234, at: set + 32 + 4)
                map.fixSetChecksum(set, in: &image)
            }
            #expect(codes(result, at: "README.TXT") == ["bad-name-hash"])
            #expect(files["README.TXT"] == cleanFiles["README.TXT"])

            // A name with an unpaired surrogate: decoded with U+FFFD, named; and a file named
            // "..": named, never taken for a parent.
            (result, files) = try await damaged { image in
                let set = try map.entrySet("README.TXT", in: image)
                image.put16(0xD800, at: set + 64 + 2)
                map.fixSetChecksum(set, in: &image)
                let empty = try map.entrySet("EMPTY.LOG", in: image)
                image.bytes[empty + 32 + 3] = 2
                image.put16(0x2E, at: empty + 64 + 2)
                image.put16(0x2E, at: empty + 64 + 4)
                map.fixSetChecksum(empty, in: &image)
            }
            #expect(codes(result, at: "\u{FFFD}EADME.TXT") == ["bad-long-name", "bad-name-hash"])
            #expect(files["\u{FFFD}EADME.TXT"]?.complete == true)
            #expect(codes(result, at: "..") == ["bad-long-name", "bad-name-hash"])
            #expect(files[".."]?.size == 0)

            // A damaged up-case table: named once, names no longer hash-checked.
            (result, files) = try await damaged { image in
                let entry = try map.rootEntry(0x82, in: image)
                image.bytes[map.clusterOffset(image.get32(entry + 20)) + 100] ^= 0x01
            }
            #expect(result.anomalies.map(\.code) == ["bad-upcase-table"])
            #expect(files.count == cleanFiles.count)

            // A subdirectory whose first cluster is its grandparent's: a loop, not followed.
            (result, files) = try await damaged { image in
                let l02 = try map.entrySet("L02", in: image)
                let l04 = try map.entrySet("L04", in: image)
                image.put32(map.firstCluster(ofSet: l02, in: image), at: l04 + 32 + 20)
                map.fixSetChecksum(l04, in: &image)
            }
            #expect(codes(result, at: "L01/L02/L03/L04") == ["directory-loop"])
            #expect(files.count == cleanFiles.count - 1)

            // The main boot sector broken: the backup region is used, nothing else changes.
            (result, files) = try await damaged { image in image.bytes[108] = 13 }
            #expect(result.anomalies.map(\.code) == ["bad-boot-sector"])
            #expect(files == cleanFiles)
            // The main boot region's checksum wrong: the backup region is used.
            (result, files) = try await damaged { image in image.bytes[300] ^= 0xFF }
            #expect(result.anomalies.map(\.code) == ["bad-boot-sector"])
            #expect(files == cleanFiles)
            // Both checksums wrong: the main fields are used, the mismatch named.
            (result, files) = try await damaged { image in
                image.bytes[300] ^= 0xFF
                image.bytes[12 * 512 + 300] ^= 0xFF
            }
            #expect(result.anomalies.map(\.code) == ["bad-boot-checksum"])
            #expect(files == cleanFiles)
            // Both boot sectors unusable: no volume.
            await #expect(throws: VolumeError.self) {
                _ = try await damaged { image in
                    image.bytes[3] = UInt8(ascii: "X")
                    image.bytes[12 * 512 + 108] = 3
                }
            }
        }
    }

    /// ValidDataLength below DataLength: the extents still cover DataLength, as The Sleuth
    /// Kit's icat reads such a file, and the difference is named.
    @Test func bytesPastValidDataLengthAreReportedAsTheSleuthKitReadsThem() async throws {
        try await withTemporaryDirectory("exfat-vdl") { directory in
            let path = try makeExFATImage("files", in: directory)
            var image = PatchedImage(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            let map = ImageMap(image)
            let set = try map.entrySet("CONTIG.BIN", in: image)
            image.put64(1000, at: set + 32 + 8)
            map.fixSetChecksum(set, in: &image)
            try Data(image.bytes).write(to: URL(fileURLWithPath: path))

            let source = try FileBlockSource(path: path)
            let result = try await listing(source)
            #expect(result.anomalies.map(\.code) == ["valid-data-length"])
            let file = try #require(result.files.first { $0.pathString == "CONTIG.BIN" })
            #expect(file.complete && file.size == 300_000)
            #expect(file.extents.reduce(0) { $0 + $1.length } == 300_000)
            let inode = try #require(try SleuthKit.files(image: URL(fileURLWithPath: path), sector: 0)["CONTIG.BIN"])
            #expect(try extentsSHA256(file, source: source) == SleuthKit.sha256(image: URL(fileURLWithPath: path), sector: 0, inode: inode))
        }
    }

    /// The limits hold: depth, files, entries per directory.
    @Test func limitsStopTheReadWithAnAnomaly() async throws {
        try await withTemporaryDirectory("exfat-limits") { directory in
            let path = try makeExFATImage("files", in: directory)
            let image = PatchedImage(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            let all = try await listing(image)

            var limits = VolumeLimits()
            limits.maxDepth = 5
            var result = try await listing(image, limits: limits)
            #expect(result.anomalies.map(\.code) == ["depth-limit"])
            #expect(result.anomalies.first?.path == "L01/L02/L03/L04/L05/L06")
            #expect(result.files.count == all.files.count - 1)

            limits = VolumeLimits()
            limits.maxFiles = 10
            result = try await listing(image, limits: limits)
            #expect(result.files.count == 10)
            #expect(result.anomalies.map(\.code) == ["file-limit"])
            #expect(result.files.map(\.pathString) == all.files.prefix(10).map(\.pathString))

            limits = VolumeLimits()
            limits.maxEntriesPerDirectory = 64
            result = try await listing(image, limits: limits)
            #expect(result.anomalies.map(\.code) == ["entry-limit"])
            #expect(result.anomalies.first?.path == "FILL")
            #expect(result.files.filter { $0.path.first == "FILL" }.count < 64 / 3 + 1)
        }
    }
}
