import Evidence
import Foundation
import GatewayCrypto
import RecorderHAL
import Testing

@Suite struct CustodyRecordTests {
    static func file(_ id: UInt32, path: [UInt8], bagPath: String, sha: String? = String(repeating: "ab", count: 32)) -> CustodyRecord.File {
        CustodyRecord.File(recordingId: id, kind: "video", devicePath: path, bagPath: bagPath, size: 1_048_576,
                           sequence: 100 + id, important: id == 2, deviceStartUTC: "2026-11-26T08:15:02.123Z",
                           deviceEndUTC: "2026-11-26T08:25:02.123Z", deviceSha256: sha, sha256: sha, verified: sha != nil,
                           quarantined: sha == nil, rereads: Int(id), anomalies: sha == nil ? ["hash-mismatch"] : [])
    }

    static let record = CustodyRecord(
        gateway: .init(id: "kiosk-07", version: "0.3.0"),
        bay: "3",
        dock: .init(startUTC: "2026-11-26T08:15:00.000Z", endUTC: "2026-11-26T08:31:12.500Z"),
        recorder: .init(identity: RecorderIdentity(serial: "A100001", model: "DSJ-V9", firmware: "2.1.7", officerNumber: "010001",
                                                   officerName: "张三", unitNumber: "110105000000", unitName: "北京市公安局朝阳分局",
                                                   hardwareId: "HW-1"),
                        driver: "zfy-bulk-v1", protocolVersion: 1),
        clock: .init(offsetMs: 812.25, roundTripMs: 3.5, samples: 5, deviceZoneOffsetMinutes: 480,
                     measuredAtUTC: "2026-11-26T08:15:01.000Z"),
        files: [
            file(1, path: Array("DCIM/100MEDIA/20261126_081502_0001.MP4".utf8), bagPath: "data/DCIM/100MEDIA/20261126_081502_0001.MP4"),
            file(2, path: Array("视频/执法_001.MP4".utf8), bagPath: "data/视频/执法_001.MP4"),
            file(3, path: [0x41, 0x00, 0xFF, 0x2E, 0x4D, 0x50, 0x34], bagPath: "data/A__.MP4", sha: nil),
        ],
        anomalies: [.init(code: "sequence-gap", detail: "sequence 101 follows 99: 100 is missing"),
                    .init(code: "hash-mismatch", file: 3, detail: "device says ab…, gateway read cd…")],
        totals: .init(files: 2, bytes: 2_097_152, seconds: 1200))

    @Test func canonicalJSONIsDeterministicAndRoundTrips() throws {
        let first = try Self.record.canonicalJSON()
        #expect(try Self.record.canonicalJSON() == first)
        let decoded = try CustodyRecord(json: first)
        #expect(decoded == Self.record)
        #expect(try decoded.canonicalJSON() == first)
    }

    /// The record is encoded member by member (to keep memory near the output's size); the
    /// bytes must be exactly what JSONEncoder writes for the whole record, which is the format
    /// every bag so far was signed in.
    @Test(arguments: [0, 1, 3, 200])
    func canonicalJSONIsByteForByteJSONEncodersLayout(files: Int) throws {
        var record = Self.record
        record.files = (0..<files).map { i in
            // Chinese, quotes and a newline; every third path not UTF-8 at all (kept as hex);
            // every other file quarantined, unhashed, with an anomaly.
            let path = i % 3 == 2 ? [0x44, 0xFF, 0xFE, 0x2F, 0xC3, UInt8(i % 256)] : Array("DCIM/视频 \(i)\n\"x\".MP4".utf8)
            return Self.file(UInt32(i), path: path, bagPath: "data/DCIM/\(i).MP4", sha: i % 2 == 0 ? nil : "ab")
        }
        for audit in [nil, AuditAnchor(seq: 7, hash: "00ff")] {
            record.audit = audit
            for anomalies in [[], record.anomalies] {
                record.anomalies = anomalies
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                let whole = try encoder.encode(record) + Data("\n".utf8)
                #expect(try record.canonicalJSON() == whole, "files \(files), audit \(String(describing: audit)), \(anomalies.count) anomalies")
            }
        }
    }

    /// custody.json is written as it is encoded (#11): the pieces, in order, are exactly
    /// `canonicalJSON()`, and none holds more than one file.
    @Test(arguments: [0, 1, 200])
    func thePiecesWrittenAreTheCanonicalJSONOneFileAtATime(files: Int) throws {
        var record = Self.record
        record.files = (0..<files).map { i in Self.file(UInt32(i), path: Array("视频/\(i)\n\"x\".MP4".utf8), bagPath: "data/\(i).MP4") }
        var pieces: [Data] = []
        try record.writeCanonicalJSON { pieces.append($0) }
        #expect(pieces.reduce(Data(), +) == (try record.canonicalJSON()))
        #expect(pieces.count > files)
        // No piece is longer than the record without files, or than what one file adds to it.
        var outline = record
        outline.files = []
        let bare = try outline.canonicalJSON().count
        outline.files = [record.files.first ?? Self.file(0, path: [], bagPath: "data/0")]
        let bound = max(bare, try outline.canonicalJSON().count - bare + 16)
        #expect(pieces.allSatisfy { $0.count <= bound }, "\(pieces.map(\.count).max() ?? 0) > \(bound)")
        if files == 200 { #expect(try record.canonicalJSON().count > 20 * bound) }
    }

    @Test func aValueThatCannotBeWrittenStopsTheWriterNamingItsField() {
        var record = Self.record
        record.clock?.offsetMs = .infinity
        var written = Data()
        #expect {
            try record.writeCanonicalJSON { written.append($0) }
        } throws: { error in
            guard case CustodyRecordError.notEncodable(let field, _) = error else { return false }
            return field == "clock.offsetMs"
        }
        #expect(written.isEmpty)
    }

    /// The recorder part is one flat object, the identity's members beside `driver` and
    /// `protocolVersion`, as every bag so far was signed with (the Swift type nests the identity).
    @Test func recorderPartIsWrittenFlat() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: try encoder.encode(Self.record.recorder), as: UTF8.self)
        #expect(text == #"{"driver":"zfy-bulk-v1","firmware":"2.1.7","hardwareId":"HW-1","model":"DSJ-V9","officerName":"张三","officerNumber":"010001","protocolVersion":1,"serial":"A100001","unitName":"北京市公安局朝阳分局","unitNumber":"110105000000"}"#)
        #expect(try JSONDecoder().decode(CustodyRecord.Recorder.self, from: Data(text.utf8)) == Self.record.recorder)
        #expect(Self.record.recorder.officerNumber == "010001")
    }

    @Test func canonicalJSONIsSortedPrettyUnescapedAndEndsWithANewline() throws {
        let text = String(decoding: try Self.record.canonicalJSON(), as: UTF8.self)
        #expect(text.hasPrefix("{\n") && text.hasSuffix("}\n") && !text.hasSuffix("\n\n"))
        #expect(text.contains("\"data/DCIM/100MEDIA/20261126_081502_0001.MP4\""))
        #expect(!text.contains("\\/"))
        #expect(text.contains("北京市公安局朝阳分局"))
        // Top-level keys in sorted order.
        let top = ["anomalies", "bay", "clock", "dock", "files", "gateway", "recorder", "totals"]
        let positions = top.map { text.range(of: "\n  \"\($0)\"")!.lowerBound }
        #expect(positions == positions.sorted())
    }

    @Test func optionalFieldsThatAreNilAreLeftOut() throws {
        var record = Self.record
        record.gateway.publicKey = nil
        record.files = [Self.file(1, path: Array("a.mp4".utf8), bagPath: "data/a.mp4", sha: nil)]
        record.anomalies = [.init(code: "c", detail: "d")]
        let text = String(decoding: try record.canonicalJSON(), as: UTF8.self)
        for key in ["publicKey", "devicePathHex", "deviceSha256", "\"sha256\"", "\"file\""] {
            #expect(!text.contains(key), "\(key) written although nil")
        }
        #expect(!text.contains("null"))
    }

    @Test(arguments: [
        (Array("DCIM/a.MP4".utf8), "DCIM/a.MP4", nil),
        (Array("视频/执法_001.MP4".utf8), "视频/执法_001.MP4", nil),
        ([0x41, 0x00, 0x42], "A\u{0}B", "410042"),
        ([0x41, 0x0A, 0x42], "A\nB", "410a42"),
        ([0x41, 0xC2, 0x85], "A\u{85}", "41c285"),
        ([0x41, 0xFF, 0x42], "A\u{FFFD}B", "41ff42"),
        ([0xC0, 0xAE], "\u{FFFD}\u{FFFD}", "c0ae"),
    ] as [([UInt8], String, String?)])
    func devicePathHexIsThereOnlyWhenTheTextIsNotTheBytes(bytes: [UInt8], text: String, hex: String?) {
        let file = Self.file(1, path: bytes, bagPath: "data/x")
        #expect(file.devicePath == text)
        #expect(file.devicePathHex == hex)
        var changed = file
        changed.setDevicePath(Array("ok".utf8))
        #expect(changed.devicePath == "ok" && changed.devicePathHex == nil)
    }

    @Test func aNonFiniteNumberIsRefusedNamingItsField() {
        var record = Self.record
        record.clock?.offsetMs = .nan
        #expect {
            try record.canonicalJSON()
        } throws: { error in
            guard case CustodyRecordError.notEncodable(let field, _) = error else { return false }
            return field == "clock.offsetMs"
        }
        record = Self.record
        record.totals.seconds = .infinity
        #expect(throws: CustodyRecordError.self) { try record.canonicalJSON() }
    }

    /// A recorder whose family cannot read its clock: the record has no `clock` at all (never an
    /// offset of 0), and it round-trips; a record with a clock still reads as before.
    @Test func aRecordWithoutAClockLeavesItOut() throws {
        var record = Self.record
        record.clock = nil
        let json = try record.canonicalJSON()
        #expect(!String(decoding: json, as: UTF8.self).contains("\"clock\""))
        #expect(!String(decoding: json, as: UTF8.self).contains("offsetMs"))
        let decoded = try CustodyRecord(json: json)
        #expect(decoded == record && decoded.clock == nil)
        #expect(try CustodyRecord(json: try Self.record.canonicalJSON()).clock?.offsetMs == 812.25)
    }

    @Test func garbageIsNotACustodyRecord() {
        #expect(throws: CustodyRecordError.self) { try CustodyRecord(json: Data("{\"bay\": 3}".utf8)) }
    }
}

/// The source medium and per-file runs and verification are optional members: a record without
/// them is written exactly as before, one with them round-trips in the same canonical layout.
@Suite struct CustodyRecordSourceTests {
    @Test func aRecordWithoutSourceIsWrittenAsBefore() throws {
        let json = try CustodyRecordTests.record.canonicalJSON()
        let text = String(decoding: json, as: UTF8.self)
        for key in ["\"source\"", "\"extents\"", "\"sourceVerification\""] { #expect(!text.contains(key)) }
        // The SHA-256 of this record's bytes as the gateway wrote them before these members.
        #expect(hexString(SHA256Hasher.hash(json)) == CustodyRecordSourceTests.before)
    }

    static let before = "2a761cef169697d2b4c3f9b44735b9354bfc1985f1d6a054945070211ff97df2"

    @Test func sourceAndExtentsRoundTripInTheCanonicalLayout() throws {
        var record = CustodyRecordTests.record
        record.source = SourceMedium(
            disk: .init(vendor: "ZFY", product: "DSJ-V9", revision: "1.0", blockSize: 512, blockCount: 1 << 20),
            volumes: [.init(fileSystem: "FAT32", label: "REC", serial: "1234ABCD", partitionScheme: "MBR", partitionNumber: 1,
                            startBlock: 2048, blocks: 1_000_000, bytesPerSector: 512, bytesPerCluster: 32768, clusterCount: 15_600)])
        record.files[0].extents = [SourceExtent(volume: 0, firstCluster: 5, clusterCount: 3, offset: 1_048_576 + 5 * 32768, length: 98304),
                                   SourceExtent(volume: 0, firstCluster: 90, clusterCount: 1, offset: 9_000_000, length: 1)]
        record.files[0].sourceVerification = "second-read-agreed"
        record.files[1].extents = []
        record.files[1].sourceVerification = "not-done"
        let json = try record.canonicalJSON()
        #expect(try CustodyRecord(json: json) == record)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        #expect(try encoder.encode(record) + Data("\n".utf8) == json)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains("\"sourceVerification\" : \"second-read-agreed\"") && text.contains("\"serial\" : \"1234ABCD\""))
    }
}
