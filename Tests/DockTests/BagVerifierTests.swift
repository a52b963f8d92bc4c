import Dock
import Evidence
import EvidenceStore
import Foundation
import GatewayCrypto
import Testing

/// `BagVerifier` against bags the gateway sealed, and against what a forger without the
/// gateway key can do to them.
@Suite struct BagVerifierTests {
    /// A kiosk that has sealed one bag of the standard recordings, and that bag's path.
    static func sealedBag() async throws -> (kiosk: TestKiosk, bag: String) {
        let kiosk = try TestKiosk()
        let (out, _) = await kiosk.dockOne(try recorderScenario())
        return (kiosk, try #require(out.bagPath))
    }

    static func verifier(_ kiosk: TestKiosk) throws -> BagVerifier {
        let pem = try String(contentsOfFile: kiosk.config.store + "/gateway.pub", encoding: .utf8)
        return BagVerifier(trustedKey: try Ed25519PublicKey(pemRepresentation: pem))
    }

    @Test func aBagAsSealedVerifies() async throws {
        let (kiosk, bag) = try await Self.sealedBag()
        let result = try Self.verifier(kiosk).verify(bag: bag)
        #expect(result.isIntact, "\(result.problems)")
        #expect(result.files == 4)
    }

    @Test func aFilePlantedInBothManifestsAndTheOxumFailsNamingIt() async throws {
        let (kiosk, bag) = try await Self.sealedBag()
        try BagForgery.plant(Array("not footage from this recorder".utf8), at: "data/DCIM/100MEDIA/PLANTED.MP4", in: bag)
        // The BagIt layer is consistent again: the Library of Congress tool accepts the bag.
        let (status, output) = try run(["python3", "-m", "bagit", "--validate", bag])
        #expect(status == 0, "\(output)")
        // The signed file list does not name the file: that is what must fail.
        let problems = try Self.verifier(kiosk).verify(bag: bag).problems
        #expect(problems.contains { $0.hasPrefix("data/DCIM/100MEDIA/PLANTED.MP4: ") && $0.contains("not in custody.json") }, "\(problems)")
    }

    @Test func aRecordedFileTakenOutOfPayloadAndManifestsFailsNamingIt() async throws {
        let (kiosk, bag) = try await Self.sealedBag()
        try BagForgery.remove("data/DCIM/100MEDIA/0002.JPG", from: bag)
        let (status, output) = try run(["python3", "-m", "bagit", "--validate", bag])
        #expect(status == 0, "\(output)")
        let problems = try Self.verifier(kiosk).verify(bag: bag).problems
        #expect(problems.contains { $0.hasPrefix("data/DCIM/100MEDIA/0002.JPG: ") && $0.contains("not in manifest-sha256.txt") }, "\(problems)")
    }

    @Test func aRecordedFileReplacedInPayloadAndManifestsFailsNamingIt() async throws {
        let (kiosk, bag) = try await Self.sealedBag()
        try BagForgery.plant(Array("a different photo".utf8), at: "data/DCIM/100MEDIA/0002.JPG", in: bag)
        let problems = try Self.verifier(kiosk).verify(bag: bag).problems
        #expect(problems.contains { $0.hasPrefix("data/DCIM/100MEDIA/0002.JPG: ") && $0.contains("SHA-256") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("data/DCIM/100MEDIA/0002.JPG: ") && $0.contains("17 bytes") }, "\(problems)")
    }
}
