import Foundation

/// S3 Object Lock retention modes.
public enum ObjectLockMode: String, Sendable, Hashable, CaseIterable {
    /// No one, not even the account root, can delete the version or shorten its retention
    /// until the date passes: the mode for evidence.
    case compliance = "COMPLIANCE"
    /// Users with `s3:BypassGovernanceRetention` can delete the version early. This client
    /// never sends the bypass header.
    case governance = "GOVERNANCE"
}

/// A retention period on one object version: locked in `mode` until `retainUntil`.
public struct ObjectRetention: Sendable, Hashable {
    /// How strict the lock is.
    public let mode: ObjectLockMode
    /// When the lock ends. Sent rounded UP to the whole second (`S3Timestamp.iso8601`).
    public let retainUntil: Date

    /// A retention of `mode` until `retainUntil`.
    public init(mode: ObjectLockMode, retainUntil: Date) {
        self.mode = mode
        self.retainUntil = retainUntil
    }
}

/// The lock to put on a new object: a retention period, a legal hold, or both. Sent as
/// `x-amz-object-lock-mode`, `x-amz-object-lock-retain-until-date` and
/// `x-amz-object-lock-legal-hold` on PutObject and CreateMultipartUpload.
///
/// Servers differ in whether they apply these headers (Ceph RGW 16 ignores them on
/// CreateMultipartUpload): read the retention back with `headObject` or `objectRetention`
/// and set it with `setObjectRetention` when missing.
public struct ObjectLockSettings: Sendable, Hashable {
    /// The retention period to set; nil for a legal hold alone.
    public let retention: ObjectRetention?
    /// A legal hold locks the version with no end date until it is removed.
    public let legalHold: Bool

    /// Lock settings: a retention, a legal hold, or both.
    public init(retention: ObjectRetention?, legalHold: Bool = false) {
        self.retention = retention
        self.legalHold = legalHold
    }

    /// The request headers for these settings.
    var headers: [(name: String, value: String)] {
        var out: [(name: String, value: String)] = []
        if let retention {
            out.append(("x-amz-object-lock-mode", retention.mode.rawValue))
            out.append(("x-amz-object-lock-retain-until-date", S3Timestamp.iso8601(roundingUp: retention.retainUntil)))
        }
        if legalHold { out.append(("x-amz-object-lock-legal-hold", "ON")) }
        return out
    }
}

/// A bucket's Object Lock configuration (GetObjectLockConfiguration).
public struct BucketObjectLockConfiguration: Sendable, Hashable {
    /// Whether Object Lock is enabled on the bucket (`<ObjectLockEnabled>Enabled`). Only such
    /// a bucket accepts lock headers, and it can never be turned off again.
    public let enabled: Bool
    /// The retention every new version gets when the upload names none.
    public let defaultRetention: DefaultRetention?

    /// A bucket's default retention: a mode and a period in days or years.
    public struct DefaultRetention: Sendable, Hashable {
        /// The mode new versions are locked in.
        public let mode: ObjectLockMode
        /// The period in days, when given in days.
        public let days: Int?
        /// The period in years, when given in years.
        public let years: Int?
    }
}
