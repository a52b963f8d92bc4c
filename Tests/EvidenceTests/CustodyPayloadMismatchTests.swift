import Evidence
import Foundation
import GatewayCrypto
import Testing

/// The signed file list against the payload manifest, both ways.
@Suite struct CustodyPayloadMismatchTests {
    static let a = [UInt8](repeating: 0xAB, count: 32), b = [UInt8](repeating: 0xCD, count: 32)

    static func file(_ id: UInt32, _ bagPath: String, sha: [UInt8]?, size: UInt64) -> CustodyRecord.File {
        CustodyRecord.File(recordingId: id, kind: "video", devicePath: Array(bagPath.dropFirst(5).utf8), bagPath: bagPath, size: size,
                           sequence: id, important: false, deviceStartUTC: "2026-11-26T08:15:02.123Z",
                           deviceEndUTC: "2026-11-26T08:25:02.123Z", deviceSha256: sha.map { hexString($0) },
                           sha256: sha.map { hexString($0) }, verified: true, quarantined: false, rereads: 0, anomalies: [])
    }

    /// A record of `files`, its totals adding them up.
    static func record(_ files: [CustodyRecord.File]) -> CustodyRecord {
        var r = CustodyRecordTests.record
        r.files = files
        r.totals = .init(files: files.count, bytes: files.reduce(0) { $0 + $1.size }, seconds: 1)
        return r
    }

    static let sealed = record([file(1, "data/V1.MP4", sha: a, size: 100), file(2, "data/P2.JPG", sha: b, size: 20)])
    static let manifest = [BagIt.ManifestLine(sha256: b, path: "data/P2.JPG"), BagIt.ManifestLine(sha256: a, path: "data/V1.MP4")]
    static let sizes = ["data/V1.MP4": UInt64(100), "data/P2.JPG": 20]

    @Test func aRecordAndTheManifestItSealedAgree() {
        #expect(Self.sealed.payloadMismatches(manifest: Self.manifest, storedSizes: Self.sizes).isEmpty)
    }

    @Test func aManifestEntryTheRecordDoesNotListIsNamed() {
        let planted = BagIt.ManifestLine(sha256: Self.a, path: "data/PLANTED.MP4")
        let found = Self.sealed.payloadMismatches(manifest: Self.manifest + [planted], storedSizes: Self.sizes)
        #expect(found == [.notInRecord(path: "data/PLANTED.MP4")])
        #expect(found[0].description.hasPrefix("data/PLANTED.MP4: in manifest-sha256.txt but not in custody.json"))
    }

    @Test func aRecordedFileTheManifestDoesNotListIsNamed() {
        let found = Self.sealed.payloadMismatches(manifest: [Self.manifest[1]], storedSizes: Self.sizes)
        #expect(found == [.notInManifest(path: "data/P2.JPG", recordingId: 2)])
        #expect(found[0].description.hasPrefix("data/P2.JPG: in custody.json (recording 2) but not in manifest-sha256.txt"))
    }

    @Test func aDifferentDigestIsNamedWithBothValues() {
        let swapped = [BagIt.ManifestLine(sha256: Self.a, path: "data/P2.JPG"), Self.manifest[1]]
        let found = Self.sealed.payloadMismatches(manifest: swapped, storedSizes: Self.sizes)
        #expect(found == [.digestDiffers(path: "data/P2.JPG", recordingId: 2, record: hexString(Self.b), manifest: hexString(Self.a))])
        #expect(found[0].description.contains(hexString(Self.a)) && found[0].description.contains(hexString(Self.b)))
    }

    @Test func aRecordWithoutADigestDiffersFromAnyManifestEntry() {
        let r = Self.record([Self.file(1, "data/V1.MP4", sha: Self.a, size: 100), Self.file(2, "data/P2.JPG", sha: nil, size: 20)])
        let found = r.payloadMismatches(manifest: Self.manifest, storedSizes: Self.sizes)
        #expect(found == [.digestDiffers(path: "data/P2.JPG", recordingId: 2, record: nil, manifest: hexString(Self.b))])
    }

    @Test func upperCaseHexInTheRecordIsTheSameDigest() {
        var r = Self.sealed
        r.files[0].sha256 = r.files[0].sha256?.uppercased()
        #expect(r.payloadMismatches(manifest: Self.manifest, storedSizes: Self.sizes).isEmpty)
    }

    @Test func aStoredSizeOtherThanTheSignedOneIsNamedAndAMissingFileIsComparedByDigestOnly() {
        let found = Self.sealed.payloadMismatches(manifest: Self.manifest, storedSizes: ["data/V1.MP4": 99])
        #expect(found == [.sizeDiffers(path: "data/V1.MP4", recordingId: 1, record: 100, stored: 99)])
        #expect(found[0].description == "data/V1.MP4: custody.json (recording 1) signed 100 bytes, the bag holds 99 bytes")
    }

    @Test func onePathForTwoRecordingsIsNamed() {
        let r = Self.record([Self.file(1, "data/V1.MP4", sha: Self.a, size: 100), Self.file(3, "data/V1.MP4", sha: Self.a, size: 100),
                             Self.file(2, "data/P2.JPG", sha: Self.b, size: 20)])
        #expect(r.payloadMismatches(manifest: Self.manifest, storedSizes: Self.sizes) == [.listedTwice(path: "data/V1.MP4", recordingIds: [1, 3])])
    }

    @Test func totalsThatDoNotAddUpTheFileListAreNamed() {
        var r = Self.sealed
        r.totals.bytes += 1
        #expect(r.payloadMismatches(manifest: Self.manifest, storedSizes: Self.sizes)
                == [.totalsDiffer(files: 2, bytes: 121, listedFiles: 2, listedBytes: 120)])
    }

    @Test func everyMismatchIsFoundNotJustTheFirst() {
        let manifest = [BagIt.ManifestLine(sha256: Self.a, path: "data/P2.JPG"), BagIt.ManifestLine(sha256: Self.a, path: "data/X.MP4")]
        let found = Self.sealed.payloadMismatches(manifest: manifest, storedSizes: [:])
        #expect(found.map(\.path) == ["data/P2.JPG", "data/X.MP4", "data/V1.MP4"])
    }
}
