import Foundation

extension GatewayConfig {
    /// The keys a configuration file may use, with a one-line meaning (for errors and docs).
    public static let keys: [(String, String)] = [
        ("store", "directory of the local evidence store"),
        ("state", "directory of the journal"),
        ("gateway-id", "this kiosk's name"),
        ("key", "path of the gateway's Ed25519 private key"),
        ("release", "keep | release-after-verified"),
        ("verify-source", "always | before-release: when files of a recorder without its own hashes are read a second time (default before-release)"),
        ("audit-segment-size", "size at which the audit log's open segment is sealed and a new one begun, e.g. 16MiB (4KiB...1GiB, default 16MiB)"),
        ("store-high-watermark", "percent of the store's file system in use past which the service warns (default 85%)"),
        ("store-critical-watermark", "percent in use past which new docks are refused, the recorders keeping their footage (default 95%)"),
        ("status-listen", "ADDRESS:PORT of the officer's screen and /metrics, or none (default 127.0.0.1:8470)"),
        ("password.default", "the fleet password"),
        ("password.SERIAL", "the password of one recorder"),
        ("bay.PORT", "display name of the bay at a USB port path, e.g. bay.1-1.3 = Bay 3"),
        ("forward", "s3://BUCKET/PREFIX: forward sealed bags to an S3 evidence store"),
        ("s3-endpoint", "URL of the S3 service (required with forward)"),
        ("s3-region", "SigV4 region (default us-east-1)"),
        ("s3-addressing", "path | virtual-host (default path)"),
        ("s3-ca-bundle", "PEM file of the CA that signed the store's certificate"),
        ("s3-credentials", "AWS shared credentials file (0600); default: environment, then ~/.aws/credentials"),
        ("s3-profile", "profile in that file (default default)"),
        ("object-lock", "compliance | governance | none (default compliance)"),
        ("retention-days", "retention from upload, days (default 180)"),
        ("legal-hold", "yes | no (default no)"),
        ("part-size", "multipart part size, e.g. 64MiB (5MiB...5GiB)"),
        ("uploads-in-flight", "objects and uploads sent to the store at once, 1...32"),
        ("require-object-lock", "yes | no: refuse a bucket without Object Lock (default yes)"),
        ("prune-after-days", "keep | DAYS: remove a local bag this long after every object of it was verified in the evidence store (default keep)"),
        ("forward-wait", "seconds a dock waits for its bag to reach the store before leaving without release (default 120)"),
        ("forward-rate-limit", "the most all uploads send together, like 2MiB/s or 16Mbit/s, or none (default none)"),
        ("forward-hours", "when uploads may start, local time, like 22:00-06:00 (several separated by commas), or always (default always)"),
    ] + VendorSettings.keys

    /// Parses `key = value` lines; `#` starts a comment; blank lines are ignored.
    ///
    /// - Throws: `ConfigError` naming the line and key of the first problem: unknown key,
    ///   duplicate key, missing `=`, empty or invalid value.
    public init(text: String, file: String) throws(ConfigError) {
        self.init()
        var seen: [String: Int] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            var line = String(raw)
            if line.hasSuffix("\r") { line.removeLast() }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let eq = trimmed.firstIndex(of: "=") else {
                throw ConfigError(file: file, line: number, key: trimmed, reason: "expected `key = value`")
            }
            let key = trimmed[..<eq].trimmingCharacters(in: .whitespaces)
            let value = trimmed[trimmed.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            func fail(_ reason: String) -> ConfigError { ConfigError(file: file, line: number, key: key, reason: reason) }
            if let first = seen[key] { throw fail("set twice (first on line \(first))") }
            seen[key] = number
            guard !value.isEmpty else { throw fail("has no value") }
            switch key {
            case "store": store = value
            case "state": state = value
            case "gateway-id":
                guard value.utf8.count <= 64, !value.contains(where: { $0.isWhitespace || $0 == "/" }) else {
                    throw fail("must be at most 64 bytes without spaces or '/'")
                }
                gatewayId = value
            case "key": keyPath = value
            case "release":
                guard let p = ReleasePolicy(rawValue: value) else { throw fail("\"\(value)\" is not keep or release-after-verified") }
                releasePolicy = p
            case "verify-source":
                guard let v = VerifySourcePolicy(rawValue: value) else { throw fail("\"\(value)\" is not always or before-release") }
                verifySource = v
            case "audit-segment-size":
                guard let bytes = GatewayConfig.parseSize(value), (4 << 10...1 << 30).contains(bytes) else {
                    throw fail("must be a size within 4KiB...1GiB, like 16MiB, not \"\(value)\"")
                }
                auditSegmentBytes = Int(bytes)
            case "store-high-watermark", "store-critical-watermark":
                guard let fraction = StoreWatermarks.parsePercent(value) else {
                    throw fail("must be a percentage within 1%...99.9% (at most one decimal), like 85%, not \"\(value)\"")
                }
                if key == "store-high-watermark" { storeWatermarks.high = fraction } else { storeWatermarks.critical = fraction }
            case "status-listen":
                guard let listen = StatusListen(value) else {
                    throw fail("\"\(value)\" is not ADDRESS:PORT (a numeric IPv4 address, [IPv6] or localhost, and a port 0...65535) or none")
                }
                statusListen = listen
            case "password.default": defaultPassword = value
            case "forward":
                guard forward(to: value) else { throw fail("\"\(value)\" is not s3://BUCKET/PREFIX") }
            case "s3-endpoint", "s3-region", "s3-addressing", "s3-ca-bundle", "s3-credentials", "s3-profile", "object-lock",
                 "retention-days", "legal-hold", "part-size", "uploads-in-flight", "require-object-lock", "forward-wait",
                 "prune-after-days", "forward-rate-limit", "forward-hours":
                var f = forward ?? ForwardSettings(bucket: "", prefix: "", endpoint: "")
                switch key {
                case "s3-endpoint":
                    guard value.hasPrefix("http://") || value.hasPrefix("https://") else { throw fail("must be an http:// or https:// URL") }
                    f.endpoint = value
                case "s3-region": f.region = value
                case "s3-addressing":
                    guard value == "path" || value == "virtual-host" else { throw fail("must be path or virtual-host") }
                    f.virtualHost = value == "virtual-host"
                case "s3-ca-bundle": f.caBundle = value
                case "s3-credentials": f.credentialsFile = value
                case "s3-profile": f.profile = value
                case "object-lock":
                    switch value.lowercased() {
                    case "compliance": f.lockMode = .compliance
                    case "governance": f.lockMode = .governance
                    case "none": f.lockMode = nil
                    default: throw fail("must be compliance, governance or none")
                    }
                case "retention-days":
                    guard let d = Int(value), (1...36500).contains(d) else { throw fail("must be a whole number of days within 1...36500, not \"\(value)\"") }
                    f.retentionDays = d
                case "legal-hold":
                    guard value == "yes" || value == "no" else { throw fail("must be yes or no") }
                    f.legalHold = value == "yes"
                case "part-size":
                    guard let bytes = GatewayConfig.parseSize(value), (5 << 20...5 << 30).contains(bytes) else {
                        throw fail("must be a size within 5MiB...5GiB, like 64MiB, not \"\(value)\"")
                    }
                    f.partSize = bytes
                case "uploads-in-flight":
                    guard let n = Int(value), (1...32).contains(n) else { throw fail("must be a whole number within 1...32, not \"\(value)\"") }
                    f.uploadsInFlight = n
                case "prune-after-days":
                    if value == "keep" {
                        f.pruneAfterDays = nil
                    } else {
                        guard let days = Int(value), (0...36500).contains(days), value.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
                            throw fail("must be keep or a whole number of days within 0...36500, not \"\(value)\"")
                        }
                        f.pruneAfterDays = days
                    }
                case "forward-rate-limit":
                    do throws(ForwardRate.Problem) {
                        f.rateLimit = try ForwardRate.parse(value)
                    } catch {
                        throw fail("\"\(value)\" \(error)")
                    }
                case "forward-hours":
                    do throws(ForwardHours.Problem) {
                        f.hours = try ForwardHours.parse(value)
                    } catch {
                        throw fail("\(error)")
                    }
                case "require-object-lock":
                    guard value == "yes" || value == "no" else { throw fail("must be yes or no") }
                    f.requireObjectLock = value == "yes"
                default:
                    guard let wait = SecondsValue.parse(value, in: 0...86400) else {
                        throw fail("must be a number of seconds within 0...86400, not \"\(value)\"")
                    }
                    f.wait = wait
                }
                forward = f
            default:
                do throws(VendorSettingsValueError) {
                    if try vendor.take(key: key, value: value) { continue }
                } catch {
                    throw fail(error.reason)
                }
                if key.hasPrefix("password.") {
                    let serial = String(key.dropFirst("password.".count))
                    guard serial.count == 7, serial.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                        throw fail("\"\(serial)\" is not a 7-character recorder serial")
                    }
                    passwords[serial] = value
                } else if key.hasPrefix("bay.") {
                    let port = String(key.dropFirst("bay.".count))
                    guard !port.isEmpty, port.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || $0 == "-" || $0 == "." }) else {
                        throw fail("\"\(port)\" is not a USB port path like 1-1.3")
                    }
                    bayNames[port] = value
                } else {
                    throw fail("unknown key (known: \(GatewayConfig.keys.map(\.0).joined(separator: ", ")))")
                }
            }
        }
        if storeWatermarks.high >= storeWatermarks.critical {
            let line = seen["store-critical-watermark"] ?? seen["store-high-watermark"] ?? 0
            throw ConfigError(file: file, line: line, key: seen["store-critical-watermark"] != nil ? "store-critical-watermark" : "store-high-watermark",
                              reason: "the critical watermark (\(Self.percent(storeWatermarks.critical))) must be above the high one (\(Self.percent(storeWatermarks.high)))")
        }
    }

    static func percent(_ fraction: Double) -> String {
        let tenths = (fraction * 1000).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? "\(Int(tenths / 10))%" : "\(tenths / 10)%"
    }

    /// "64MiB" → 67108864; nil when the text is not a whole number with an optional unit, or
    /// the bytes it names do not fit an Int64 (`9999999999999GiB` must not trap).
    static func parseSize(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1000), ("B", 1)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            guard let n = Int64(text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)) else { return nil }
            // The file is hand-written: "11111111111111111111MB" must be refused, not trap.
            let (bytes, overflow) = n.multipliedReportingOverflow(by: factor)
            return overflow ? nil : bytes
        }
        return Int64(text)
    }
}
