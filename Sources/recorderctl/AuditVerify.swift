import Evidence
import EvidenceStore
import Foundation

/// `audit verify`: the chain of the store's log, then the anchor of every bag in the store
/// looked up in it. The chain alone cannot show entries cut off the log's end; the bags'
/// signed anchors can, for every bag sealed before the cut.
func verifyAuditLog(_ log: StoreAuditLog, of layout: StoreLayout) throws -> Output {
    let verifier = BagVerifier(trustedKey: layout.publicKey(), auditLog: log)
    let anchors = layout.sealedBags().compactMap { verifier.checkAnchor(of: $0) }
    let anchored = anchors.filter { $0.anchor != nil }.count
    // A store whose bags are anchored in a log that is gone has lost the whole log: that is a
    // failure, not "nothing there".
    guard log.exists || anchored > 0 else { throw NotFound(description: "no audit log at \(log.path)") }
    let chain = log.verification
    let missing = anchors.compactMap(\.problem)
    let truncated = missing.filter(\.isTruncation)
    let ok = (chain?.isIntact ?? false) && missing.isEmpty

    var summary: [String] = []
    if let chain {
        summary.append("\(chain.entries) entries")
        summary.append(chain.isIntact ? "chain intact" : "\(chain.problems.count) problem(s) in the chain")
    } else {
        summary.append("no audit log")
    }
    if anchored == 0 {
        summary.append("no bag anchors to check")
    } else {
        summary.append(missing.isEmpty ? "all \(anchored) bag anchors found" : "\(anchored - missing.count) of \(anchored) bag anchors found")
    }
    if !truncated.isEmpty {
        let end = chain.map { $0.highestSeq.map { "ends at seq \($0)" } ?? "has no entry" } ?? "is missing"
        summary.append("truncated: the log \(end), before the anchor of \(truncated.count) bag(s)")
    }

    var out = Output()
    out.exit = ok ? .ok : .failure
    let place = log.segments.count > 1 ? "\(log.segments.count) segments, the open one \(log.path)" : log.path
    out.lines = [(ok ? "OK    " : "FAIL  ") + summary.joined(separator: ", ") + " (\(place))"]
    out.lines += (chain?.problems ?? []).map { "      \($0)" }
    out.lines += missing.map { "      \($0)" }
    let notes = anchors.flatMap(\.notes)
    out.lines += notes.map { "      note: \($0)" }
    out.json = [
        "path": log.path, "segments": log.segments, "exists": log.exists, "entries": chain?.entries ?? 0, "ok": ok, "truncated": !truncated.isEmpty,
        "problems": (chain?.problems ?? []).map {
            ["line": $0.line, "segment": $0.segment ?? NSNull(), "reason": $0.reason.rawValue, "description": $0.description] as [String: Any]
        },
        "anchors": anchors.map { a -> [String: Any] in
            ["bag": a.name, "seq": a.anchor?.seq ?? NSNull(), "hash": a.anchor?.hash ?? NSNull(), "ok": a.problem == nil,
             "signed": a.signed, "problem": a.problem?.description ?? NSNull()]
        },
        "notes": notes,
        "last": chain?.last.map { ["seq": $0.seq, "hash": $0.hash] as [String: Any] } ?? NSNull(),
    ]
    return out
}
