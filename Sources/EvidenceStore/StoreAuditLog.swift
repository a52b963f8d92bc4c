import Evidence
import Foundation

/// A store's audit log as read for checking: its chain verified once, over every segment in
/// order, so that the anchor of every bag in the store can be looked up in it.
///
/// Guarantees: reads only, one segment at a time. A log with no segment is
/// `verification == nil`, and every anchor checked against it is then missing
/// (`AuditAnchorProblem.noLog`): a store whose bags are anchored in a log that is gone has lost
/// the whole log. A segment that is listed but cannot be read is a problem in the chain.
public struct StoreAuditLog: Sendable {
    /// Where the log's open segment is (or should be): where the gateway appends.
    public let path: String
    /// The file names of the segments walked, oldest first.
    public let segments: [String]
    /// The chain walked over every segment; nil when there is no log.
    public let verification: AuditVerification?

    /// Reads and verifies the log of the store at `layout`.
    public init(_ layout: StoreLayout) {
        path = layout.auditLogPath
        let found = layout.auditSegments()
        segments = found.map(\.name)
        guard !found.isEmpty else {
            verification = nil
            return
        }
        var walk = AuditLogWalk()
        // Named by file only when there is more than one, so a log of one file reads as before.
        let named = found.count > 1
        for segment in found {
            guard let data = FileManager.default.contents(atPath: segment.path) else {
                walk.unreadable(segment.name)
                continue
            }
            walk.check(String(decoding: data, as: UTF8.self), segment: named ? segment.name : nil,
                       namedFirstSeq: segment.namedFirstSeq)
        }
        verification = walk.result
    }

    /// Whether the log has a segment.
    public var exists: Bool { !segments.isEmpty }

    /// Checks that the log holds `anchor`, the anchor of the bag named `bag`.
    ///
    /// - Returns: nil when it does; otherwise why not (naming the bag, the anchor's seq and
    ///   hash).
    public func check(_ anchor: AuditAnchor, bag: String) -> AuditAnchorProblem? {
        guard let verification else { return .noLog(bag: bag, anchor: anchor, path: path) }
        return verification.check(anchor, bag: bag)
    }
}
