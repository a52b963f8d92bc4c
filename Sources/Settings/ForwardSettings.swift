import Foundation

/// Where and how bags are forwarded to a remote evidence store (Docs/configuration.md).
public struct ForwardSettings: Sendable, Equatable {
    public var bucket: String
    /// Key prefix, without leading or trailing '/'; may be empty.
    public var prefix: String
    public var endpoint: String
    public var region: String = "us-east-1"
    public var virtualHost = false
    public var caBundle: String?
    /// A credentials file in the AWS shared format; nil: the environment, then ~/.aws/credentials.
    public var credentialsFile: String?
    public var profile = "default"
    /// COMPLIANCE or GOVERNANCE; nil sends no lock (only when `requireObjectLock` is off).
    public var lockMode: LockMode? = .compliance
    /// Retention from upload, days (China's rules: at least 6 months; longer for evidence).
    public var retentionDays = 180
    public var legalHold = false
    /// Objects larger than this go up in parts of this size.
    public var partSize: Int64 = 64 << 20
    /// Objects worked at once, and uploads (PUTs and parts) on the wire at once across them.
    /// Each part in flight takes a copy of its bytes on the store's disk.
    public var uploadsInFlight = 4
    /// Refuse to forward (and so to release) when the bucket has no Object Lock.
    public var requireObjectLock = true
    /// How long a dock waits for its bag to reach the store before it leaves without releasing
    /// (`forward-wait`, 0...86400 seconds, kept to the millisecond).
    public var wait: Duration = .seconds(120)
    /// `prune-after-days`: a local bag whose every object is verified in the evidence store is
    /// removed from the local store this many days after the last was verified (0: at once);
    /// nil (`keep`, the default): never.
    public var pruneAfterDays: Int?
    /// `forward-rate-limit`: the most bytes a second all uploads send together (`ForwardRate`);
    /// nil (`none`, the default): no cap.
    public var rateLimit: Int64?
    /// `forward-hours`: when, in the kiosk's local time, uploads may start (`ForwardHours`);
    /// nil (`always`, the default): at any hour.
    public var hours: ForwardHours?

    /// The S3 Object Lock retention mode to put on each object, as the configuration names it.
    /// Its own type here, so that the settings (and every program that reads them, such as
    /// recorder-sim) do not link the S3 client; the forwarder maps it to S3Store's
    /// `ObjectLockMode`, whose raw values are the same header values.
    public enum LockMode: String, Sendable, Hashable, CaseIterable {
        /// No one can delete the version or shorten its retention until the date passes.
        case compliance = "COMPLIANCE"
        /// Users allowed to bypass governance retention can delete the version early.
        case governance = "GOVERNANCE"
    }

    public init(bucket: String, prefix: String, endpoint: String) {
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint = endpoint
    }

    /// `s3://BUCKET/PREFIX` → bucket and prefix, or nil.
    public static func parse(url: String) -> (bucket: String, prefix: String)? {
        guard url.hasPrefix("s3://") else { return nil }
        let rest = url.dropFirst(5)
        let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bucket = parts.first, !bucket.isEmpty else { return nil }
        let prefix = parts.count > 1 ? String(parts[1]).trimmingCharacters(in: CharacterSet(charactersIn: "/")) : ""
        return (String(bucket), prefix)
    }
}

extension GatewayConfig {
    /// Points forwarding at `url` (`s3://BUCKET/PREFIX`), keeping every other S3 setting already
    /// made; the one merge for the `forward` key and the `--forward` option. False, and nothing
    /// changed, when `url` is not such a URL.
    public mutating func forward(to url: String) -> Bool {
        guard let (bucket, prefix) = ForwardSettings.parse(url: url) else { return false }
        var f = forward ?? ForwardSettings(bucket: bucket, prefix: prefix, endpoint: "")
        f.bucket = bucket
        f.prefix = prefix
        forward = f
        return true
    }
}
