import Evidence
import Foundation
import GatewayCrypto
import TestSupport
import Testing

/// Bags written from this module's tag files, checked by the Library of Congress `bagit` tool
/// (an independent implementation of RFC 8493).
@Suite struct BagValidationTests {
    /// Writes a complete bag of `payload` (device path → bytes) into `dir` the way the evidence
    /// store will: payload under sanitised names, then manifest, bag-info, bagit.txt and the tag
    /// manifest over those three.
    static func writeBag(in dir: TemporaryDirectory, payload: [([UInt8], Data)]) throws {
        var sanitizer = PathSanitizer()
        var entries: [(path: String, sha256: [UInt8])] = []
        var bytes: UInt64 = 0
        for (index, (devicePath, data)) in payload.enumerated() {
            let path = sanitizer.bagPath(for: devicePath, recordingId: UInt32(index + 1))
            try dir.write(path, data)
            entries.append((path, SHA256Hasher.hash(data)))
            bytes += UInt64(data.count)
        }
        let info = try BagInfo.dockSession(
            sourceOrganization: "北京市公安局朝阳分局", externalIdentifier: "A100001",
            baggingDate: Date(timeIntervalSince1970: 1_795_680_902), payloadBytes: bytes, payloadFiles: payload.count,
            officerNumber: "010001", officerName: "张三", unitNumber: "110105000000", gatewayId: "kiosk-07", bay: "3",
            dockStart: Date(timeIntervalSince1970: 1_795_680_000), dockEnd: Date(timeIntervalSince1970: 1_795_680_902),
            clockOffsetMs: 812.25)
        let tagFiles = [
            (BagIt.declarationFileName, BagIt.declaration),
            (BagIt.bagInfoFileName, info.text()),
            (BagIt.manifestFileName, BagIt.manifest(entries)),
        ]
        for (name, text) in tagFiles { try dir.write(name, text) }
        try dir.write(BagIt.tagManifestFileName,
                      BagIt.manifest(tagFiles.map { (path: $0.0, sha256: SHA256Hasher.hash(Array($0.1.utf8))) }))
    }

    static let payload: [([UInt8], Data)] = [
        (Array("DCIM/100MEDIA/20261126_081502_0001.MP4".utf8), Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })),
        (Array("视频/执法_001.MP4".utf8), Data("clip".utf8)),
        (Array("../../etc/passwd".utf8), Data("not really".utf8)),
        (Array("a.mp4".utf8), Data("lower".utf8)),
        (Array("A.MP4".utf8), Data("upper".utf8)),
        ([0x47, 0x50, 0x53, 0xFF, 0x00, 0x2E, 0x6C, 0x6F, 0x67], Data()),
    ]

    static func validate(_ dir: TemporaryDirectory) throws -> CommandResult {
        try run(["python3", "-m", "bagit", "--validate", dir.url.path])
    }

    @Test func aBagOfSanitisedPathsValidatesWithTheLibraryOfCongressTool() throws {
        guard try requirePython(module: "bagit", install: "pip install bagit") else { return }
        let dir = try TemporaryDirectory("bag")
        defer { dir.remove() }
        try Self.writeBag(in: dir, payload: Self.payload)
        let result = try Self.validate(dir)
        #expect(result.status == 0 && result.output.contains("is valid"), "bagit --validate failed: \(result.output)")
        #expect(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("data/A~5.MP4").path))
    }

    @Test(arguments: ["data/视频/执法_001.MP4", BagIt.bagInfoFileName, BagIt.manifestFileName])
    func theToolRejectsTheBagWhenAnyCoveredFileChanges(file: String) throws {
        guard try requirePython(module: "bagit", install: "pip install bagit") else { return }
        let dir = try TemporaryDirectory("tampered")
        defer { dir.remove() }
        try Self.writeBag(in: dir, payload: Self.payload)
        let url = dir.url.appendingPathComponent(file)
        var data = try Data(contentsOf: url)
        data[data.count - 2] ^= 0x01
        try data.write(to: url)
        let result = try Self.validate(dir)
        #expect(result.status != 0 && result.output.contains("invalid"), "a changed \(file) still validated: \(result.output)")
    }
}
