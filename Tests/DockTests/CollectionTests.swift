import Dock
import Evidence
import EvidenceStore
import Foundation
import GatewayCrypto
import Journal
import RecorderHAL
import RecorderProtocol
import RecorderSimulator
import Testing

/// Footage that is never collected is the failure that matters most: a lost link is never a
/// verdict on a file, and a copy that is not whole and verified never counts as collected.
@Suite struct CollectionTests {
    static let threeRecordings = """
    [{"id": 1, "kind": "video", "path": "V1.MP4", "size": "40MiB", "sequence": 1},
     {"id": 2, "kind": "video", "path": "V2.MP4", "size": "24MiB", "sequence": 2},
     {"id": 3, "kind": "video", "path": "V3.MP4", "size": "16MiB", "sequence": 3}]
    """

    /// The unplug cuts a READ reply short by a few bytes; replies already queued on the device
    /// go out cut too, so the host sees the stream fall out of step ("bad frame magic"), not
    /// just "device gone". Either way nothing is judged: the session stays open, and the next
    /// dock collects every file, byte-exact.
    @Test(arguments: [UInt64(1_048_575), 1_048_574, 2_097_151, 5_242_879, 1_048_000, 67_108_863])
    func aReplyCutShortByAnUnplugIsNoVerdictAndTheNextDockCollectsEverything(afterBytes: UInt64) async throws {
        let kiosk = try TestKiosk()
        var r = try recorderScenario(recordings: Self.threeRecordings)
        let expected = ScenarioDescription(Scenario(recorders: [r])).recorders[0]
        r.faults = [.disconnect(afterBytes: afterBytes)]
        let (first, _) = await kiosk.dockOne(r)
        guard case .interrupted = first.result else { Issue.record("\(first.result) \(first.anomalies)"); return }
        #expect(first.bagPath == nil && first.quarantined == 0 && first.incomplete == 0, "\(first.anomalies)")
        #expect(!first.anomalies.contains { $0.code == "read-failed" || $0.code == "quarantined" }, "\(first.anomalies)")
        #expect(first.bytes <= afterBytes)
        #expect(try Journal(path: kiosk.config.state + "/journal.sqlite").ledger(serial: "T000001").isEmpty)

        r.faults = []
        let (second, _) = await kiosk.dockOne(r, port: "1-1.2")
        #expect(second.allVerified && second.files == 3, "\(second.result) \(second.anomalies)")
        #expect(second.anomalies.contains { $0.code == "resumed" })
        let bag = try #require(second.bagPath)
        for f in expected.files {
            #expect(try sha256(ofFile: bag + "/data/" + String(decoding: f.path, as: UTF8.self)) == hexString(f.sha256))
        }
        // And now it is collected: a third dock has nothing to pull.
        let (third, _) = await kiosk.dockOne(r)
        #expect(third.result == .completed && third.alreadyIngested == 3 && third.files == 0)
    }

    /// The bytes an interrupted dock kept in staging are reported, in the outcome and in the
    /// `undocked` audit entry.
    @Test func anInterruptedDockReportsTheBytesItKept() async throws {
        let kiosk = try TestKiosk()
        var r = try recorderScenario(recordings: Self.threeRecordings)
        r.faults = [.disconnect(afterBytes: 30 << 20)]
        let (first, _) = await kiosk.dockOne(r)
        guard case .interrupted = first.result else { Issue.record("\(first.result)"); return }
        #expect(first.bytes >= 20 << 20 && first.bytes <= 30 << 20, "\(first.bytes)")
        let audit = try String(contentsOfFile: kiosk.config.store + "/audit/audit.jsonl", encoding: .utf8)
        let undocked = try #require(audit.split(separator: "\n").last { $0.contains("\"event\":\"undocked\"") })
        #expect(undocked.contains("\"bytes\":\"\(first.bytes)\""), "\(undocked)")
    }

    /// A quarantined copy is kept, but the recording is read again at the next dock; once a
    /// copy verifies, it is collected and may be released.
    @Test func aQuarantinedRecordingIsReadAgainAtTheNextDockUntilACopyVerifies() async throws {
        let kiosk = try TestKiosk(release: .releaseAfterVerified)
        var r = try recorderScenario()
        r.faults = [.wrongDeviceHash(recording: 2)]
        let (first, device1) = await kiosk.dockOne(r)
        #expect(first.quarantined == 1)
        #expect(!(await device1.releasedIds.contains(2)))

        let (second, device2) = await kiosk.dockOne(r)
        #expect(second.result == .completed && second.files == 1 && second.quarantined == 1, "\(second.anomalies)")
        #expect(await device2.requestCounts[.read, default: 0] >= 2, "file 2 was read again")
        #expect(!(await device2.releasedIds.contains(2)))

        r.faults = []
        let (third, device3) = await kiosk.dockOne(r)
        #expect(third.allVerified && third.files == 1 && third.verified == 1, "\(third.anomalies)")
        #expect(await device3.releasedIds.contains(2))
    }

    /// A recorder that will not give a whole file (here it lists more bytes than it serves):
    /// what arrived is kept as an incomplete copy, not quarantined, never released, and not
    /// counted as collected.
    @Test func aFileTheDeviceWillNotGiveWholeIsAnIncompleteCopyReadAgainNextDock() async throws {
        let kiosk = try TestKiosk(release: .releaseAfterVerified)
        let r = try recorderScenario(faults: #"[{"kind": "sizeLies", "recording": 2, "reportedSize": 90000}]"#)
        let (first, device) = await kiosk.dockOne(r)
        #expect(first.result == .completed && first.incomplete == 1 && first.quarantined == 0 && first.verified == 3)
        #expect(first.anomalies.contains { $0.code == "read-failed" && $0.recordingId == 2 })
        #expect(!(await device.releasedIds.contains(2)))
        let bag = try #require(first.bagPath)
        #expect(try run(["python3", "-m", "bagit", "--validate", bag]).0 == 0)
        let custody = try JSONDecoder().decode(CustodyRecord.self, from: Data(contentsOf: URL(fileURLWithPath: bag + "/custody.json")))
        let file = try #require(custody.files.first { $0.recordingId == 2 })
        #expect(!file.verified && !file.quarantined && file.size < 90000)
        let audit = try String(contentsOfFile: kiosk.config.store + "/audit/audit.jsonl", encoding: .utf8)
        #expect(audit.contains("\"event\":\"read-failed\""))

        let (second, _) = await kiosk.dockOne(r)
        #expect(second.alreadyIngested == 3 && second.files == 1 && second.incomplete == 1, "\(second.anomalies)")
    }
}

/// A busy host is not a silent recorder: a request whose reply has arrived does not time out
/// because the gateway had not got round to reading it.
@Suite struct BusyHostTests {
    /// The device answers at once, but the host leaves each of its first replies unread for
    /// 1.5 s, with requests timing out after 1 s.
    @Test func aReplyThatArrivedIsNotTimedOutWhileTheHostIsBusy() async throws {
        let kiosk = try TestKiosk(requestTimeout: .seconds(1))
        let out = await kiosk.dockOne(try recorderScenario(), through: { BusyHostLink(inner: $0, slowReads: 4, delay: .milliseconds(1500)) })
        #expect(out.allVerified, "\(out.result) \(out.anomalies)")
    }

    /// The other half of the rule: a recorder that really says nothing still times out.
    @Test func aSilentRecorderStillTimesOut() async throws {
        let kiosk = try TestKiosk(requestTimeout: .milliseconds(300))
        let r = try recorderScenario(faults: #"[{"kind": "stall", "afterBytes": 0, "milliseconds": 600000}]"#)
        let out = await kiosk.dockOne(r, through: { $0 })
        #expect(out.anomalies.contains { $0.code == "read-failed" && $0.detail.contains("no reply within 300 ms") }, "\(out.anomalies)")
    }
}

/// A link whose host reads its first `slowReads` transfers only `delay` after they arrived,
/// as a starved gateway would; the transport's record of arrivals is the inner link's.
final class BusyHostLink: RecorderLink, @unchecked Sendable {
    let inner: any RecorderLink
    private let delay: Duration
    private let lock = NSLock()
    private var slowReadsLeft: Int

    init(inner: any RecorderLink, slowReads: Int, delay: Duration) {
        self.inner = inner
        self.delay = delay
        self.slowReadsLeft = slowReads
    }

    var description: String { "busy host over \(inner.description)" }
    var activity: LinkActivity? { inner.activity }
    func send(_ bytes: [UInt8], timeout: Duration) async throws(LinkError) { try await inner.send(bytes, timeout: timeout) }
    func close() async { await inner.close() }

    func receive() async throws(LinkError) -> [UInt8] {
        let slow = lock.withLock { () -> Bool in
            guard slowReadsLeft > 0 else { return false }
            slowReadsLeft -= 1
            return true
        }
        // The reply is already on its way in (the device answers at once); the host just does
        // not get round to it yet.
        if slow { try? await Task.sleep(for: delay) }
        return try await inner.receive()
    }
}
