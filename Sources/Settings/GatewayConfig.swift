import Foundation

/// What a kiosk is told in its configuration file (Docs/configuration.md).
public struct GatewayConfig: Sendable, Equatable {
    /// Root of the local evidence store: bags/, .staging/, audit/.
    public var store: String = "/var/lib/recorder-gateway/store"
    /// Where the journal lives.
    public var state: String = "/var/lib/recorder-gateway/state"
    /// This kiosk's name in bags, custody records and HELLO.
    public var gatewayId: String = ProcessInfo.processInfo.hostName
    /// The gateway's Ed25519 private key (PEM, 0600); created on first start. Default: `<state>/gateway.key`.
    public var keyPath: String?
    /// Recorder passwords by serial.
    public var passwords: [String: String] = [:]
    /// The fleet password, for serials without their own.
    public var defaultPassword: String?
    public var releasePolicy: ReleasePolicy = .keep
    /// When a recorder that keeps no hash of its own has every file read a second time before
    /// the bag is sealed.
    public var verifySource: VerifySourcePolicy = .beforeRelease
    /// `audit-segment-size`: the audit log's open segment is sealed (renamed to
    /// `audit-<first seq>.jsonl`) once it holds this many bytes, so no file grows without end.
    public var auditSegmentBytes: Int = 16 << 20
    /// `store-high-watermark`, `store-critical-watermark`.
    public var storeWatermarks = StoreWatermarks.defaults
    /// `status-listen`: where the officer's screen and the metrics are served; nil when the
    /// file does not say (the service then uses `StatusListen.serviceDefault`, `--simulate` none).
    public var statusListen: StatusListen?
    /// Human bay names by USB port path ("1-1.3" → "Bay 3").
    public var bayNames: [String: String] = [:]
    /// Where sealed bags go besides the local store; nil: local only.
    public var forward: ForwardSettings?
    /// Vendor recorders: their password file, how long they have to come back as mass storage,
    /// the assignment table.
    public var vendor = VendorSettings()

    public init() {}

    /// The key path in force.
    public var resolvedKeyPath: String { keyPath ?? (state as NSString).appendingPathComponent("gateway.key") }

    /// The password for `serial`, or nil when neither its own nor a default is configured.
    public func password(for serial: String) -> String? { passwords[serial] ?? defaultPassword }

    /// The bay's display name.
    public func bayName(port: String) -> String { bayNames[port] ?? port }
}

/// When a recorder may free a recording.
public enum ReleasePolicy: String, Sendable, Equatable {
    /// Never: the recorder keeps everything (the default; footage is also on the device).
    case keep
    /// Once the bag holding a verified copy is final (and, when forwarding exists, the store
    /// has confirmed its copy).
    case releaseAfterVerified = "release-after-verified"
}

/// When the files of a recorder without its own hashes (mass storage) are read a second time,
/// independently, and compared with the first read (the forensic imager's "verify source").
public enum VerifySourcePolicy: String, Sendable, Equatable, CaseIterable {
    /// At every dock: a changed medium is found even when nothing is released.
    case always
    /// Only at a dock that would release (the recorder can, and `release` says so): nothing is
    /// freed before a second read agreed, and a dock that frees nothing costs one USB pass.
    case beforeRelease = "before-release"
}

/// A configuration line that is wrong: names the file, line, key and reason.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var key: String
    public var reason: String

    public var description: String {
        line > 0 ? "\(file):\(line): \(key): \(reason)" : "\(file): \(reason)"
    }
}
