import Dock
import EvidenceStore
import Evidence
import Foundation
import Settings
import Testing

/// The store's watermarks: warnings as the store fills, and docks refused before anything is
/// read once it is past the critical one.
@Suite struct CapacityTests {
    /// Watermarks every real file system is past (1% and 1.1% in use): a kiosk whose store is full.
    static let full = StoreWatermarks(high: 0.01, critical: 0.011)

    @Test func aFullStoreRefusesTheDockBeforeAWordIsSentAndTheRecorderKeepsItsFootage() async throws {
        let kiosk = try TestKiosk(watermarks: Self.full)
        let (out, _) = await kiosk.dockOne(try recorderScenario())
        guard case .failed(let why) = out.result else {
            Issue.record("expected a refusal, got \(out.result)")
            return
        }
        #expect(why.hasPrefix("the kiosk's store is ") && why.contains("nothing was read, the recorder keeps its footage"), "\(why)")
        #expect(out.anomalies.map(\.code) == ["store-full"] && out.files == 0 && out.bagPath == nil && out.serial == nil)
        // The audit log says so; nothing was asked of the recorder (no identity, no catalog).
        let audit = try String(contentsOfFile: kiosk.config.store + "/audit/audit.jsonl", encoding: .utf8)
        let events = audit.split(separator: "\n").compactMap { try? JSONDecoder().decode(AuditEntry.self, from: Data($0.utf8)).event }
        #expect(events.suffix(3) == ["docked", "error", "undocked"], "\(events)")
        #expect(try kiosk.gateway.journal.sessions().isEmpty)
        // The screen says why: the bay is an error with the refusal as its note.
        let bay = try #require(kiosk.gateway.context.progress.snapshot().first)
        #expect(bay.phase == .error && bay.note == why)

        // With room again (the same store and state, ordinary watermarks), the same recorder is
        // docked and everything is pulled: nothing was lost by the refusal.
        let roomy = try TestKiosk(root: kiosk.root)
        let (again, _) = await roomy.dockOne(try recorderScenario())
        #expect(again.result == .completed && again.allVerified && again.files == 4, "\(again.result)")
    }

    @Test func theLevelFollowsTheFillAndTheJournalLinesCarryPriorities() {
        let marks = StoreWatermarks(high: 0.85, critical: 0.95)
        let fill = { (used: Double) in StoreFill(sizeBytes: 1000 << 30, freeBytes: UInt64((1 - used) * Double(1000 << 30))) }
        #expect(marks.level(used: fill(0.5).used) == .normal)
        #expect(marks.level(used: fill(0.85).used) == .high)
        #expect(marks.level(used: fill(0.95).used) == .critical)
        let readings = LevelSequence([fill(0.5), fill(0.9), fill(0.96), fill(0.9), fill(0.2), nil])
        let watch = CapacityWatch(path: "/srv/store", watermarks: marks) { _ in readings.next() }
        #expect((0..<6).map { _ in watch.check().level } == [.normal, .high, .critical, .high, .normal, .normal])
        #expect(CapacityWatch.message(level: .high, previous: .normal, fill: fill(0.9), path: "/srv/store", watermarks: marks)
                == "<4>recorder-gatewayd: the store /srv/store is 90.0% full, 100.0 GiB free: past the high watermark 85.0%; new docks stop at 95.0%")
        #expect(CapacityWatch.message(level: .critical, previous: .high, fill: fill(0.96), path: "/srv/store", watermarks: marks).hasPrefix("<2>"))
        #expect(CapacityWatch.message(level: .high, previous: .critical, fill: fill(0.9), path: "/srv/store", watermarks: marks).hasPrefix("<5>"))
        #expect(CapacityWatch.message(level: .normal, previous: .high, fill: fill(0.2), path: "/srv/store", watermarks: marks).hasPrefix("<5>"))
    }

    @Test func aFileSystemThatCannotBeAskedRefusesNothing() {
        let watch = CapacityWatch(path: "/nonexistent", watermarks: Self.full)
        let reading = watch.check()
        #expect(reading.fill == nil && reading.level == .normal && watch.refusal(reading) == nil)
    }
}

/// Hands out fills in order, then nil.
final class LevelSequence: @unchecked Sendable {
    private let lock = NSLock()
    private var fills: [StoreFill?]

    init(_ fills: [StoreFill?]) { self.fills = fills }

    func next() -> StoreFill? {
        lock.lock()
        defer { lock.unlock() }
        return fills.isEmpty ? nil : fills.removeFirst()
    }
}
