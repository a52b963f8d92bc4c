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
    /// Human bay names by USB port path ("1-1.3" → "Bay 3").
    public var bayNames: [String: String] = [:]

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

extension GatewayConfig {
    /// The keys a configuration file may use, with a one-line meaning (for errors and docs).
    public static let keys: [(String, String)] = [
        ("store", "directory of the local evidence store"),
        ("state", "directory of the journal"),
        ("gateway-id", "this kiosk's name"),
        ("key", "path of the gateway's Ed25519 private key"),
        ("release", "keep | release-after-verified"),
        ("password.default", "the fleet password"),
        ("password.SERIAL", "the password of one recorder"),
        ("bay.PORT", "display name of the bay at a USB port path, e.g. bay.1-1.3 = Bay 3"),
    ]

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
            case "password.default": defaultPassword = value
            default:
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
    }

    /// Reads and parses a configuration file.
    public init(contentsOf path: String) throws(ConfigError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, line: 0, key: "", reason: "cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, line: 0, key: "", reason: "is not UTF-8")
        }
        try self.init(text: text, file: path)
    }
}
