import Evidence
import Foundation

/// One sealed bag's audit anchor, looked up in its store's audit log.
public struct BagAnchorCheck: Sendable {
    /// The bag's directory.
    public var bag: String
    /// The anchor its custody record carries; nil when the record could not be read or was
    /// sealed before records carried anchors.
    public var anchor: AuditAnchor?
    /// Whether the record the anchor comes from is signed and its signature holds. An anchor
    /// from a record that is not is still looked up, but it is not the gateway's word.
    public var signed: Bool
    /// Why the anchor is not in the log; nil when it is (or there is no anchor).
    public var problem: AuditAnchorProblem?
    /// What was not checked, or not trusted, and why.
    public var notes: [String]

    /// The bag's name (its directory's last component).
    public var name: String { (bag as NSString).lastPathComponent }
}

extension BagVerifier {
    /// Checks that the bag's anchor is in `auditLog`: reads only custody.json and its
    /// signature, not the payload. Nil when the verifier has no audit log.
    public func checkAnchor(of bag: String) -> BagAnchorCheck? {
        guard let auditLog else { return nil }
        return anchorCheck(bag: bag, custody: custody(of: bag), log: auditLog)
    }

    /// The anchor of an already read custody record, checked against `log`.
    func anchorCheck(bag: String, custody: Custody, log: StoreAuditLog) -> BagAnchorCheck {
        let name = (bag as NSString).lastPathComponent
        var check = BagAnchorCheck(bag: bag, anchor: custody.record?.audit, signed: custody.isSigned, problem: nil, notes: [])
        guard let record = custody.record else {
            check.notes.append("\(name): custody.json cannot be read, so its audit anchor was not checked")
            return check
        }
        guard let anchor = record.audit else {
            // Signed before records carried anchors: nothing to look up, and nothing forged,
            // since the signature covers the record without one.
            check.notes.append("\(name): custody.json has no audit anchor (sealed before records carried one); the log cannot show whether it was cut back before this bag")
            return check
        }
        check.problem = log.check(anchor, bag: name)
        if !custody.isSigned {
            check.notes.append("\(name): the anchor comes from a custody.json whose signature does not hold, so it is not the gateway's word (recorderctl verify \(name) says why)")
        }
        return check
    }
}
