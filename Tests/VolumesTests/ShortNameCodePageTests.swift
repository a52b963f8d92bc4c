import Foundation
import Testing
import TestSupport
@testable import Volumes

/// 8.3-only names in code page 936 (GBK), written by mtools told that code page, read back as
/// mtools itself lists them (`mdir` in cp936, Tests/volumes/make-image.sh `gbk`), never by a
/// writer of ours.
@Suite struct ShortNameCodePageTests {
    @Test func gbkShortNamesReadAsMtoolsWroteThem() async throws {
        try await withTemporaryDirectory("volumes-gbk") { directory in
            let image = try TestImage.make("gbk", in: directory)
            let reference = try String(contentsOf: directory.appendingPathComponent("names.txt"), encoding: .utf8)
                .split(separator: "\n").map(String.init)
            #expect(reference.count == 6 && reference.contains("乗.TXT") && reference.contains("README.TXT"))

            var limits = VolumeLimits()
            limits.shortNameCodePage = .cp936
            let gbk = try #require(try await Medium.volumes(on: FileBlockSource(image.url), limits: limits).first)
            #expect(gbk.files.map(\.pathString).sorted() == reference.sorted())
            #expect(gbk.anomalies.isEmpty, "\(gbk.anomalies)")

            // The default reads the 8.3 bytes as code page 437: every file is still there, the
            // GBK-only names under other names ("视" is CA D3, "╩╙" in cp437). mtools still
            // writes a long name for some of the names it shortens; those read the same.
            let cp437 = try #require(try await Medium.volumes(on: FileBlockSource(image.url)).first)
            #expect(cp437.files.count == reference.count && cp437.anomalies.isEmpty)
            let only437 = Set(cp437.files.map(\.pathString)).subtracting(reference)
            #expect(!only437.isEmpty && only437.allSatisfy { $0.unicodeScalars.contains { (0x2500...0x25FF).contains($0.value) } },
                    "\(only437)")
            // Same files, same sizes, whatever the names.
            #expect(gbk.files.map(\.size).sorted() == cp437.files.map(\.size).sorted())
        }
    }

    /// An 8.3 name whose bytes are not GBK (a lead byte with its trail byte turned into a
    /// space): the file is still listed, its name shown in code page 437, and the anomaly says
    /// so.
    @Test func aShortNameThatIsNotGBKIsKeptAndNamed() async throws {
        try await withTemporaryDirectory("volumes-gbk-bad") { directory in
            let image = try TestImage.make("gbk", in: directory)
            let bytes = [UInt8](try Data(contentsOf: image.url))
            var source = PatchedBlockSource(bytes)
            // The root's 8.3 entry "视" (CA D3, padded) of the file mtools wrote without a long name.
            let entry = try #require((0 ..< bytes.count - 11).first { i in
                Array(bytes[i ..< i + 11]) == [0xCA, 0xD3, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20] + Array("MP4".utf8)
            })
            source.patches[entry + 1] = 0x20
            var limits = VolumeLimits()
            limits.shortNameCodePage = .cp936
            let listing = try #require(try await Medium.volumes(on: source, limits: limits).first)
            #expect(listing.files.count == 6)
            #expect(listing.files.contains { $0.pathString == "╩.MP4" })
            #expect(listing.anomalies.map(\.code) == ["short-name-code-page"])
            #expect(listing.anomalies.first?.path == "╩.MP4")
        }
    }
}
