import Evidence
import Foundation
import TestSupport
import Testing

@Suite struct AuditChainTests {
    static let start = Date(timeIntervalSince1970: 1_795_680_900)

    /// A log of eight entries as a dock session writes them; the last detail is hostile text.
    static func makeLog() -> [AuditEntry] {
        var chain = AuditChain(last: nil)
        let steps: [(AuditEvent, String?, String?, [String: String])] = [
            (.gatewayStarted, nil, nil, ["version": "0.3.0"]),
            (.docked, nil, "3", ["usb": "1-1.4"]),
            (.identified, "A100001", "3", ["officer": "010001", "unit": "110105000000", "name": "张三"]),
            (.clockOffset, "A100001", "3", ["offsetMs": "812.250", "roundTripMs": "3.500"]),
            (.recordingIngested, "A100001", "3", ["recording": "1", "path": "data/DCIM/a.MP4", "sha256": String(repeating: "ab", count: 32)]),
            (.hashMismatch, "A100001", "3", ["recording": "2", "reason": "device says \"ab\"\nsecond line\t\u{1}\\"]),
            (.bagFinalized, "A100001", "3", ["bag": "/srv/bags/A100001-20261126T081500Z", "B": "1", "a10": "2", "a2": "3", "é": "4"]),
            (.undocked, "A100001", "3", [:]),
        ]
        return steps.enumerated().map { i, step in
            chain.append(step.0, serial: step.1, bay: step.2, detail: step.3, at: start.addingTimeInterval(Double(i) * 1.5)).entry
        }
    }

    static func text(_ entries: [AuditEntry]) -> String { entries.map(\.line).joined() }
    static func text(lines: [String]) -> String { lines.joined() }

    static func summary(_ v: AuditVerification) -> [String] {
        v.problems.map { "\($0.line) \($0.reason.rawValue)" }
    }

    @Test func anIntactChainVerifies() {
        let log = Self.makeLog()
        let result = AuditChain.verify(Self.text(log))
        #expect(result.isIntact, "\(result.problems)")
        #expect(result.entries == 8 && result.last == log.last)
        #expect(log.map(\.seq) == Array(1...8))
        #expect(log[0].prev == String(repeating: "0", count: 64))
        for i in 1..<log.count { #expect(log[i].prev == log[i - 1].hash) }
        #expect(log.allSatisfy { $0.hash == $0.computedHash && $0.hash.count == 64 })
        #expect(log[0].time == "2026-11-26T08:15:00.000Z" && log[1].time == "2026-11-26T08:15:01.500Z")
        #expect(AuditChain.verify("").isIntact && AuditChain.verify("").entries == 0)
    }

    @Test func everyLineIsOneLineWhateverTheDetailSays() {
        for entry in Self.makeLog() {
            #expect(entry.line.filter { $0 == "\n" }.count == 1 && entry.line.hasSuffix("\n"))
            #expect(!entry.line.contains("\r") && !entry.line.contains("\\/"))
        }
    }

    @Test func aFixedEntryHasAFixedHash() {
        // Pinned so the canonical form cannot drift unnoticed. The value is what Python gives:
        // sha256(json.dumps(entry without hash, sort_keys=True, separators=(",", ":"), ensure_ascii=False)).
        let entry = AuditEntry(seq: 1, time: "2026-11-26T08:15:00.000Z", event: "docked", serial: "A100001", bay: "3",
                               detail: ["usb": "1-1.4", "note": "执法/\"x\"\n"], prev: AuditChain.genesis)
        #expect(entry.line == #"{"bay":"3","detail":{"note":"执法/\"x\"\n","usb":"1-1.4"},"event":"docked","hash":"\#(entry.hash)","prev":"0000000000000000000000000000000000000000000000000000000000000000","seq":1,"serial":"A100001","time":"2026-11-26T08:15:00.000Z"}"# + "\n")
        #expect(entry.hash == "8e526d29e4fbba7c8b45cbf4f6eec952a5961ce0bcd65ac3e0deb657d61b0803")
    }

    @Test func pythonRecomputesEveryHashFromTheLineAlone() throws {
        let dir = try TemporaryDirectory("audit")
        defer { dir.remove() }
        try dir.write("audit.jsonl", Self.text(Self.makeLog()))
        let script = """
            import hashlib, json, sys
            for n, line in enumerate(open(sys.argv[1], encoding="utf-8", newline="\\n"), 1):
                entry = json.loads(line)
                seal = entry.pop("hash")
                body = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                assert hashlib.sha256(body.encode()).hexdigest() == seal, f"line {n}: hash"
                entry["hash"] = seal
                assert json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\\n" == line, f"line {n}: form"
            print("ok", n)
            """
        let result = try run(["python3", "-c", script, dir.url.appendingPathComponent("audit.jsonl").path])
        #expect(result.status == 0 && result.output == "ok 8\n", "\(result.output)")
    }

    /// Ways to change one field of an entry after it was sealed (the stale hash is kept,
    /// except where the hash itself is what changes).
    static let edits: [(String, @Sendable (inout AuditEntry) -> Void)] = [
        ("seq", { $0.seq += 1 }),
        ("time", { $0.time = "2026-11-26T09:00:00.000Z" }),
        ("event", { $0.event = $0.event == "released" ? "error" : "released" }),
        ("serial", { $0.serial = $0.serial == nil ? "B200002" : nil }),
        ("bay", { $0.bay = $0.bay == "4" ? "5" : "4" }),
        ("detail added", { $0.detail["forged"] = "yes" }),
        ("detail value", { $0.detail = $0.detail.isEmpty ? ["k": "v"] : $0.detail.mapValues { $0 + "." } }),
        ("detail removed", { $0.detail = $0.detail.isEmpty ? ["x": ""] : [:] }),
        ("prev", { $0.prev = String(repeating: "1", count: 64) }),
        ("hash", { $0.hash = String(repeating: "f", count: 64) }),
    ]

    @Test(arguments: edits.indices)
    func changingAnyFieldOfAnyEntryIsCaughtOnItsLine(edit: Int) {
        let (field, change) = Self.edits[edit]
        let log = Self.makeLog()
        for i in log.indices {
            var lines = log.map(\.line)
            var entry = log[i]
            change(&entry)
            lines[i] = entry.line
            let result = AuditChain.verify(Self.text(lines: lines))
            #expect(result.problems.first.map { "\($0.line) \($0.reason.rawValue)" } == "\(i + 1) changed",
                    "\(field) of entry \(i + 1): \(Self.summary(result))")
            #expect(result.problems.allSatisfy { $0.line >= i + 1 })
            #expect(result.problems.first?.description.hasPrefix("line \(i + 1): ") == true)
        }
    }

    @Test func reformattingALineIsAChangeEvenIfTheContentIsTheSame() {
        let log = Self.makeLog()
        for (what, reformat) in [("space", { (s: String) in s.replacingOccurrences(of: "\"seq\":", with: "\"seq\": ") }),
                                 ("CRLF", { (s: String) in String(s.dropLast()) + "\r\n" }),
                                 ("escaped slash", { (s: String) in s.replacingOccurrences(of: "data/DCIM", with: "data\\/DCIM") }),
                                 ("duplicate member", { (s: String) in s.replacingOccurrences(of: "{\"bay\"", with: "{\"event\":\"forged\",\"bay\"") })] {
            var lines = log.map(\.line)
            lines[4] = reformat(lines[4])
            #expect(lines[4] != log[4].line)
            #expect(Self.summary(AuditChain.verify(Self.text(lines: lines))) == ["5 changed"], "\(what)")
        }
    }

    @Test func deletingAnEntryBreaksTheChainOnTheLineAfterTheGap() {
        let log = Self.makeLog()
        for i in 0..<(log.count - 1) {
            var lines = log.map(\.line)
            lines.remove(at: i)
            let result = AuditChain.verify(Self.text(lines: lines))
            #expect(Self.summary(result) == ["\(i + 1) broken", "\(i + 1) sequence"], "deleting entry \(i + 1)")
        }
    }

    @Test func insertingAForgedEntryWithACorrectOwnHashIsCaught() {
        let log = Self.makeLog()
        for k in 0..<log.count {
            // The forger links to the entry before and numbers it correctly; only the entry
            // after gives it away.
            let forged = AuditEntry(seq: k + 1, time: "2026-11-26T08:15:05.000Z", event: "released", serial: "A100001",
                                    bay: "3", detail: ["recordings": "1,2,3"], prev: k == 0 ? AuditChain.genesis : log[k - 1].hash)
            #expect(forged.hash == forged.computedHash)
            var lines = log.map(\.line)
            lines.insert(forged.line, at: k)
            let result = AuditChain.verify(Self.text(lines: lines))
            #expect(Self.summary(result) == ["\(k + 2) broken", "\(k + 2) sequence"], "forged entry at line \(k + 1)")
        }
    }

    @Test func swappingTwoEntriesIsCaughtWhereTheOrderBreaks() {
        let log = Self.makeLog()
        for i in 0..<(log.count - 1) {
            var lines = log.map(\.line)
            lines.swapAt(i, i + 1)
            let result = AuditChain.verify(Self.text(lines: lines))
            #expect(result.problems.first.map { "\($0.line) \($0.reason.rawValue)" } == "\(i + 1) broken", "swap \(i + 1)/\(i + 2): \(Self.summary(result))")
            #expect(result.problems.contains { $0.line == i + 2 && $0.reason == .broken })
            #expect(!result.problems.contains { $0.reason == .changed })
        }
    }

    @Test func aLastLineCutOffMidAppendIsMalformedAtThatLine() {
        let full = Self.text(Self.makeLog())
        for cut in [1, 2, 40, 200] {
            let result = AuditChain.verify(String(full.utf8.dropLast(cut))!)
            #expect(Self.summary(result) == ["8 malformed"], "cut \(cut) bytes")
            #expect(result.problems.first?.description.contains("no final newline") == true)
            #expect(result.entries == 7)
        }
    }

    @Test func malformedLinesInTheMiddleAreReportedWithoutACascade() {
        let log = Self.makeLog()
        var lines = log.map(\.line)
        lines[2] = "this is not JSON\n"
        #expect(Self.summary(AuditChain.verify(Self.text(lines: lines))) == ["3 malformed"])

        lines = log.map(\.line)
        lines[2] = lines[2].replacingOccurrences(of: "\"event\":\"identified\",", with: "")
        let missing = AuditChain.verify(Self.text(lines: lines))
        #expect(Self.summary(missing) == ["3 malformed"])
        #expect(missing.problems.first?.description.contains("event") == true)

        lines = log.map(\.line)
        lines.insert("\n", at: 5)
        #expect(Self.summary(AuditChain.verify(Self.text(lines: lines))) == ["6 malformed"])
    }

    @Test func cuttingWholeLinesOffTheEndIsNotVisibleToTheChainAlone() {
        // Documented limit: the last hash must also be kept elsewhere (custody record).
        let log = Self.makeLog()
        #expect(AuditChain.verify(Self.text(Array(log.dropLast(2)))).isIntact)
    }

    @Test func aChainResumesFromTheLastCompleteEntry() {
        let log = Self.makeLog()
        let text = Self.text(log)
        #expect(AuditChain.lastEntry(in: text) == log.last)
        #expect(AuditChain.lastEntry(in: "") == nil)
        #expect(AuditChain.lastEntry(in: text + String(log[0].line.prefix(30))) == log.last)
        #expect(AuditChain.lastEntry(in: text + "garbage\n") == log.last)

        var chain = AuditChain(last: AuditChain.lastEntry(in: text))
        let next = chain.append(.gatewayStarted, detail: ["version": "0.3.1"], at: Self.start.addingTimeInterval(3600))
        #expect(next.entry.seq == 9 && next.entry.prev == log.last?.hash && chain.last == next.entry)
        #expect(AuditChain.verify(text + next.line).isIntact)
    }

    @Test func aForgedHugeSequenceNumberDoesNotTrap() {
        let huge = AuditEntry(seq: Int.max, time: "t", event: "error", serial: nil, bay: nil, detail: [:], prev: AuditChain.genesis)
        var chain = AuditChain(last: huge)
        let next = chain.append(.error, at: Self.start)
        let result = AuditChain.verify(huge.line + next.line)
        #expect(result.problems.contains { $0.line == 1 && $0.reason == .sequence })
        #expect(result.entries == 2)
    }

    @Test func eventNamesAreTheOnesTheLogSays() {
        #expect(AuditEvent.allCases.map(\.rawValue) == [
            "docked", "identified", "authenticated", "authentication-failed", "clock-offset", "clock-set",
            "recording-ingested", "hash-mismatch", "quarantined", "read-failed", "bag-finalized", "released", "undocked", "error",
            "gateway-started", "bag-forwarded", "forward-failed", "bag-pruned",
            "vendor-docked", "unlock-step", "unlock-ended", "storage-awaited", "dance-ended", "device-refused",
            "password-refusal-cleared", "vendor-departed",
        ])
    }
}
