import Dock
import Evidence
import EvidenceStore
import Foundation
import GatewayCrypto
import Testing

/// A sealed bag's audit anchor against its store's log, as `recorderctl verify` and
/// `audit verify` check it.
@Suite struct AuditAnchorTests {
    /// The bag's signed anchor.
    static func anchor(of bag: String) throws -> AuditAnchor {
        let record = try CustodyRecord(json: Data(contentsOf: URL(fileURLWithPath: bag + "/custody.json")))
        return try #require(record.audit)
    }

    /// Keeps the first `count` lines of the store's audit log.
    static func cutLog(_ kiosk: TestKiosk, keeping count: Int) throws {
        let path = kiosk.config.store + "/audit/audit.jsonl"
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        try (lines.prefix(count).joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
    }

    static func verifier(_ kiosk: TestKiosk) -> BagVerifier {
        let layout = StoreLayout(root: kiosk.config.store)
        return BagVerifier(trustedKey: layout.publicKey(), auditLog: StoreAuditLog(layout))
    }

    @Test func aSealedBagsAnchorIsInItsStoresLogFollowedByItsBagFinalizedEntry() async throws {
        let (kiosk, bag) = try await BagVerifierTests.sealedBag()
        let result = Self.verifier(kiosk).verify(bag: bag)
        #expect(result.isIntact, "\(result.problems)")
        let anchor = try Self.anchor(of: bag)
        #expect(result.anchor == anchor)
        let log = try #require(StoreAuditLog(StoreLayout(root: kiosk.config.store)).verification)
        #expect(log.sealed.contains(anchor))
        let text = try String(contentsOfFile: kiosk.config.store + "/audit/audit.jsonl", encoding: .utf8)
        let entries = text.split(separator: "\n").compactMap { try? JSONDecoder().decode(AuditEntry.self, from: Data($0.utf8)) }
        let finalized = try #require(entries.first { $0.event == "bag-finalized" && $0.detail["bag"] == (bag as NSString).lastPathComponent })
        #expect(finalized.seq > anchor.seq)
    }

    @Test func aLogCutBeforeTheAnchorFailsTheBagNamingTheSeqAndHash() async throws {
        let (kiosk, bag) = try await BagVerifierTests.sealedBag()
        let anchor = try Self.anchor(of: bag)
        try Self.cutLog(kiosk, keeping: anchor.seq - 1)
        let name = (bag as NSString).lastPathComponent
        let result = Self.verifier(kiosk).verify(bag: bag)
        #expect(result.problems == [AuditAnchorProblem.truncated(bag: name, anchor: anchor, logEnd: anchor.seq - 1).description])
        #expect(result.problems.first?.contains("seq \(anchor.seq), hash \(anchor.hash)") == true)
        let check = try #require(Self.verifier(kiosk).checkAnchor(of: bag))
        #expect(check.problem?.isTruncation == true && check.signed && check.name == name)
    }

    @Test func aLogCutJustAfterTheAnchorStillHoldsIt() async throws {
        let (kiosk, bag) = try await BagVerifierTests.sealedBag()
        try Self.cutLog(kiosk, keeping: try Self.anchor(of: bag).seq)
        #expect(Self.verifier(kiosk).verify(bag: bag).isIntact)
    }

    @Test func aStoreWhoseLogIsGoneFailsEveryAnchoredBag() async throws {
        let (kiosk, bag) = try await BagVerifierTests.sealedBag()
        try FileManager.default.removeItem(atPath: kiosk.config.store + "/audit/audit.jsonl")
        let check = try #require(Self.verifier(kiosk).checkAnchor(of: bag))
        #expect(check.problem == .noLog(bag: check.name, anchor: try Self.anchor(of: bag), path: kiosk.config.store + "/audit/audit.jsonl"))
    }

    @Test func aStoreWithoutALogIsReadWithoutCreatingOne() {
        let root = NSTemporaryDirectory() + "no-log-" + UUID().uuidString
        let log = StoreAuditLog(StoreLayout(root: root))
        #expect(!log.exists && log.verification == nil && log.path == root + "/audit/audit.jsonl")
        #expect(!FileManager.default.fileExists(atPath: root))
    }

    @Test func withoutALogTheAnchorIsNotChecked() async throws {
        let (kiosk, bag) = try await BagVerifierTests.sealedBag()
        try Self.cutLog(kiosk, keeping: 1)
        let verifier = BagVerifier(trustedKey: StoreLayout(root: kiosk.config.store).publicKey())
        #expect(verifier.verify(bag: bag).isIntact)
        #expect(verifier.checkAnchor(of: bag) == nil)
    }
}
