import Evidence
import Foundation
import Journal

/// Which local bags the retention setting (`prune-after-days`) lets go, and why the others
/// stay. Pure: decided from the forward queue's rows alone.
///
/// Guarantees: a bag is only ever `prune` when the forward queue holds objects for it and
/// every one of them is verified in the evidence store, and the last was verified at least
/// `days` before `now`. A bag that was never queued (forwarding came later, or it is local
/// only), or has one object pending or failed, or a verified time that cannot be read, stays.
public enum RetentionPlan {
    public enum Decision: Sendable, Equatable {
        /// Every object verified remotely, the last at `verifiedUTC`.
        case prune(objects: Int, verifiedUTC: String)
        /// Stays, for the reason given.
        case keep(String)
    }

    /// The decision for one bag given its forward queue rows.
    public static func decide(_ objects: [Journal.ForwardObject], days: Int?, now: Date) -> Decision {
        guard let days else { return .keep("prune-after-days is keep") }
        guard !objects.isEmpty else { return .keep("not in the forward queue: no copy of it in the evidence store is known") }
        let waiting = objects.filter { $0.state != .verified }
        guard waiting.isEmpty else {
            return .keep("\(waiting.count) of \(objects.count) objects not yet verified in the evidence store")
        }
        let times = objects.map { $0.verifiedUTC.flatMap(UTCTimestamp.date) }
        guard times.allSatisfy({ $0 != nil }), let last = times.compactMap({ $0 }).max(),
              let lastText = objects.compactMap(\.verifiedUTC).max() else {
            return .keep("a verified object without a readable verification time")
        }
        let due = last.addingTimeInterval(Double(days) * 86400)
        guard due <= now else { return .keep("verified \(lastText); kept until \(UTCTimestamp.string(due)) (prune-after-days \(days))") }
        return .prune(objects: objects.count, verifiedUTC: lastText)
    }

    /// The decision for every bag in `bags`, in that order.
    public static func plan(bags: [String], objects: [Journal.ForwardObject], days: Int?, now: Date) -> [(bag: String, decision: Decision)] {
        let byBag = Dictionary(grouping: objects, by: \.bagName)
        return bags.map { ($0, decide(byBag[$0] ?? [], days: days, now: now)) }
    }
}
