import Foundation
import Testing
import TestSupport
@testable import Volumes

/// FAT copies that differ only in a reserved entry: mkfs.vfat's FAT16 and FAT32 images
/// (Tests/volumes/make-image.sh) with FAT #2's entry 1 clean-shutdown flag cleared, as a
/// driver that marks the volume dirty in one copy and is cut off before the other leaves it.
/// fsck.fat -n finds the FATs differ (it compares entries 0 and 1 too); the reader says so,
/// names the entry, both values and the flag, and names no file, since no link differs.
@Suite struct ReservedFATEntryTests {
    @Test(arguments: [("fat16-s1", 2, UInt32(0x8000)), ("fat32-s1", 4, UInt32(0x0800_0000))])
    func aCleanShutdownFlagClearedInTheSecondFAT(kind: String, width: Int, flag: UInt32) async throws {
        try await withTemporaryDirectory("volumes-reserved-\(kind)") { directory in
            let image = try TestImage.make(kind, in: directory)
            let clean = try #require(try await Medium.volumes(on: FileBlockSource(image.url)).first)
            #expect(clean.anomalies.isEmpty, "\(clean.anomalies)")
            let geometry = try LargeFATCopyTests.Geometry(try FileBlockSource(image.url))

            // FAT #2's entry 1, patched in place on the image file.
            let at = geometry.fatStart(1) + UInt64(width)
            let handle = try FileHandle(forUpdating: image.url)
            try handle.seek(toOffset: at)
            let bytes = [UInt8](try #require(try handle.read(upToCount: width)))
            let old = bytes.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
            try #require(old & flag != 0, "mkfs.vfat left the clean-shutdown flag clear")
            let new = old & ~flag
            try handle.seek(toOffset: at)
            try handle.write(contentsOf: Data((0 ..< width).map { UInt8(truncatingIfNeeded: new >> (8 * UInt32($0))) }))
            try handle.close()

            let fsck = try LargeFATCopyTests.fsck(image.url)
            #expect(fsck.output.contains("FATs differ but appear to be intact"), "\(fsck.output)")
            #expect(fsck.output.contains("Using first FAT"), "\(fsck.output)")

            let listing = try #require(try await Medium.volumes(on: FileBlockSource(image.url)).first)
            #expect(listing.anomalies.map(\.code) == ["fat-mismatch"] && listing.anomalies.first?.path == nil,
                    "\(listing.anomalies)")
            let digits = width * 2
            func hex(_ value: UInt32) -> String {
                let text = String(value, radix: 16, uppercase: true)
                return "0x" + String(repeating: "0", count: digits - text.count) + text
            }
            let sector = geometry.firstFATSector
            #expect(listing.anomalies.first?.detail
                    == "FAT #2 differs from FAT #1 only in reserved entry 1 (FAT #1 \(hex(old)), FAT #2 \(hex(new)): FAT #2 "
                    + "records an unclean shutdown (bit \(hex(flag)) clear), FAT #1 does not) (volume sector \(sector) in FAT #1, "
                    + "\(sector + geometry.sectorsPerFAT) in FAT #2); no cluster's link differs, so no file or directory is "
                    + "named; FAT #1 is used")
            #expect(listing.files == clean.files)
        }
    }
}
