import Evidence
import EvidenceStore
import Forwarding
import Foundation
import Journal

/// Local retention (`prune-after-days`, Docs/operations.md "Local retention"): removes from
/// the local store the bags whose every object is verified in the evidence store, once the
/// configured time has passed, so that a kiosk's disk never fills with evidence that is safe
/// elsewhere, and never loses evidence that is not.
///
/// Guarantees, for each bag removed: the forward queue holds every object of it verified
/// (`RetentionPlan`); its copy in the evidence store was checked again just before, object by
/// object (size, checksums, retention: `RemoteVerifier`); a `bag-pruned` audit entry names the
/// bag and that copy before its files are deleted; the audit log itself is never pruned; the
/// ledger keeps what was collected, so nothing is pulled twice. A bag that fails any of these
/// stays, with its reason.
public struct BagPruner: Sendable {
    public let context: IngestContext

    public init(context: IngestContext) { self.context = context }

    /// What was done with one bag.
    public struct Result: Sendable, Equatable {
        public var bag: String
        /// True when the bag was removed.
        public var pruned: Bool
        /// For a bag that stays, why; for one removed, the remote copy relied on.
        public var detail: String
    }

    /// The decision for every bag in the store, without acting (`recorderctl prune --dry-run`).
    public func plan(now: Date = Date()) -> [(bag: String, decision: RetentionPlan.Decision)] {
        guard let forwarder = context.forwarder else {
            return context.store.layout.sealedBags().map { (($0 as NSString).lastPathComponent, .keep("the gateway forwards nothing")) }
        }
        let bags = context.store.layout.sealedBags().map { ($0 as NSString).lastPathComponent }
        let objects = (try? context.journal.forwardObjects()) ?? []
        return RetentionPlan.plan(bags: bags, objects: objects, days: forwarder.settings.pruneAfterDays, now: now)
    }

    /// Removes what the plan allows, after checking each bag's remote copy again; first
    /// finishes removals a stop cut short. Passes run one at a time, whoever asks.
    public func run(now: Date = Date()) async -> [Result] {
        await context.pruning.pass { await pass(now: now) }
    }

    private func pass(now: Date) async -> [Result] {
        var results: [Result] = []
        for withdrawn in context.store.withdrawnBags() {
            // Withdrawn only after its remote copy verified: finish it, and say so again.
            let path = context.store.layout.pruningDirectory + "/" + withdrawn
            _ = try? await context.audit.append(.bagPruned, detail: ["bag": withdrawn, "resumed": "the removal was cut short by a stop"])
            do throws(any Error) {
                try context.store.removePruned(path)
                try context.journal.forgetPrunedBag(withdrawn)
                results.append(Result(bag: withdrawn, pruned: true, detail: "removal finished after a stop"))
            } catch {
                results.append(Result(bag: withdrawn, pruned: false, detail: "\(error)"))
            }
        }
        guard let forwarder = context.forwarder else { return results }
        let settings = forwarder.settings
        // One verifier (credentials read, endpoint parsed) for the pass; if it cannot be made,
        // every bag stays, each with that reason.
        let verifier = Swift.Result<RemoteVerifier, any Error> { try RemoteVerifier(settings: settings) }
        for (bag, decision) in plan(now: now) {
            guard case .prune(let objects, let verifiedUTC) = decision else { continue }
            let local = context.store.finalBag(bag)
            let remote = "s3://\(settings.bucket)/\(settings.key(bag: bag, path: ""))"
            let problems: [String]
            switch verifier {
            case .success(let verifier): problems = await verifier.verify(bag: local)
            case .failure(let error): problems = ["\(error)"]
            }
            guard problems.isEmpty else {
                let why = "its copy \(remote) does not verify now: " + problems.prefix(3).joined(separator: "; ")
                log("bag \(bag) stays in the local store: \(why)")
                results.append(Result(bag: bag, pruned: false, detail: why))
                continue
            }
            do throws(any Error) {
                let withdrawn = try context.store.withdrawForPruning(bag)
                try await context.audit.append(.bagPruned, detail: [
                    "bag": bag, "remote": remote, "objects": "\(objects)", "verifiedUTC": verifiedUTC,
                    "check": "every object verified again in the evidence store just before"])
                try context.store.removePruned(withdrawn)
                try context.journal.forgetPrunedBag(bag)
                log("bag \(bag) pruned from the local store; its copy is \(remote)")
                results.append(Result(bag: bag, pruned: true, detail: remote))
            } catch {
                log("bag \(bag): pruning stopped: \(error)")
                results.append(Result(bag: bag, pruned: false, detail: "\(error)"))
            }
        }
        return results
    }

    private func log(_ line: String) {
        FileHandle.standardError.write(Data("recorder-gatewayd: \(line)\n".utf8))
    }
}
