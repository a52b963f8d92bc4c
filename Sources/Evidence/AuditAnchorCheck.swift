/// Why a bag's signed audit anchor (`custody.json` → `audit`) is not in the audit log.
///
/// A hash chain cannot show lines cut off its end, or its tail rewritten with fresh hashes:
/// what is left is still a valid chain. Every custody record names the newest audit entry at
/// sealing under the bag's signature, so a log without that entry has lost, or replaced, part
/// of what the gateway wrote.
public enum AuditAnchorProblem: Error, Hashable, Sendable, CustomStringConvertible {
    /// The log ends before the anchor: its highest seq is `logEnd` (nil: it holds no entry).
    /// Entries were cut off its end.
    case truncated(bag: String, anchor: AuditAnchor, logEnd: Int?)
    /// The log reaches the anchor's seq but holds no intact entry with that seq and hash: that
    /// entry was changed, or the log was rewritten or replaced from there.
    case notInLog(bag: String, anchor: AuditAnchor)
    /// There is no audit log at `path` (or it cannot be read), though the bag is anchored in it.
    case noLog(bag: String, anchor: AuditAnchor, path: String)

    /// The bag whose anchor is missing (its name, as given to the check).
    public var bag: String {
        switch self {
        case .truncated(let bag, _, _), .notInLog(let bag, _), .noLog(let bag, _, _): bag
        }
    }

    /// The anchor that is missing.
    public var anchor: AuditAnchor {
        switch self {
        case .truncated(_, let anchor, _), .notInLog(_, let anchor), .noLog(_, let anchor, _): anchor
        }
    }

    /// True when the log ends before the anchor (or is gone): entries were cut off its end.
    public var isTruncation: Bool {
        switch self {
        case .truncated, .noLog: true
        case .notInLog: false
        }
    }

    /// For a person: the bag, then the anchor's seq and hash, then what is wrong.
    public var description: String {
        let anchored = "\(bag): anchored at audit entry seq \(anchor.seq), hash \(anchor.hash)"
        switch self {
        case .truncated(_, _, let end):
            return "\(anchored), but the log ends at " + (end.map { "seq \($0)" } ?? "no entry")
                + ": truncated, entries were cut off its end"
        case .notInLog:
            return "\(anchored), which the log does not hold: that entry was changed, or the log rewritten or replaced from there"
        case .noLog(_, _, let path):
            return "\(anchored), but there is no audit log at \(path): truncated to nothing (removed, or unreadable)"
        }
    }
}

extension AuditVerification {
    /// Checks that this log holds a bag's anchor: an entry with the anchor's seq whose content
    /// hashes to the anchor's hash (an entry that merely shows that hash, its content changed,
    /// does not count).
    ///
    /// Check the custody record's signature before trusting its anchor.
    ///
    /// - Parameters:
    ///   - anchor: `audit` of the bag's custody record.
    ///   - bag: the bag's name, for the problem's description.
    /// - Returns: nil when the anchor is in the log; otherwise why not, `truncated` when the
    ///   log ends before the anchor's seq.
    public func check(_ anchor: AuditAnchor, bag: String) -> AuditAnchorProblem? {
        if sealed.contains(anchor) { return nil }
        if let end = highestSeq, end >= anchor.seq { return .notInLog(bag: bag, anchor: anchor) }
        return .truncated(bag: bag, anchor: anchor, logEnd: highestSeq)
    }
}
