import Evidence
import EvidenceStore
import Foundation
import GatewayCrypto
import RecorderHAL
import Testing

/// Sealing a bag: custody.json is written piece by piece as the record is encoded and signed
/// from the file afterwards (#11), so what is stored, listed and signed must still be exactly
/// the record's canonical JSON.
@Suite struct FinalizeTests {
    /// A record of `files` files with paths that need escaping, enough of them that custody.json
    /// spans several of the writer's 64 KiB runs.
    static func record(files: Int) -> CustodyRecord {
        let identity = RecorderIdentity(serial: "A100001", model: "DSJ-V9", firmware: "2.1.7", officerNumber: "010001",
                                        officerName: "张三", unitNumber: "110105000000", unitName: "分局", hardwareId: "HW-1")
        let clock = CustodyRecord.Clock(offsetMs: 812.25, roundTripMs: 3.5, samples: 5, deviceZoneOffsetMinutes: 480,
                                        measuredAtUTC: "2026-11-26T08:15:01.000Z")
        var list: [CustodyRecord.File] = []
        for i in 0..<files {
            let hashed = i % 5 != 0
            let path: [UInt8] = Array("视频/\"\(i)\"\n.MP4".utf8)
            list.append(CustodyRecord.File(
                recordingId: UInt32(i), kind: "video", devicePath: path, bagPath: "data/视频/\(i).MP4", size: UInt64(i),
                sequence: UInt32(i), important: i % 7 == 0, deviceStartUTC: "2026-11-26T08:15:02.123Z",
                deviceEndUTC: "2026-11-26T08:25:02.123Z", deviceSha256: hashed ? String(repeating: "ab", count: 32) : nil,
                sha256: String(repeating: "cd", count: 32), verified: hashed, quarantined: false, rereads: 0,
                anomalies: hashed ? [] : ["no-device-hash"]))
        }
        let dock = CustodyRecord.Dock(startUTC: "2026-11-26T08:15:00.000Z", endUTC: "2026-11-26T08:31:12.500Z")
        let recorder = CustodyRecord.Recorder(identity: identity, driver: "zfy-bulk-v1", protocolVersion: 1)
        let anomalies: [CustodyRecord.Anomaly] = [.init(code: "sequence-gap", detail: "sequence 101 follows 99")]
        return CustodyRecord(gateway: .init(id: "kiosk-07", version: "0.3.0"), bay: "3", dock: dock, recorder: recorder,
                             clock: clock, files: list, anomalies: anomalies, totals: .init(files: files, bytes: 0, seconds: 1200),
                             audit: AuditAnchor(seq: 3, hash: "00ff"))
    }

    /// A store with three staged payload files, and those files (not in manifest order).
    static func store() throws -> (LocalStore, [LocalStore.PayloadFile]) {
        let root = NSTemporaryDirectory() + "finalize-" + UUID().uuidString
        let store = try LocalStore(root: root)
        var payload: [LocalStore.PayloadFile] = []
        for (path, text) in [("data/b.MP4", "b"), ("data/视频/c.MP4", "c"), ("data/a.MP4", "footage")] {
            let full = store.stagingBag("B") + "/" + path, bytes = Array(text.utf8)
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: full))
            payload.append(LocalStore.PayloadFile(bagPath: path, sha256: SHA256Hasher.hash(bytes), size: UInt64(bytes.count)))
        }
        return (store, payload)
    }

    @Test(arguments: [0, 1, 400])
    func custodyJSONIsTheRecordsCanonicalJSONListedAndSigned(files: Int) throws {
        let (store, payload) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: store.root) }
        let record = Self.record(files: files), key = try Ed25519PrivateKey()
        var pieces = 0
        let bag = try store.finalize(bag: "B", payload: payload, bagInfo: BagInfo(), custody: { sink in
            try record.writeCanonicalJSON { pieces += 1; sink($0) }
        }, key: key)
        let written = Array(try Data(contentsOf: URL(fileURLWithPath: bag + "/custody.json")))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        #expect(written == Array(try encoder.encode(record)) + [0x0A])
        #expect(written == Array(try record.canonicalJSON()))
        // The record came in pieces, one per file at least, not as one text.
        #expect(pieces > files)
        let signature = Array(try Data(contentsOf: URL(fileURLWithPath: bag + "/custody.json.sig")))
        #expect(key.publicKey.isValidSignature(signature, for: written))
        let tagManifest = try String(contentsOfFile: bag + "/tagmanifest-sha256.txt", encoding: .utf8)
        #expect(tagManifest.contains(hexString(SHA256Hasher.hash(written)) + "  custody.json\n"))
        #expect(tagManifest.contains("  custody.json.sig\n"))
        // The payload manifest, written line by line, is the one made whole.
        let manifest = try String(contentsOfFile: bag + "/manifest-sha256.txt", encoding: .utf8)
        #expect(manifest == BagIt.manifest(payload.map { (path: $0.bagPath, sha256: $0.sha256) }))
        #expect(manifest.split(separator: "\n").map { $0.split(separator: " ").last.map(String.init) ?? "" }
                == ["data/a.MP4", "data/b.MP4", "data/视频/c.MP4"])
        #expect(tagManifest.contains(hexString(SHA256Hasher.hash(Array(manifest.utf8))) + "  manifest-sha256.txt\n"))
    }

    @Test func aRecordThatCannotBeWrittenSealsNoBagAndSaysWhy() throws {
        let (store, payload) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: store.root) }
        var record = Self.record(files: 400)
        record.clock?.offsetMs = .nan
        #expect {
            _ = try store.finalize(bag: "B", payload: payload, bagInfo: BagInfo(), custody: { sink in
                try record.writeCanonicalJSON(to: sink)
            }, key: try Ed25519PrivateKey())
        } throws: { error in
            guard let error = error as? StorageError else { return false }
            return error.path.hasSuffix("/custody.json") && (error.detail ?? "").contains("clock.offsetMs")
        }
        #expect(!FileManager.default.fileExists(atPath: store.finalBag("B")))
        #expect(!FileManager.default.fileExists(atPath: store.stagingBag("B") + "/custody.json.sig"))
    }
}
