import Dock
import Evidence
import Foundation
import GatewayCrypto
import RecorderHAL
import Settings
import Testing
import TestSupport

/// `verify-source`: a recorder that keeps no hashes has every file of the bag read a second
/// time, independently, before sealing, when the setting or a release asks for it; a source
/// that changed between the reads releases nothing.
@Suite struct SourceVerificationTests {
    static let files: [(path: String, bytes: [UInt8])] = [
        ("DCIM/0001.MP4", pattern(300_001, seed: 1)), ("DCIM/0002.MP4", pattern(70_000, seed: 2)),
        ("DCIM/EMPTY.MP4", []),
    ]

    static func pattern(_ n: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    private func dock(_ recorder: MemoryRecorder, release: ReleasePolicy = .keep,
                      verify: VerifySourcePolicy = .beforeRelease) async throws -> (DockOutcome, CustodyRecord) {
        let kiosk = try TestKiosk(release: release, verifySource: verify)
        await kiosk.gateway.dock(link: .stream(NoLink()), driver: PreparedDriver(recorder: recorder), port: "1-1.1")
        let out = try #require(await kiosk.gateway.waitUntilIdle().last)
        #expect(out.result == .completed, "\(out.result) \(out.anomalies)")
        let bag = try #require(out.bagPath)
        let custody = try CustodyRecord(json: Data(contentsOf: URL(fileURLWithPath: bag + "/custody.json")))
        return (out, custody)
    }

    @Test func alwaysReadsEveryFileTwiceAndRecordsAgreement() async throws {
        let recorder = MemoryRecorder(files: Self.files, capabilities: [])
        let (out, custody) = try await dock(recorder, verify: .always)
        #expect(custody.files.count == 3)
        #expect(custody.files.allSatisfy { $0.sourceVerification == "second-read-agreed" }, "\(custody.files.map(\.sourceVerification))")
        for (n, f) in Self.files.enumerated() {
            #expect(recorder.bytesRead[UInt32(n + 1), default: 0] == 2 * UInt64(f.bytes.count), "\(f.path)")
        }
        #expect(!out.anomalies.contains { DockSessionCodes.withholding.contains($0.code) })
        // A recorder that describes no medium: no source, no extents.
        #expect(custody.source == nil && custody.files.allSatisfy { $0.extents == nil })
    }

    @Test func beforeReleaseWithoutReleaseReadsEachFileOnce() async throws {
        let recorder = MemoryRecorder(files: Self.files, capabilities: [])
        let (_, custody) = try await dock(recorder, release: .releaseAfterVerified)
        #expect(custody.files.allSatisfy { $0.sourceVerification == "not-done" })
        for (n, f) in Self.files.enumerated() {
            #expect(recorder.bytesRead[UInt32(n + 1), default: 0] == UInt64(f.bytes.count), "\(f.path)")
        }
        #expect(recorder.released.isEmpty)
    }

    @Test func beforeReleaseVerifiesADockThatReleases() async throws {
        let recorder = MemoryRecorder(files: Self.files, capabilities: [.release])
        let (out, custody) = try await dock(recorder, release: .releaseAfterVerified)
        #expect(custody.files.allSatisfy { $0.sourceVerification == "second-read-agreed" })
        #expect(out.released == 3 && recorder.released.sorted() == [1, 2, 3])
        #expect(recorder.bytesRead[1] == 2 * 300_001)
    }

    @Test func contentChangedBetweenTheReadsReleasesNothing() async throws {
        let recorder = MemoryRecorder(files: Self.files, capabilities: [.release], change: .content(path: "DCIM/0002.MP4"))
        let (out, custody) = try await dock(recorder, release: .releaseAfterVerified)
        let changed = try #require(out.anomalies.first { $0.code == "source-changed" })
        #expect(changed.recordingId == 2 && changed.detail.contains("DCIM/0002.MP4"))
        let first = hexString(SHA256Hasher.hash(Data(Self.files[1].bytes)))
        #expect(changed.detail.contains(first), "\(changed.detail)")
        let differing = try #require(custody.files.first { $0.recordingId == 2 })
        #expect(differing.sourceVerification == "second-read-differs" && differing.quarantined && !differing.verified)
        #expect(differing.sha256 == first, "kept as first read")
        #expect(out.quarantined == 1 && out.verified == 2)
        #expect(custody.files.first { $0.recordingId == 1 }?.sourceVerification == "second-read-agreed")
        #expect(custody.anomalies.contains { $0.code == "source-changed" && $0.file == 2 })
        #expect(out.released == 0 && recorder.released.isEmpty)
    }

    /// The file whose second read differed was not collected: the next dock reads it again,
    /// and once it reads the same twice it is collected and released.
    @Test func aFileThatChangedIsReadAgainAtTheNextDock() async throws {
        let kiosk = try TestKiosk(release: .releaseAfterVerified)
        let changing = MemoryRecorder(files: Self.files, capabilities: [.release], change: .content(path: "DCIM/0002.MP4"))
        await kiosk.gateway.dock(link: .stream(NoLink()), driver: PreparedDriver(recorder: changing), port: "1-1.1")
        let first = try #require(await kiosk.gateway.waitUntilIdle().last)
        #expect(first.quarantined == 1 && first.released == 0)
        var settled = Self.files
        settled[1].bytes[settled[1].bytes.count / 2] ^= 0xFF
        let steady = MemoryRecorder(files: settled, capabilities: [.release])
        await kiosk.gateway.dock(link: .stream(NoLink()), driver: PreparedDriver(recorder: steady), port: "1-1.1")
        let second = try #require(await kiosk.gateway.waitUntilIdle().last)
        #expect(second.result == .completed && second.files == 1 && second.verified == 1, "\(second.anomalies)")
        #expect(second.alreadyIngested == 2)
        #expect(steady.bytesRead[1] == 300_001 && steady.bytesRead[2] == 2 * 70_000, "the collected one is read once, to be verified before release")
        #expect(steady.released.sorted() == [1, 2, 3])
    }

    /// A dock cut off after its second reads (unplugged at the second listing) keeps the file it
    /// quarantined and the reason: the dock that continues the session seals both.
    @Test func aSourceChangeSurvivesAnInterruptedDock() async throws {
        let kiosk = try TestKiosk(release: .releaseAfterVerified)
        let changing = MemoryRecorder(files: Self.files, capabilities: [.release], change: .content(path: "DCIM/0002.MP4"))
        changing.unpluggedAtSecondListing = true
        await kiosk.gateway.dock(link: .stream(NoLink()), driver: PreparedDriver(recorder: changing), port: "1-1.1")
        let cut = try #require(await kiosk.gateway.waitUntilIdle().last)
        guard case .interrupted = cut.result else { Issue.record("\(cut.result)"); return }
        #expect(cut.anomalies.contains { $0.code == "source-changed" } && cut.bagPath == nil)
        let again = MemoryRecorder(files: Self.files, capabilities: [.release])
        await kiosk.gateway.dock(link: .stream(NoLink()), driver: PreparedDriver(recorder: again), port: "1-1.2")
        let out = try #require(await kiosk.gateway.waitUntilIdle().last)
        #expect(out.result == .completed && out.quarantined == 1, "\(out.result) \(out.anomalies)")
        let custody = try CustodyRecord(json: Data(contentsOf: URL(fileURLWithPath: try #require(out.bagPath) + "/custody.json")))
        #expect(custody.anomalies.filter { $0.code == "source-changed" }.map(\.file) == [2])
        #expect(custody.files.first { $0.recordingId == 2 }?.quarantined == true)
        // Files 1 and 3 now read the same as at the first dock: released; the quarantined one never.
        #expect(again.released.sorted() == [1, 3])
    }

    @Test func catalogChangedBetweenTheReadsReleasesNothing() async throws {
        let recorder = MemoryRecorder(files: Self.files, capabilities: [.release], change: .catalog)
        let (out, custody) = try await dock(recorder, release: .releaseAfterVerified, verify: .always)
        let changed = try #require(out.anomalies.first { $0.code == "volume-changed" })
        #expect(changed.detail.contains("DCIM/NEW.MP4 appeared"), "\(changed.detail)")
        #expect(custody.anomalies.contains { $0.code == "volume-changed" })
        #expect(out.released == 0 && recorder.released.isEmpty)
    }

    /// Protocol v1 keeps its own hashes: no second read, and its custody record gains none of
    /// the new members (the bytes it always had).
    @Test func aFamilyWithDeviceHashesIsUnchanged() async throws {
        let kiosk = try TestKiosk(verifySource: .always)
        let (out, _) = await kiosk.dockOne(try recorderScenario())
        #expect(out.result == .completed)
        let text = try String(contentsOfFile: try #require(out.bagPath) + "/custody.json", encoding: .utf8)
        for key in ["\"source\"", "\"extents\"", "\"sourceVerification\""] { #expect(!text.contains(key), "\(key)") }
        #expect(!out.anomalies.contains { $0.code.hasPrefix("source") || $0.code == "volume-changed" })
    }
}

/// The codes that withhold release, as Docs/evidence-format.md lists them.
enum DockSessionCodes {
    static let withholding: Set<String> = ["source-changed", "volume-changed", "source-unverified"]
}
