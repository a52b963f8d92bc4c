import Foundation
import Testing
import TestSupport
@testable import Volumes

/// Real images, made by mkfs.vfat, mtools and sfdisk, read by us and by The Sleuth Kit: the
/// same files, the same bytes, the same time stamps.
@Suite struct SleuthKitAgreementTests {
    static let kinds = ["fat12", "fat16-s1", "fat16-s4", "fat32-s1", "fat32-s8", "fat32-s64", "fat32-4k", "bigfat", "mbr", "gpt"]

    @Test(arguments: kinds)
    func filesAndBytesMatchTheSleuthKit(kind: String) async throws {
        try await withTemporaryDirectory("volumes-\(kind)") { directory in
            let image = try TestImage.make(kind, in: directory)
            let source = try FileBlockSource(image.url, blockSize: kind == "fat32-4k" ? 4096 : 512)
            let listings = try await Medium.volumes(on: source)
            #expect(listings.map(\.volume.offset) == image.volumeSectors.map { $0 * 512 })
            let scheme: VolumeIdentity.PartitionScheme = kind == "mbr" ? .mbr : kind == "gpt" ? .gpt : .none
            for (listing, sector) in zip(listings, image.volumeSectors) {
                #expect(listing.anomalies.isEmpty, "\(listing.anomalies)")
                #expect(listing.volume.scheme == scheme)
                #expect(listing.volume.label == (scheme == .none ? "RECORDER" : sector == 2048 ? "FIRST" : "SECOND"))
                let theirs = try SleuthKit.files(image: image.url, sector: sector)
                #expect(Set(listing.files.map(\.pathString)) == Set(theirs.keys))
                #expect(listing.files.count == theirs.count)
                for file in listing.files {
                    #expect(file.complete, "\(file.pathString)")
                    #expect(file.extents.reduce(0) { $0 + $1.length } == file.size, "\(file.pathString)")
                    guard let inode = theirs[file.pathString] else { continue }
                    var bytes: [UInt8] = []
                    for extent in file.extents {
                        bytes += try source.bytes(at: extent.offset, count: Int(extent.length))
                    }
                    #expect(try sha256(bytes) == SleuthKit.sha256(image: image.url, sector: sector, inode: inode), "\(file.pathString)")
                    let times = try SleuthKit.times(image: image.url, sector: sector, inode: inode)
                    #expect(istatText(file.modified) == times.written, "\(file.pathString)")
                    #expect(istatText(file.created) == times.created, "\(file.pathString)")
                }
                // The large file was written into holes: it is fragmented, and our extents are
                // the sectors istat lists.
                let big = try #require(listing.files.first { $0.path.last == "执法记录仪_20240101_第一段视频.MP4" })
                #expect(big.extents.count > 1)
                let sectorBytes = UInt64(listing.volume.bytesPerSector)
                let ours = big.extents.flatMap { extent in
                    let first = (extent.offset - listing.volume.offset) / sectorBytes
                    // istat lists the sectors the file's bytes touch, not whole clusters.
                    let count = (extent.length + sectorBytes - 1) / sectorBytes
                    return (first ..< first + count).map { $0 }
                }
                let istat = try SleuthKit.sectors(image: image.url, sector: sector, inode: try #require(theirs[big.pathString]))
                #expect(ours == istat)
            }
        }
    }

    /// 8.3 names keep their case flags and long names win over aliases.
    @Test func namesAsWritten() async throws {
        try await withTemporaryDirectory("volumes-names") { directory in
            let image = try TestImage.make("fat16-s1", in: directory)
            let listing = try #require(try await Medium.volumes(on: FileBlockSource(image.url)).first)
            let paths = Set(listing.files.map(\.pathString))
            #expect(paths.contains("GPS/track.txt"))
            #expect(paths.contains("DCIM/100MEDIA/CLIP0001.MP4"))
            #expect(paths.contains("Mixed Case Long Name.Jpeg"))
            #expect(paths.contains("deep/d1/d2/d3/d4/d5/d6/d7/最深的文件.txt"))
            #expect(listing.volume.fileSystem == .fat16 && listing.volume.serial == 0x1234_ABCD)
            let clip = try #require(listing.files.first { $0.path.last == "CLIP0001.MP4" })
            #expect(clip.modified != nil && clip.modified?.utcOffsetMinutes == nil)
        }
    }
}
