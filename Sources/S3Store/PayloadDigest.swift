import Foundation
import GatewayCrypto

/// The checksums of one upload body (a whole object or one part), in the forms the S3 headers
/// want them.
public struct PayloadDigest: Sendable, Hashable {
    /// Number of bytes hashed.
    public let length: Int64
    /// The 16-byte MD5: only a transport checksum (`Content-MD5`, single-part ETags).
    public let md5: [UInt8]
    /// The 32-byte SHA-256: the evidence hash, and the signed payload hash.
    public let sha256: [UInt8]

    /// Digests computed elsewhere (16-byte MD5, 32-byte SHA-256 of `length` bytes).
    public init(length: Int64, md5: [UInt8], sha256: [UInt8]) {
        self.length = length
        self.md5 = md5
        self.sha256 = sha256
    }

    /// `Content-MD5`: base64 of the MD5.
    public var md5Base64: String { Data(md5).base64EncodedString() }
    /// The MD5 in lower-case hex: what a single-part object's ETag holds (between quotes) when
    /// the server does not encrypt with KMS.
    public var md5Hex: String { hexString(md5) }
    /// `x-amz-checksum-sha256`: base64 of the SHA-256.
    public var sha256Base64: String { Data(sha256).base64EncodedString() }
    /// `x-amz-content-sha256`: the SHA-256 in lower-case hex.
    public var sha256Hex: String { hexString(sha256) }

    /// The digest of bytes in memory.
    public init<C: Collection>(of bytes: C) where C.Element == UInt8 {
        self.init(length: Int64(bytes.count), md5: MD5.hash(bytes), sha256: SHA256Hasher.hash(bytes))
    }
}

/// The S3 "composite" checksum of a multipart object uploaded with SHA-256 part checksums:
/// the SHA-256 of the concatenated raw part SHA-256s, base64, then `-` and the part count.
///
/// What AWS reports for such an object in `x-amz-checksum-sha256` (with
/// `x-amz-checksum-type: COMPOSITE`); it is not the SHA-256 of the object. moto 5.2 reports
/// the same value without the `-N`.
public func compositeSHA256Checksum(partSHA256s: [[UInt8]]) -> String {
    let hasher = SHA256Hasher()
    for digest in partSHA256s { hasher.update(digest) }
    return Data(hasher.finalize()).base64EncodedString() + "-\(partSHA256s.count)"
}

extension PayloadDigest {
    /// The digests of bytes `range` of the file at `path` (the whole file when nil), read one
    /// buffer at a time (`LocalFile.bufferSize`), whatever the size; `alsoFeeding` gets the
    /// same bytes. Throws `.localFile` when the file cannot be read and `.invalidRequest` when
    /// the range goes past its end.
    public init(file path: String, range: Range<Int64>? = nil, alsoFeeding extra: SHA256Hasher? = nil) throws(S3Error) {
        self = try LocalFile.digest(of: path, range: range, operation: "Digest", observing: extra.map { hasher in { hasher.update($0) } }).0
    }
}
