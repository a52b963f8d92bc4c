import Dock
import Evidence
import EvidenceStore
@testable import Forwarding
import Foundation
import Testing

/// What the forward queue takes from a bag the dock sealed.
@Suite struct ForwardEnqueueTests {
    @Test func aBagQueuesPayloadThenTagsWithTheManifestsDigests() async throws {
        let kiosk = try TestKiosk()
        let (outcome, _) = await kiosk.dockOne(try recorderScenario())
        let bag = try #require(outcome.bagPath)
        let objects = try Forwarder.objects(ofBag: (bag as NSString).lastPathComponent, at: bag)
        let manifest = try BagIt.parseManifest(String(contentsOfFile: bag + "/" + BagIt.manifestFileName, encoding: .utf8))
        #expect(Array(objects.prefix(manifest.count)).map(\.path) == manifest.map(\.path))
        #expect(Array(objects.prefix(manifest.count)).map(\.sha256) == manifest.map(\.sha256))
        #expect(objects.suffix(2).map(\.path) == [BagIt.declarationFileName, BagIt.tagManifestFileName])
        #expect(objects.allSatisfy { ForwardSchedule.phase($0) == ($0.path.hasPrefix("data/") ? 0 : $0.path == BagIt.declarationFileName ? 2 : $0.path == BagIt.tagManifestFileName ? 3 : 1) })
    }

    /// The queue keeps the sealed digests, not a fresh hash of files that may have changed:
    /// the bytes are checked against them when read for sending (Tests/cli/forward.sh).
    @Test func aChangedFileIsQueuedWithItsSealedDigest() async throws {
        let kiosk = try TestKiosk()
        let (outcome, _) = await kiosk.dockOne(try recorderScenario())
        let bag = try #require(outcome.bagPath)
        let manifest = try BagIt.parseManifest(String(contentsOfFile: bag + "/" + BagIt.manifestFileName, encoding: .utf8))
        let victim = bag + "/" + manifest[0].path
        chmod(victim, 0o644)
        let handle = try #require(FileHandle(forWritingAtPath: victim))
        try handle.seek(toOffset: 100)
        try handle.write(contentsOf: Data([0x5A]))
        try handle.close()
        let objects = try Forwarder.objects(ofBag: (bag as NSString).lastPathComponent, at: bag)
        #expect(objects[0].path == manifest[0].path && objects[0].sha256 == manifest[0].sha256)
        #expect(try FileDigest.sha256(victim).sha256 != manifest[0].sha256)
        try FileManager.default.removeItem(atPath: victim)
        #expect { _ = try Forwarder.objects(ofBag: (bag as NSString).lastPathComponent, at: bag) } throws: { error in
            "\(error)".contains(manifest[0].path)
        }
    }
}
