import Foundation
import GatewayCrypto

/// What the store shows for a byte-exact copy of a local file, and whether a HEAD shows one.
///
/// Two independent signs are compared wherever the store gives them: its SHA-256 checksum
/// (single-part: of the file; multipart: the composite of the part SHA-256s) and its ETag when
/// that can be an MD5 (single-part: the file's MD5; multipart: the MD5 of the part MD5s, `-N`).
/// The ETag matters on its own: some stores keep the checksum they were sent without checking
/// it (moto), while the ETag is computed from the bytes they received. A copy counts as the
/// same only when at least one sign was present and every present sign matched.
public struct RemoteCopy: Sendable, Equatable {
    /// `x-amz-checksum-sha256` as the store reports it for our upload (base64, `-N` for multipart).
    public var checksum: String
    /// The ETag, lower-case hex without quotes (`-N` for multipart).
    public var eTag: String

    /// The copy of a file sent in one PUT.
    public init(single digest: PayloadDigest) {
        checksum = digest.sha256Base64
        eTag = digest.md5Hex
    }

    /// The copy of a file sent as these parts, in order.
    public init(parts digests: [PayloadDigest]) {
        checksum = compositeSHA256Checksum(partSHA256s: digests.map(\.sha256))
        eTag = PayloadDigest(of: digests.flatMap(\.md5)).md5Hex + "-\(digests.count)"
    }

    /// The user metadata under which the forward queue records a multipart upload's part size
    /// (`x-amz-meta-recorder-gateway-part-size`), so that a copy can still be checked after
    /// `part-size` has changed.
    public static let partSizeMetadata = "recorder-gateway-part-size"

    /// The part size the object `head` shows was uploaded with, for a file of `size` bytes:
    /// the recorded one (`partSizeMetadata`) when it is a part size S3 allows for that file
    /// and gives the part count the ETag shows;
    /// the whole file when the ETag shows a single PUT (no `-N`); else `configured` (objects
    /// forwarded before the part size was recorded).
    public static func partSize(of head: ObjectHead, size: Int64, configured: Int64) -> Int64 {
        let eTag = head.eTag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        // A multipart ETag ends in "-N", N the part count: a recorded size must give N parts.
        let listedParts = eTag.split(separator: "-").dropFirst().last.flatMap { Int64($0) }
        if let recorded = head.metadata[partSizeMetadata].flatMap({ Int64($0) }), recorded > 0,
           case let plan = PartPlan(size: size, partSize: recorded), plan.isAllowed,
           listedParts.map({ $0 == Int64(plan.count) }) ?? true {
            return recorded
        }
        if !eTag.contains("-") { return max(size, configured) }
        return configured
    }

    /// The copy of the file at `path` as the store shows it was uploaded (see `partSize(of:)`),
    /// and the SHA-256 of the file as read for it.
    public static func expected(file path: String, size: Int64, as head: ObjectHead,
                         configuredPartSize: Int64) throws(S3Error) -> (copy: RemoteCopy, sha256: [UInt8]) {
        try expected(file: path, size: size, partSize: partSize(of: head, size: size, configured: configuredPartSize))
    }

    /// The copy of the file at `path` uploaded the way the forward queue uploads it (one PUT
    /// up to `partSize` bytes, parts of `partSize` above), and the SHA-256 of the whole file
    /// from the same read: the copy and the hash describe the same bytes.
    public static func expected(file path: String, size: Int64, partSize: Int64) throws(S3Error) -> (copy: RemoteCopy, sha256: [UInt8]) {
        if size <= partSize {
            let digest = try PayloadDigest(file: path)
            return (RemoteCopy(single: digest), digest.sha256)
        }
        let whole = SHA256Hasher()
        var parts: [PayloadDigest] = []
        for range in PartPlan(size: size, partSize: partSize).ranges {
            parts.append(try PayloadDigest(file: path, range: range, alsoFeeding: whole))
        }
        return (RemoteCopy(parts: parts), whole.finalize())
    }

    public enum Verdict: Equatable, Sendable {
        /// Every sign the store gave matches, and it gave at least one.
        case same
        /// The store holds other bytes: why.
        case differs(String)
        /// The store gives nothing to compare: why.
        case unverifiable(String)
    }

    /// Whether `head` shows this copy, `size` bytes long.
    public func compare(_ head: ObjectHead, size: Int64) -> Verdict {
        if head.contentLength != size { return .differs("the store holds \(head.contentLength) bytes, not \(size)") }
        var signs = 0
        if let stored = head.checksumSHA256 {
            // moto leaves the "-N" off a composite checksum; compare what both carry.
            if stored.split(separator: "-").first != checksum.split(separator: "-").first {
                return .differs("the store's SHA-256 \(stored) is not \(checksum)")
            }
            signs += 1
        }
        let stored = head.eTag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")).lowercased()
        let md5Shaped = stored.count >= 32 && stored.prefix(32).allSatisfy(\.isHexDigit)
        if head.eTagMayBeMD5 && md5Shaped {
            if stored != eTag { return .differs("the store's ETag \(stored) is not \(eTag)") }
            signs += 1
        }
        if signs == 0 {
            let why = head.eTagMayBeMD5 ? "its ETag \(head.eTag) is not an MD5"
                : "its ETag is not an MD5 under server-side encryption \(head.serverSideEncryption ?? head.customerKeyAlgorithm ?? "")"
            return .unverifiable("the store reports no SHA-256 for the object and \(why): nothing shows its bytes are ours")
        }
        return .same
    }

    /// Why `head` does not show the retention `lock` asks for, or nil when it does (a retention
    /// at most one second short counts: S3 dates have whole seconds).
    public static func lockProblem(_ head: ObjectHead, lock: ObjectLockSettings?) -> String? {
        guard let wanted = lock?.retention else { return nil }
        guard let have = head.retention else { return "the store shows no retention" }
        if have.retainUntil.timeIntervalSince1970 + 1 < wanted.retainUntil.timeIntervalSince1970.rounded(.down) {
            return "retained until \(have.retainUntil), asked \(wanted.retainUntil)"
        }
        return nil
    }
}
