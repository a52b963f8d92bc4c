import Evidence
import Foundation
import GatewayCrypto
import Testing

/// A bag's signed audit anchor looked up in a log: what the chain alone cannot show.
@Suite struct AuditAnchorCheckTests {
    static let log = AuditChainTests.makeLog()
    static func anchor(_ entry: AuditEntry) -> AuditAnchor { AuditAnchor(seq: entry.seq, hash: entry.hash) }

    @Test func everyEntryOfAnIntactLogIsAnAnchorItHolds() {
        let v = AuditChain.verify(AuditChainTests.text(Self.log))
        #expect(v.highestSeq == 8 && v.sealed.count == 8)
        for entry in Self.log { #expect(v.check(Self.anchor(entry), bag: "B") == nil, "seq \(entry.seq)") }
    }

    @Test func aLogCutBeforeTheAnchorIsTruncatedThoughItsChainIsIntact() {
        let cut = AuditChain.verify(AuditChainTests.text(Array(Self.log.prefix(5))))
        #expect(cut.isIntact)
        let anchor = Self.anchor(Self.log[6])
        let problem = cut.check(anchor, bag: "A100001_010001_20261126T081500Z")
        #expect(problem == .truncated(bag: "A100001_010001_20261126T081500Z", anchor: anchor, logEnd: 5))
        #expect(problem?.isTruncation == true)
        #expect(problem?.description == "A100001_010001_20261126T081500Z: anchored at audit entry seq 7, hash \(anchor.hash), but the log ends at seq 5: truncated, entries were cut off its end")
        // What is left before the cut is still found.
        #expect(cut.check(Self.anchor(Self.log[4]), bag: "B") == nil)
    }

    @Test func anEmptyLogHoldsNoAnchor() {
        let anchor = Self.anchor(Self.log[0])
        #expect(AuditChain.verify("").check(anchor, bag: "B") == .truncated(bag: "B", anchor: anchor, logEnd: nil))
    }

    @Test func aTailRewrittenWithFreshHashesDoesNotHoldTheAnchor() {
        // Keep the first four entries, then write entries 5... again: a valid chain, other hashes.
        var chain = AuditChain(last: Self.log[3])
        let forged = Self.log.prefix(4) + (0..<6).map { i in
            chain.append(.docked, bay: "9", at: AuditChainTests.start.addingTimeInterval(Double(100 + i))).entry
        }
        let v = AuditChain.verify(AuditChainTests.text(Array(forged)))
        #expect(v.isIntact && v.highestSeq == 10)
        let anchor = Self.anchor(Self.log[6])
        let problem = v.check(anchor, bag: "B")
        #expect(problem == .notInLog(bag: "B", anchor: anchor))
        #expect(problem?.isTruncation == false)
    }

    @Test func anEntryChangedInPlaceKeepingItsHashIsNotTheAnchor() {
        var lines = Self.log.map(\.line)
        lines[6] = lines[6].replacingOccurrences(of: "\"B\":\"1\"", with: "\"B\":\"9\"")
        let v = AuditChain.verify(AuditChainTests.text(lines: lines))
        #expect(!v.isIntact)
        #expect(v.check(Self.anchor(Self.log[6]), bag: "B") == .notInLog(bag: "B", anchor: Self.anchor(Self.log[6])))
    }

    @Test func noLogAtAllNamesItsPath() {
        let anchor = Self.anchor(Self.log[2])
        let problem = AuditAnchorProblem.noLog(bag: "B", anchor: anchor, path: "/s/audit/audit.jsonl")
        #expect(problem.isTruncation && problem.bag == "B" && problem.anchor == anchor)
        #expect(problem.description.contains("seq 3, hash \(anchor.hash)") && problem.description.contains("/s/audit/audit.jsonl"))
    }
}
