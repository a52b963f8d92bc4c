import Foundation
import TestSupport
import Testing
import Volumes

/// Volumes made by mkfs.exfat and written through exfat-fuse, read by us and by The Sleuth Kit:
/// the same files, the same bytes.
@Suite struct SleuthKitAgreementTests {
    /// Small files, long Chinese names, 12 nested directories, an empty file, a contiguous
    /// (NoFatChain) file, a fragmented one and a Chinese label: every path and every file's
    /// SHA-256 equal fls's and icat's, and nothing is reported wrong.
    @Test func everyFileMatchesTheSleuthKit() async throws {
        try await withTemporaryDirectory("exfat-files") { directory in
            let before = Date()
            let image = try makeExFATImage("files", in: directory)
            let after = Date()
            let source = try FileBlockSource(path: image)
            let result = try await listing(source)

            #expect(result.anomalies == [])
            #expect(result.volume.fileSystem == .exfat)
            #expect(result.volume.label == "执法记录仪01")
            #expect(result.volume.bytesPerCluster == 4096)
            #expect(result.volume.scheme == .none && result.volume.partitionNumber == nil)

            let tsk = try SleuthKit.files(image: URL(fileURLWithPath: image), sector: 0)
            let ours = Dictionary(uniqueKeysWithValues: result.files.map { ($0.pathString, $0) })
            #expect(Set(ours.keys) == Set(tsk.keys))
            #expect(ours.count > 200, "the fill files are listed too")
            for (path, inode) in tsk {
                guard let file = ours[path] else { continue }
                #expect(file.complete, "\(path)")
                #expect(file.extents.reduce(0) { $0 + $1.length } == file.size, "\(path)")
                #expect(try extentsSHA256(file, source: source) == SleuthKit.sha256(image: URL(fileURLWithPath: image), sector: 0, inode: inode), "\(path)")
            }

            let contiguous = try #require(ours["CONTIG.BIN"])
            #expect(contiguous.size == 300_000 && contiguous.extents.count == 1)
            let fragmented = try #require(ours["FRAG.MP4"])
            #expect(fragmented.extents.count > 100, "written into the holes left by deleted files")
            #expect(fragmented.extents.allSatisfy { $0.clusterCount >= 1 && $0.length <= UInt64($0.clusterCount) * 4096 })
            let empty = try #require(ours["EMPTY.LOG"])
            #expect(empty.size == 0 && empty.extents.isEmpty && empty.complete)
            let chinese = "DCIM/100MEDIA/20261206_080000_执法记录仪_警号012345_城东派出所巡逻视频文件.MP4"
            #expect(ours[chinese]?.size == 70_001)
            #expect(ours["L01/L02/L03/L04/L05/L06/L07/L08/L09/L10/L11/L12/深处.TXT"]?.size == 5_000)

            // exfat-fuse records local time with its UTC offset: read back as an instant, every
            // stamp falls while the image was being written (2 s: the stamps' resolution).
            for file in result.files {
                for stamp in [file.modified, file.created] {
                    let decoded = try #require(stamp, "\(file.pathString)")
                    let instant = try #require(try instant(of: decoded), "\(file.pathString)")
                    #expect(instant >= before.addingTimeInterval(-2) && instant <= after.addingTimeInterval(2), "\(file.pathString)")
                }
            }
        }
    }

    /// A file over 4 GiB on a sparse 4.5 GiB image: 64-bit sizes and offsets all the way, and
    /// the same bytes as icat.
    @Test func aFileOverFourGiBMatchesTheSleuthKit() async throws {
        try await withTemporaryDirectory("exfat-big") { directory in
            let image = try makeExFATImage("big", in: directory)
            let source = try FileBlockSource(path: image)
            let result = try await listing(source)
            #expect(result.anomalies == [])
            let tsk = try SleuthKit.files(image: URL(fileURLWithPath: image), sector: 0)
            #expect(Set(result.files.map(\.pathString)) == Set(tsk.keys))
            let big = try #require(result.files.first { $0.pathString == "DCIM/BIG.MP4" })
            #expect(big.size == 4 * 1024 * 1024 * 1024 + 123_457)
            #expect(big.complete)
            #expect(big.extents.reduce(0) { $0 + $1.length } == big.size)
            #expect(big.extents.last.map { $0.offset + $0.length } ?? 0 > 1 << 32, "the file ends past 4 GiB on the medium")
            #expect(try extentsSHA256(big, source: source) == SleuthKit.sha256(image: URL(fileURLWithPath: image), sector: 0, inode: try #require(tsk["DCIM/BIG.MP4"])))
        }
    }
}

/// The instant a time stamp names, when it carries its offset from UTC.
func instant(of stamp: VolumeTimestamp) throws -> Date? {
    guard let offset = stamp.utcOffsetMinutes, let zone = TimeZone(secondsFromGMT: offset * 60) else { return nil }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    let components = DateComponents(year: stamp.year, month: stamp.month, day: stamp.day, hour: stamp.hour,
                                    minute: stamp.minute, second: stamp.second, nanosecond: stamp.millisecond * 1_000_000)
    return calendar.date(from: components)
}
