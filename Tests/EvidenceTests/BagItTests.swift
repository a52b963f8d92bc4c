import Evidence
import Foundation
import GatewayCrypto
import Testing

@Suite struct BagItTests {
    static func digest(_ s: String) -> [UInt8] { SHA256Hasher.hash(Array(s.utf8)) }

    @Test func declarationIsExactlyBagIt10InUTF8() {
        #expect(BagIt.declaration == "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
    }

    @Test func manifestLinesAreSortedLowercaseHexTwoSpacesPath() {
        let text = BagIt.manifest([
            (path: "data/b.mp4", sha256: Self.digest("b")),
            (path: "data/A.mp4", sha256: Self.digest("A")),
            (path: "data/视频/x.mp4", sha256: Self.digest("x")),
            (path: "data/a.mp4", sha256: Self.digest("a")),
        ])
        #expect(text == """
            \(hexString(Self.digest("A")))  data/A.mp4
            \(hexString(Self.digest("a")))  data/a.mp4
            \(hexString(Self.digest("b")))  data/b.mp4
            \(hexString(Self.digest("x")))  data/视频/x.mp4

            """)
        #expect(BagIt.manifest([]) == "")
    }

    @Test func manifestIsTheSameWhateverOrderTheFilesCameIn() {
        let entries = (0..<50).map { (path: "data/f\($0).mp4", sha256: Self.digest("\($0)")) }
        #expect(BagIt.manifest(entries) == BagIt.manifest(entries.reversed()))
        #expect(BagIt.manifest(entries) == BagIt.manifest(entries.shuffled()))
    }

    /// The manifest is written line by line (#11); its bytes and order are those of the
    /// whole-text manifest every bag so far was sealed with: lines made whole, then sorted by
    /// written path (String equality, then UTF-8 order) and hex digest.
    @Test func theManifestWrittenLineByLineIsTheOneMadeWhole() {
        var rng = SystemRandomNumberGenerator()
        let parts = ["a", "B", "%", "\r", "\n", "\r\n", "é", "e\u{301}", "视频", "/", " ", "0"]
        var entries: [(path: String, sha256: [UInt8])] = (0..<400).map { i in
            let path = "data/" + (0..<Int.random(in: 1...4, using: &rng)).map { _ in parts.randomElement(using: &rng)! }.joined()
            return (path, Self.digest("\(i % 7)"))
        }
        // The same path twice with two digests, and two paths equal as Strings but not as bytes.
        entries += [("data/twin", Self.digest("2")), ("data/twin", Self.digest("1")),
                    ("data/caf\u{E9}", Self.digest("3")), ("data/cafe\u{301}", Self.digest("4"))]
        entries.shuffle(using: &rng)
        let made = entries.map { (path: BagIt.percentEncoded($0.path), digest: hexString($0.sha256)) }.sorted { a, b in
            if a.path != b.path { return a.path.utf8.lexicographicallyPrecedes(b.path.utf8) }
            return a.digest.utf8.lexicographicallyPrecedes(b.digest.utf8)
        }
        let whole = made.map { "\($0.digest)  \($0.path)\n" }.joined()
        var lines: [String] = []
        BagIt.writeManifest(entries) { lines.append($0) }
        #expect(lines.count == entries.count && lines.allSatisfy { $0.hasSuffix("\n") && $0.utf8.filter { $0 == 0x0A }.count == 1 })
        #expect(Array(lines.joined().utf8) == Array(whole.utf8))
        #expect(Array(BagIt.manifest(entries).utf8) == Array(whole.utf8))
    }

    @Test(arguments: [
        ("data/100%.mp4", "data/100%25.mp4"),
        ("data/a\nb", "data/a%0Ab"),
        ("data/a\rb", "data/a%0Db"),
        ("data/a\r\nb", "data/a%0D%0Ab"),
        ("data/%0A", "data/%250A"),
        ("data/plain 执法.mp4", "data/plain 执法.mp4"),
    ])
    func pathsPercentEncodePercentCRAndLFOnly(path: String, encoded: String) {
        #expect(BagIt.percentEncoded(path) == encoded)
        #expect(BagIt.manifest([(path: path, sha256: Self.digest(""))]) == hexString(Self.digest("")) + "  " + encoded + "\n")
    }

    @Test func payloadOxumIsBytesDotFiles() {
        #expect(BagIt.payloadOxum(bytes: 0, files: 0) == "0.0")
        #expect(BagIt.payloadOxum(bytes: 36_000_000_000, files: 412) == "36000000000.412")
        #expect(BagIt.payloadOxum(bytes: .max, files: 1) == "18446744073709551615.1")
    }
}

@Suite struct BagInfoTests {
    @Test func textIsOneLabelValueLinePerElementInOrder() throws {
        let info = try BagInfo([(label: "Source-Organization", value: "北京市公安局朝阳分局"), (label: "Bay", value: "3"),
                                (label: "Contact-Name", value: "A"), (label: "Contact-Name", value: "B"), (label: "Empty", value: "")])
        #expect(info.text() == "Source-Organization: 北京市公安局朝阳分局\nBay: 3\nContact-Name: A\nContact-Name: B\nEmpty: \n")
        #expect(info.values(for: "Contact-Name") == ["A", "B"])
        #expect(info.elements.count == 5)
    }

    @Test(arguments: [
        ("Officer-Name", "张三\n李四", "line feed"),
        ("Officer-Name", "张三\r", "carriage return"),
        ("Unit-Name", "a\u{85}b", "NEL"),
        ("Unit-Name", "a\u{2028}b", "U+2028"),
        ("Gateway-Id", "a\u{0}b", "U+0000"),
        ("Gateway-Id", "a\u{1B}[2Jb", "U+001B"),
        ("Gateway-Id", "tab\there", "U+0009"),
    ])
    func valuesThatWouldBreakTheLineAreRefusedNamingTheLabel(label: String, value: String, named: String) {
        var info = BagInfo()
        #expect(throws: BagInfoError.self) { try info.append(label, value) }
        do {
            try info.append(label, value)
        } catch {
            #expect(error.label == label)
            #expect(error.description.contains(label) && error.description.contains(named), "\(error)")
        }
        #expect(info.elements.isEmpty)
    }

    @Test(arguments: ["", "Bad:Label", " Leading", "Trailing ", "Line\nBreak", "\t"])
    func labelsThatCannotBeParsedBackAreRefused(label: String) {
        var info = BagInfo()
        do {
            try info.append(label, "v")
            Issue.record("label \(label.debugDescription) was accepted")
        } catch {
            guard case .invalidLabel(let named, _) = error else { Issue.record("\(error)"); return }
            #expect(named == label)
        }
    }

    @Test func dockSessionBagInfoHasTheGatewayLabelsInOrder() throws {
        let info = try BagInfo.dockSession(
            sourceOrganization: "北京市公安局朝阳分局", externalIdentifier: "A100001",
            baggingDate: Date(timeIntervalSince1970: 1_795_680_902.123), payloadBytes: 123_456, payloadFiles: 3,
            officerNumber: "010001", officerName: "张三", unitNumber: "110105000000", gatewayId: "kiosk-07", bay: "3",
            dockStart: Date(timeIntervalSince1970: 1_795_680_902.123), dockEnd: Date(timeIntervalSince1970: 1_795_681_000),
            clockOffsetMs: -1234.5)
        #expect(info.text() == """
            Source-Organization: 北京市公安局朝阳分局
            External-Identifier: A100001
            Bagging-Date: 2026-11-26
            Payload-Oxum: 123456.3
            Officer-Number: 010001
            Officer-Name: 张三
            Unit-Number: 110105000000
            Gateway-Id: kiosk-07
            Bay: 3
            Dock-Start-UTC: 2026-11-26T08:15:02.123Z
            Dock-End-UTC: 2026-11-26T08:16:40.000Z
            Clock-Offset-Ms: -1234.500
            Bag-Software-Agent: recorder-gateway

            """)
    }

    @Test func anUnmeasuredClockLeavesOutItsLabelAndAHostileNameIsRefused() throws {
        func make(officerName: String, offset: Double?) throws(BagInfoError) -> BagInfo {
            try BagInfo.dockSession(sourceOrganization: "U", externalIdentifier: "A100001", baggingDate: Date(timeIntervalSince1970: 0),
                                    payloadBytes: 0, payloadFiles: 0, officerNumber: "010001", officerName: officerName,
                                    unitNumber: "110105000000", gatewayId: "g", bay: "1", dockStart: Date(timeIntervalSince1970: 0),
                                    dockEnd: Date(timeIntervalSince1970: 0), clockOffsetMs: offset)
        }
        #expect(try make(officerName: "", offset: nil).values(for: "Clock-Offset-Ms").isEmpty)
        #expect(try make(officerName: "", offset: 0.0004).values(for: "Clock-Offset-Ms") == ["0.000"])
        #expect(try make(officerName: "", offset: 86_400_000.25).values(for: "Clock-Offset-Ms") == ["86400000.250"])
        // 150 years, and offsets no millisecond count can carry exactly, written as the double
        // they are: a device reading Int64.min is 57 years further off than Int64.min ms (it was
        // clamped to it), and -1e300 is not -9223372036854775808 either.
        #expect(try make(officerName: "", offset: -4_730_400_000_123.4).values(for: "Clock-Offset-Ms") == ["-4730400000123.400"])
        #expect(try make(officerName: "", offset: -9_223_373_836_854_775_808).values(for: "Clock-Offset-Ms") == ["-9223373836854775808.000"])
        #expect(try make(officerName: "", offset: 9_223_372_036_854_775_808).values(for: "Clock-Offset-Ms") == ["9223372036854775808.000"])
        let huge = try #require(try make(officerName: "", offset: -1e300).values(for: "Clock-Offset-Ms").first)
        #expect(huge.hasPrefix("-10000000000000000525047602552044202487044685811081591549158541155118") && huge.hasSuffix(".000") && huge.count == 306)
        #expect(throws: BagInfoError.invalidValue(label: "Officer-Name",
                                                  reason: "contains a line feed (LF); bag-info values are one line, never folded")) {
            try make(officerName: "张三\nFake-Label: x", offset: nil)
        }
    }
}

@Suite struct ManifestParsingTests {
    @Test func aWrittenManifestParsesBack() throws {
        let entries: [(path: String, sha256: [UInt8])] = [("data/a b.mp4", [UInt8](repeating: 1, count: 32)),
                                                          ("data/100%.txt", [UInt8](repeating: 2, count: 32))]
        let lines = try BagIt.parseManifest(BagIt.manifest(entries))
        #expect(Set(lines.map(\.path)) == ["data/a b.mp4", "data/100%.txt"])
        #expect(lines.first { $0.path == "data/a b.mp4" }?.sha256 == [UInt8](repeating: 1, count: 32))
    }

    static let bad: [(String, Int)] = [
        ("nothex  data/a\n", 1),
        (String(repeating: "a", count: 64) + "  ../etc/passwd\n", 1),
        (String(repeating: "a", count: 64) + "  /abs\n", 1),
        (String(repeating: "a", count: 64) + "  data/x\n" + String(repeating: "b", count: 64) + "  data/x\n", 2),
        ("\n" + String(repeating: "a", count: 64) + "\n", 2),
    ]

    @Test(arguments: bad.indices)
    func aBadLineIsNamed(index: Int) {
        let (text, line) = Self.bad[index]
        #expect { _ = try BagIt.parseManifest(text) } throws: { ($0 as? BagIt.ManifestError)?.line == line }
    }
}
