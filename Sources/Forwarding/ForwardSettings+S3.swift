import Foundation
import S3Store
import Settings

/// The configured forwarding values in the S3 client's terms, said once for the forwarder and
/// `recorderctl verify` (Settings does not link S3Store, so the mapping lives here).
extension ForwardSettings {
    /// The store's endpoint as configured: URL, region, path or virtual-host addressing, CA bundle.
    func s3Endpoint() throws(S3ConfigurationError) -> S3Endpoint {
        try S3Endpoint(url: endpoint, region: region, addressing: virtualHost ? .virtualHost : .path, caBundlePath: caBundle)
    }

    /// The lock an object uploaded at `now` asks for: the configured mode retained `retentionDays`
    /// from then, with the legal hold if configured; nil when no lock mode is configured.
    func objectLock(uploadedAt now: Date) -> ObjectLockSettings? {
        lockMode.map {
            ObjectLockSettings(retention: ObjectRetention(mode: ObjectLockMode($0), retainUntil: now.addingTimeInterval(Double(retentionDays) * 86400)),
                               legalHold: legalHold)
        }
    }
}

extension ObjectLockMode {
    /// The S3 mode of the configured one (the same header value).
    init(_ mode: ForwardSettings.LockMode) {
        switch mode {
        case .compliance: self = .compliance
        case .governance: self = .governance
        }
    }
}
