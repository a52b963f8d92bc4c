import Evidence
import EvidenceStore
import Foundation
import TestSupport
import Testing

/// The audit log in segments (Docs/evidence-format.md §6.6): sealed by size, one chain across
/// them, verified as one, and every way of losing or misplacing a segment named.
@Suite struct AuditSegmentTests {
    /// A store directory with `count` entries appended through a log sealed at `segmentBytes`.
    static func makeLog(_ count: Int, segmentBytes: Int) async throws -> (TemporaryDirectory, StoreLayout) {
        let dir = try TemporaryDirectory("audit-segments")
        let layout = StoreLayout(root: dir.url.path)
        let log = try AuditLogFile(path: layout.auditLogPath, segmentBytes: segmentBytes)
        for i in 1...count {
            try await log.append(.recordingIngested, serial: "A100001", bay: "1-1",
                                 detail: ["recordingId": "\(i)", "sha256": String(repeating: "ab", count: 32)])
        }
        return (dir, layout)
    }

    static func names(_ layout: StoreLayout) -> [String] { layout.auditSegments().map(\.name) }

    /// What Python's json and hashlib would check, done here over the plain concatenation of
    /// the segments' bytes in name order: one unbroken chain, seq 1...n.
    static func concatenation(_ layout: StoreLayout) throws -> String {
        try layout.auditSegments().map { try String(contentsOfFile: $0.path, encoding: .utf8) }.joined()
    }

    @Test func segmentNamesCarryTheFirstSeqAndNothingElseIsASegment() {
        #expect(AuditSegmentName.sealed(firstSeq: 1) == "audit-000000000001.jsonl")
        #expect(AuditSegmentName.sealed(firstSeq: 1_234_567_890_123) == "audit-1234567890123.jsonl")
        #expect(AuditSegmentName.firstSeq(ofSealed: "audit-000000000042.jsonl") == 42)
        for name in ["audit.jsonl", "audit-42.jsonl", "audit-00000000004x.jsonl", "audit-000000000042.jsonl.bak",
                     "xaudit-000000000042.jsonl", "audit-+00000000042.jsonl"] {
            #expect(AuditSegmentName.firstSeq(ofSealed: name) == nil, "\(name)")
        }
    }

    @Test func aFullSegmentIsSealedAndTheChainRunsOnAcrossSegments() async throws {
        // An entry is ~330 bytes: 1000-byte segments hold three or four.
        let (dir, layout) = try await Self.makeLog(30, segmentBytes: 1000)
        defer { dir.remove() }
        let segments = layout.auditSegments()
        #expect(segments.count >= 8 && segments.last?.name == "audit.jsonl", "\(Self.names(layout))")
        for segment in segments.dropLast() {
            let first = AuditChain.firstEntry(in: try String(contentsOfFile: segment.path, encoding: .utf8))
            #expect(first?.seq == segment.namedFirstSeq, "\(segment.name)")
            #expect(try FileManager.default.attributesOfItem(atPath: segment.path)[.size] as! Int >= 1000)
        }
        let walked = try #require(StoreAuditLog(layout).verification)
        #expect(walked.isIntact, "\(walked.problems)")
        #expect(walked.entries == 30 && walked.last?.seq == 30 && walked.sealed.count == 30)
        // The same chain as one text: the segments are cuts of one log, nothing added between.
        let whole = AuditChain.verify(try Self.concatenation(layout))
        #expect(whole.isIntact && whole.entries == 30 && whole.last == walked.last)
    }

    @Test func reopeningTheLogContinuesTheChain() async throws {
        let (dir, layout) = try await Self.makeLog(10, segmentBytes: 1000)
        defer { dir.remove() }
        let reopened = try AuditLogFile(path: layout.auditLogPath, segmentBytes: 1000)
        let next = try await reopened.append(.undocked, serial: "A100001", bay: "1-1")
        #expect(next.seq == 11)
        let walked = try #require(StoreAuditLog(layout).verification)
        #expect(walked.isIntact && walked.entries == 11, "\(walked.problems)")
    }

    /// The gateway stopped after sealing a segment and before the first entry of the next: no
    /// audit.jsonl. The next start continues from the newest sealed segment.
    @Test func aStopRightAfterSealingLosesNothing() async throws {
        let (dir, layout) = try await Self.makeLog(5, segmentBytes: 1 << 20)
        defer { dir.remove() }
        try FileManager.default.moveItem(atPath: layout.auditLogPath,
                                         toPath: layout.auditDirectory + "/" + AuditSegmentName.sealed(firstSeq: 1))
        #expect(Self.names(layout) == ["audit-000000000001.jsonl"])
        let log = try AuditLogFile(path: layout.auditLogPath, segmentBytes: 1 << 20)
        #expect(await log.head?.seq == 5)
        let next = try await log.append(.gatewayStarted, detail: ["mode": "test"])
        #expect(next.seq == 6)
        #expect(Self.names(layout) == ["audit-000000000001.jsonl", "audit.jsonl"])
        let walked = try #require(StoreAuditLog(layout).verification)
        #expect(walked.isIntact && walked.entries == 6, "\(walked.problems)")
    }

    /// A file already at the sealed name is never overwritten: the append fails, naming it, and
    /// the open segment keeps every entry.
    @Test func aSealedNameThatIsTakenIsNeverOverwritten() async throws {
        let (dir, layout) = try await Self.makeLog(4, segmentBytes: 1000)
        defer { dir.remove() }
        let open = try #require(AuditChain.firstEntry(in: try String(contentsOfFile: layout.auditLogPath, encoding: .utf8)))
        let taken = layout.auditDirectory + "/" + AuditSegmentName.sealed(firstSeq: open.seq)
        // Fill the open segment so that the next append must seal it.
        let log = try AuditLogFile(path: layout.auditLogPath, segmentBytes: 1000)
        while (try FileManager.default.attributesOfItem(atPath: layout.auditLogPath)[.size] as! Int) < 1000 {
            try await log.append(.undocked)
        }
        try "someone else's file\n".write(toFile: taken, atomically: false, encoding: .utf8)
        let before = try String(contentsOfFile: layout.auditLogPath, encoding: .utf8)
        await #expect {
            try await log.append(.undocked)
        } throws: { error in
            "\(error)".contains(taken) && "\(error)".contains("already exists")
        }
        #expect(try String(contentsOfFile: taken, encoding: .utf8) == "someone else's file\n")
        #expect(try String(contentsOfFile: layout.auditLogPath, encoding: .utf8) == before)
    }

    @Test func aLostSegmentIsNamedAtTheSegmentAfterIt() async throws {
        let (dir, layout) = try await Self.makeLog(30, segmentBytes: 1000)
        defer { dir.remove() }
        let segments = layout.auditSegments()
        try FileManager.default.removeItem(atPath: segments[2].path)
        let walked = try #require(StoreAuditLog(layout).verification)
        let after = segments[3].name
        #expect(walked.problems.map { "\($0.segment ?? "-") \($0.line) \($0.reason.rawValue)" } == ["\(after) 1 broken", "\(after) 1 sequence"])
        #expect(walked.problems[0].description.hasPrefix("\(after) line 1: prev does not match the hash of the previous segment's last line"))
    }

    @Test func aLostFirstSegmentIsTheLogsBeginningMissing() async throws {
        let (dir, layout) = try await Self.makeLog(12, segmentBytes: 1000)
        defer { dir.remove() }
        try FileManager.default.removeItem(atPath: layout.auditSegments()[0].path)
        let walked = try #require(StoreAuditLog(layout).verification)
        #expect(walked.problems.first?.description.contains("the beginning of the log is missing") == true, "\(walked.problems)")
        #expect(Set(walked.problems.map(\.reason)) == [.broken, .sequence])
    }

    @Test func aSegmentUnderAnotherNameIsNamed() async throws {
        let (dir, layout) = try await Self.makeLog(30, segmentBytes: 1000)
        defer { dir.remove() }
        let segments = layout.auditSegments()
        // The newest sealed segment, renamed as if it began later: still in order, misnamed.
        let victim = segments[segments.count - 2]
        let wrong = AuditSegmentName.sealed(firstSeq: try #require(victim.namedFirstSeq) + 1)
        try FileManager.default.moveItem(atPath: victim.path, toPath: layout.auditDirectory + "/" + wrong)
        let walked = try #require(StoreAuditLog(layout).verification)
        #expect(walked.problems.map(\.reason) == [.segment], "\(walked.problems)")
        #expect(walked.problems.first?.description == "\(wrong) line 1: the segment's name says it begins at seq \(victim.namedFirstSeq! + 1), but its first entry is seq \(victim.namedFirstSeq!)")
        // An empty file with a segment's name is named too.
        try "".write(toFile: layout.auditDirectory + "/" + AuditSegmentName.sealed(firstSeq: 999), atomically: false, encoding: .utf8)
        let again = try #require(StoreAuditLog(layout).verification)
        #expect(again.problems.contains { $0.reason == .segment && $0.description.contains("holds no entry") })
    }

    @Test func aLogOfOneFileReadsAsBefore() async throws {
        let (dir, layout) = try await Self.makeLog(3, segmentBytes: 1 << 20)
        defer { dir.remove() }
        #expect(Self.names(layout) == ["audit.jsonl"])
        var text = try String(contentsOfFile: layout.auditLogPath, encoding: .utf8)
        text.removeLast()
        try text.write(toFile: layout.auditLogPath, atomically: false, encoding: .utf8)
        let walked = try #require(StoreAuditLog(layout).verification)
        #expect(walked.problems.map(\.description) == [AuditChain.verify(text).problems[0].description])
        #expect(walked.problems[0].description.hasPrefix("line 3: has no final newline") && walked.problems[0].segment == nil)
    }
}
