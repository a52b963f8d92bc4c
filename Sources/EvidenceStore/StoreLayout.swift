import Evidence
import Foundation
import GatewayCrypto

/// Where things are in a local evidence store, and nothing else: no directory is created and
/// nothing is written, so readers (`recorderctl verify`, `audit`) can use it on any copy of a
/// store.
///
/// ```
/// <store>/bags/<bag name>/      final bags, read-only
/// <store>/.staging/<bag name>/  bags being written (the same layout)
/// <store>/.pruning/<bag name>/  bags being removed by the retention setting
/// <store>/audit/audit.jsonl     the hash-chained audit log's open segment
/// <store>/audit/audit-<seq>.jsonl  its sealed segments, named by their first entry's seq
/// <store>/gateway.pub           the key that verifies every custody.json.sig here
/// <store>/.gateway.lock         held by the one gateway process writing here
/// ```
public struct StoreLayout: Sendable, Hashable {
    /// The store's directory.
    public let root: String

    /// The layout of the store at `root` (which need not exist).
    public init(root: String) { self.root = root }

    public var bagsDirectory: String { root + "/bags" }
    public var stagingDirectory: String { root + "/.staging" }
    /// Bags being removed by the retention setting: moved here in one rename, then deleted.
    public var pruningDirectory: String { root + "/.pruning" }
    public var auditDirectory: String { root + "/audit" }
    public var auditLogPath: String { auditDirectory + "/audit.jsonl" }
    public var publicKeyPath: String { root + "/gateway.pub" }
    public var lockPath: String { root + "/.gateway.lock" }

    public func stagingBag(_ name: String) -> String { stagingDirectory + "/" + name }
    public func finalBag(_ name: String) -> String { bagsDirectory + "/" + name }

    /// The store a final bag is sealed in: the one whose `bags/` directory holds `bag`; nil
    /// when `bag` is not directly in a directory named `bags` (a bag copied out of its store).
    public static func containing(bag: String) -> StoreLayout? {
        let parent = ((bag as NSString).standardizingPath as NSString).deletingLastPathComponent
        guard (parent as NSString).lastPathComponent == "bags" else { return nil }
        let root = (parent as NSString).deletingLastPathComponent
        return StoreLayout(root: root.isEmpty ? "." : root)
    }

    /// The path of everything under `bags/`, sorted by name; empty when there is no `bags/`.
    /// Every entry is listed, so that something there that is not a bag gets looked at too.
    public func sealedBags() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: bagsDirectory)) ?? []
        return names.sorted().map(finalBag)
    }

    /// The audit log's sealed segments, oldest first (by the seq their names give), then the
    /// open segment when it exists: the order the chain runs in. Files in `audit/` with other
    /// names are not part of the log.
    public func auditSegments() -> [(name: String, path: String, namedFirstSeq: Int?)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: auditDirectory)) ?? []
        var sealed = names.compactMap { name in AuditSegmentName.firstSeq(ofSealed: name).map { (name: name, seq: $0) } }
        sealed.sort { ($0.seq, $0.name) < ($1.seq, $1.name) }
        var segments = sealed.map { (name: $0.name, path: auditDirectory + "/" + $0.name, namedFirstSeq: Optional($0.seq)) }
        if names.contains(AuditSegmentName.open) {
            segments.append((name: AuditSegmentName.open, path: auditLogPath, namedFirstSeq: nil))
        }
        return segments
    }

    /// The key in the store's `gateway.pub`; nil when there is none or it is not an Ed25519
    /// public key in PEM.
    public func publicKey() -> Ed25519PublicKey? {
        guard let pem = try? String(contentsOfFile: publicKeyPath, encoding: .utf8) else { return nil }
        return try? Ed25519PublicKey(pemRepresentation: pem)
    }
}
