import Foundation

/// What HeadBucket learnt.
public struct BucketHead: Sendable, Hashable {
    /// The bucket's region from `x-amz-bucket-region`, when the server sends it (AWS, MinIO).
    public let region: String?
}

/// The outcome of a PutObject.
public struct PutObjectResult: Sendable, Hashable {
    /// The ETag as sent by the server, quotes included: `"5eb63bbbe01eeed093cb22bb8f5acdc3"`.
    public let eTag: String
    /// The new version's id; nil from an unversioned bucket (an Object Lock bucket is always
    /// versioned).
    public let versionID: String?
    /// The `x-amz-checksum-sha256` the server reported, when it did. The client has already
    /// checked that it equals `sent.sha256Base64`.
    public let checksumSHA256: String?
    /// The checksums of the bytes sent, computed from the file before sending.
    public let sent: PayloadDigest
}

/// What HeadObject (with `x-amz-checksum-mode: ENABLED`) says about an object version.
public struct ObjectHead: Sendable, Hashable {
    /// `Content-Length`: the object's size in bytes.
    public let contentLength: Int64
    /// The ETag, quotes included. A single-part upload's is the MD5 in hex; a multipart's is
    /// `"<md5 of the part md5s>-<part count>"`.
    public let eTag: String
    /// `x-amz-checksum-sha256` (base64): the SHA-256 of a single-part object, the composite
    /// checksum of a multipart one (see `compositeSHA256Checksum`). Nil when the object was
    /// stored without one or the server keeps none (Ceph RGW 16).
    public let checksumSHA256: String?
    /// `x-amz-checksum-type` (`FULL_OBJECT`, `COMPOSITE`), when sent.
    public let checksumType: String?
    /// `x-amz-version-id`.
    public let versionID: String?
    /// The retention from `x-amz-object-lock-mode` and `-retain-until-date`; nil when the
    /// version has none.
    public let retention: ObjectRetention?
    /// `x-amz-object-lock-legal-hold`: true for ON, false for OFF, nil when not sent.
    public let legalHold: Bool?
    /// `Content-Type`.
    public let contentType: String?
    /// `x-amz-server-side-encryption` (`AES256`, `aws:kms`, `aws:kms:dsse`), when sent.
    public let serverSideEncryption: String?
    /// `x-amz-server-side-encryption-customer-algorithm`: set when the object is encrypted
    /// with a key the client supplied (SSE-C).
    public let customerKeyAlgorithm: String?
    /// The user metadata (`x-amz-meta-NAME: value`), keyed by NAME in lower case.
    public let metadata: [String: String]

    /// A HEAD answer as given; the client builds these from the HTTP headers.
    public init(contentLength: Int64, eTag: String, checksumSHA256: String? = nil, checksumType: String? = nil,
                versionID: String? = nil, retention: ObjectRetention? = nil, legalHold: Bool? = nil,
                contentType: String? = nil, serverSideEncryption: String? = nil, customerKeyAlgorithm: String? = nil,
                metadata: [String: String] = [:]) {
        self.contentLength = contentLength
        self.eTag = eTag
        self.checksumSHA256 = checksumSHA256
        self.checksumType = checksumType
        self.versionID = versionID
        self.retention = retention
        self.legalHold = legalHold
        self.contentType = contentType
        self.serverSideEncryption = serverSideEncryption
        self.customerKeyAlgorithm = customerKeyAlgorithm
        self.metadata = metadata
    }

    /// Whether the ETag can be an MD5 of the bytes: AWS documents that objects encrypted with
    /// SSE-KMS (`aws:kms`, `aws:kms:dsse`) or SSE-C have ETags that are not, though they look
    /// the same. (SSE-S3, `AES256`, keeps the MD5.)
    public var eTagMayBeMD5: Bool {
        customerKeyAlgorithm == nil && !(serverSideEncryption?.lowercased().hasPrefix("aws:kms") ?? false)
    }
}

/// One part of a multipart upload: what UploadPart produced, ListParts lists and
/// CompleteMultipartUpload needs.
public struct MultipartPart: Sendable, Hashable {
    /// 1…10000.
    public let partNumber: Int
    /// The part's ETag, quotes included.
    public let eTag: String
    /// The part's size in bytes.
    public let size: Int64
    /// The part's SHA-256, base64: sent with the part and listed back by servers that keep
    /// it; CompleteMultipartUpload repeats it per part.
    public let checksumSHA256: String?

    /// A part as recorded elsewhere (a journal), to complete an upload after a restart.
    public init(partNumber: Int, eTag: String, size: Int64, checksumSHA256: String?) {
        self.partNumber = partNumber
        self.eTag = eTag
        self.size = size
        self.checksumSHA256 = checksumSHA256
    }
}

/// The outcome of CompleteMultipartUpload.
public struct CompletedUpload: Sendable, Hashable {
    /// The object's ETag, quotes included (`"…-N"` for N parts).
    public let eTag: String
    /// The new version's id.
    public let versionID: String?
    /// `<ChecksumSHA256>` of the result, when the server reports it: the composite checksum.
    public let checksumSHA256: String?
}

/// The outcome of a whole multipart upload made by `putObjectMultipart`.
public struct MultipartUploadResult: Sendable, Hashable {
    /// What CompleteMultipartUpload answered.
    public let upload: CompletedUpload
    /// The parts as uploaded, in order, with their checksums.
    public let parts: [MultipartPart]
    /// The checksums of each part's bytes, in order.
    public let partDigests: [PayloadDigest]
    /// HEAD of the new version after completion (and after `applyLock`): its size, checksum
    /// and lock as the server reports them.
    public let head: ObjectHead
    /// What an S3 server should report as the object's `x-amz-checksum-sha256`:
    /// `compositeSHA256Checksum` of the part SHA-256s.
    public var expectedCompositeChecksum: String { compositeSHA256Checksum(partSHA256s: partDigests.map(\.sha256)) }
}

/// The outcome of DeleteObject.
public struct DeletedObject: Sendable, Hashable {
    /// The version deleted, or the id of the delete marker created.
    public let versionID: String?
    /// Whether the delete created (or removed) a delete marker rather than removing data.
    public let isDeleteMarker: Bool
}
