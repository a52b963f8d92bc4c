import Evidence
import Foundation

/// A store's audit log as read for checking: its text, and its chain verified once, so that
/// the anchor of every bag in the store can be looked up in it.
///
/// Guarantees: reads only. A log that is missing or cannot be read is `verification == nil`,
/// and every anchor checked against it is then missing (`AuditAnchorProblem.noLog`): a store
/// whose bags are anchored in a log that is gone has lost the whole log.
public struct StoreAuditLog: Sendable {
    /// Where the log is (or should be).
    public let path: String
    /// The log's bytes as text; nil when there is no log at `path` or it cannot be read.
    public let text: String?
    /// `AuditChain.verify` of `text`; nil when there is no log.
    public let verification: AuditVerification?

    /// Reads and verifies the log of the store at `layout`.
    public init(_ layout: StoreLayout) {
        self.init(path: layout.auditLogPath)
    }

    /// Reads and verifies the log at `path`.
    public init(path: String) {
        self.path = path
        text = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
        verification = text.map(AuditChain.verify)
    }

    /// Whether there is a log at `path` that could be read.
    public var exists: Bool { text != nil }

    /// Checks that the log holds `anchor`, the anchor of the bag named `bag`.
    ///
    /// - Returns: nil when it does; otherwise why not (naming the bag, the anchor's seq and
    ///   hash).
    public func check(_ anchor: AuditAnchor, bag: String) -> AuditAnchorProblem? {
        guard let verification else { return .noLog(bag: bag, anchor: anchor, path: path) }
        return verification.check(anchor, bag: bag)
    }
}
