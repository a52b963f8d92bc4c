/// How a file of `size` bytes is cut into the parts of a multipart upload of `partSize`-byte
/// parts: every part `partSize` bytes but the last, which holds the rest. The one statement
/// of that arithmetic, for whoever uploads parts, resumes an upload or recomputes a copy's
/// checksums.
public struct PartPlan: Sendable, Hashable {
    /// The file's length in bytes.
    public let size: Int64
    /// The length of every part but the last; positive.
    public let partSize: Int64

    /// The plan of a `size`-byte file in parts of `partSize` bytes (`partSize` > 0).
    public init(size: Int64, partSize: Int64) {
        precondition(partSize > 0, "a part size must be positive")
        self.size = size
        self.partSize = partSize
    }

    /// The number of parts, ⌈size / partSize⌉: 0 for an empty file.
    public var count: Int { Int((size + partSize - 1) / partSize) }

    /// The bytes of the part at `index` (0-based, below `count`).
    public func range(ofPart index: Int) -> Range<Int64> {
        Int64(index) * partSize..<min(size, Int64(index + 1) * partSize)
    }

    /// Every part's bytes, in order.
    public var ranges: [Range<Int64>] { (0..<count).map(range(ofPart:)) }

    /// Whether S3 accepts this cut: a part size within `S3Client.minimumPartSize` …
    /// `S3Client.maximumPartSize` and at most `S3Client.maximumPartCount` parts.
    public var isAllowed: Bool {
        (S3Client.minimumPartSize...S3Client.maximumPartSize).contains(partSize) && count <= S3Client.maximumPartCount
    }
}
