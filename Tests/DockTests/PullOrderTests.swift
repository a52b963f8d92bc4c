@testable import Dock
import Foundation
import Journal
import Testing

/// Important evidence first: a dock pulls the recordings its recorder flags important before
/// the others (`DockPlan.pullOrder`), each group in the recorder's id order.
@Suite struct PullOrderTests {
    private func file(_ id: UInt32) -> Journal.File {
        Journal.File(sessionId: 1, recordingId: id, size: 10, deviceSHA256: nil, bagPath: "data/\(id)")
    }

    @Test func importantRecordingsComeFirstThenIdOrder() {
        let files = [5, 1, 4, 2, 3].map { file(UInt32($0)) }
        let order = DockPlan.pullOrder(files, important: [4, 2]).map(\.recordingId)
        #expect(order == [2, 4, 1, 3, 5])
    }

    @Test func withoutImportantFlagsTheOrderIsById() {
        let files = [3, 1, 2].map { file(UInt32($0)) }
        #expect(DockPlan.pullOrder(files, important: []).map(\.recordingId) == [1, 2, 3])
        // An important id the session does not hold (already in the ledger) changes nothing.
        #expect(DockPlan.pullOrder(files, important: [9]).map(\.recordingId) == [1, 2, 3])
    }

    @Test func aDockReadsTheImportantRecordingBeforeTheOthers() async throws {
        let recorder = MemoryRecorder(files: [("DCIM/0001.MP4", [1, 2, 3]), ("DCIM/0002.MP4", [4, 5]),
                                              ("DCIM/0003.MP4", [6, 7, 8, 9])],
                                      capabilities: [], important: ["DCIM/0003.MP4"])
        let kiosk = try TestKiosk(release: .keep, verifySource: .beforeRelease)
        await kiosk.gateway.dock(link: .stream(NoLink()), driver: PreparedDriver(recorder: recorder), port: "1-1.1")
        let out = try #require(await kiosk.gateway.waitUntilIdle().last)
        #expect(out.result == .completed, "\(out.result) \(out.anomalies)")
        #expect(recorder.readOrder == [3, 1, 2])
    }
}
