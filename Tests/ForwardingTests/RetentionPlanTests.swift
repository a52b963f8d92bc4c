import Evidence
import Forwarding
import Foundation
import Journal
import Testing

/// Which local bags retention lets go: only those wholly verified in the evidence store, and
/// only once the configured time has passed.
@Suite struct RetentionPlanTests {
    static let now = Date(timeIntervalSince1970: 1_796_000_000)

    static func object(_ bag: String, _ path: String, _ state: Journal.ForwardState, verified: Date? = nil) -> Journal.ForwardObject {
        Journal.ForwardObject(bagName: bag, path: path, ordinal: 0, size: 1, sha256: [], state: state,
                              verifiedUTC: verified.map(UTCTimestamp.string))
    }

    @Test func onlyAWhollyVerifiedBagPastItsTimeIsPruned() {
        let old = Self.now.addingTimeInterval(-3 * 86400)
        let objects = [
            Self.object("A", "data/1.MP4", .verified, verified: old), Self.object("A", "custody.json", .verified, verified: old.addingTimeInterval(60)),
            Self.object("B", "data/1.MP4", .verified, verified: old), Self.object("B", "custody.json", .pending),
            Self.object("C", "data/1.MP4", .failed),
            Self.object("D", "data/1.MP4", .verified, verified: Self.now.addingTimeInterval(-3600)),
            Self.object("E", "data/1.MP4", .verified, verified: nil),
        ]
        let plan = RetentionPlan.plan(bags: ["A", "B", "C", "D", "E", "F"], objects: objects, days: 2, now: Self.now)
        #expect(plan.map(\.bag) == ["A", "B", "C", "D", "E", "F"])
        #expect(plan[0].decision == .prune(objects: 2, verifiedUTC: UTCTimestamp.string(old.addingTimeInterval(60))))
        #expect(plan[1].decision == .keep("1 of 2 objects not yet verified in the evidence store"))
        #expect(plan[2].decision == .keep("1 of 1 objects not yet verified in the evidence store"))
        guard case .keep(let why) = plan[3].decision else { Issue.record("D was pruned before its time"); return }
        #expect(why.hasPrefix("verified ") && why.contains("kept until") && why.hasSuffix("(prune-after-days 2)"))
        #expect(plan[4].decision == .keep("a verified object without a readable verification time"))
        #expect(plan[5].decision == .keep("not in the forward queue: no copy of it in the evidence store is known"))
    }

    @Test func keepMeansKeepAndZeroDaysMeansAtOnce() {
        let objects = [Self.object("A", "data/1.MP4", .verified, verified: Self.now)]
        #expect(RetentionPlan.decide(objects, days: nil, now: Self.now) == .keep("prune-after-days is keep"))
        #expect(RetentionPlan.decide(objects, days: 0, now: Self.now) == .prune(objects: 1, verifiedUTC: UTCTimestamp.string(Self.now)))
    }
}
