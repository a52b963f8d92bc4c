import Foundation

/// What the command line says about settings a configuration file also holds. Nil: not given.
public struct CommandLineSettings: Sendable, Equatable {
    /// `--config FILE`.
    public var config: String?
    /// `--store DIR`.
    public var store: String?
    /// `--state DIR`.
    public var state: String?
    /// `--forward s3://BUCKET/PREFIX`.
    public var forward: String?
    /// `--s3-endpoint URL`.
    public var s3Endpoint: String?
    /// `--s3-region REGION`.
    public var s3Region: String?
    /// `--verify-source always|before-release`.
    public var verifySource: String?

    public init(config: String? = nil, store: String? = nil, state: String? = nil, forward: String? = nil,
                s3Endpoint: String? = nil, s3Region: String? = nil, verifySource: String? = nil) {
        self.config = config
        self.store = store
        self.state = state
        self.forward = forward
        self.s3Endpoint = s3Endpoint
        self.s3Region = s3Region
        self.verifySource = verifySource
    }

    /// Takes every option above out of `arguments` (the service's full set).
    public init(taking arguments: inout Arguments) throws(UsageError) {
        self.init(config: try arguments.option("--config"), store: try arguments.option("--store"),
                  state: try arguments.option("--state"), forward: try arguments.option("--forward"),
                  s3Endpoint: try arguments.option("--s3-endpoint"), s3Region: try arguments.option("--s3-region"),
                  verifySource: try arguments.option("--verify-source"))
    }
}

/// Why the settings could not be resolved: the command line (exit 64) or the configuration
/// (the file's text, or settings that contradict each other).
public enum SettingsError: Error, Sendable, CustomStringConvertible {
    case usage(UsageError)
    case configuration(ConfigError)

    public var description: String {
        switch self {
        case .usage(let e): e.description
        case .configuration(let e): e.description
        }
    }
}

/// The one resolver of the gateway's settings, for recorder-gatewayd and recorderctl alike
/// (Docs/configuration.md, "Precedence"): the command line over the configuration file over
/// the defaults.
public enum SettingsResolver {
    /// The settings in force.
    ///
    /// The file named by `--config` is read through `read` (the file system by default; the
    /// resolver itself only parses text), parsed and validated; `--store`, `--forward`,
    /// `--s3-endpoint` and `--s3-region` then override it (the endpoint and region only when
    /// something forwards), and forwarding settings are validated again once merged. `--state`
    /// wins; without it and without a file, the journal goes to `state/` beside the store.
    ///
    /// - Parameters:
    ///   - requireStore: refuse a command line with neither `--store` nor `--config` (the service).
    /// - Throws: `.configuration` naming the file (or "command line"), line and key;
    ///   `.usage` for a `--forward` that is not `s3://BUCKET/PREFIX`, a `--verify-source` that is
    ///   not `always` or `before-release`, or a missing store.
    public static func resolve(_ commandLine: CommandLineSettings, requireStore: Bool = false,
                               read: (String) throws(ConfigError) -> String = GatewayConfig.text(ofFile:))
        throws(SettingsError) -> GatewayConfig {
        var config = GatewayConfig()
        do {
            if let path = commandLine.config {
                config = try GatewayConfig(text: try read(path), file: path).validated(file: path)
            }
        } catch { throw .configuration(error) }
        if let store = commandLine.store { config.store = store }
        if let forward = commandLine.forward, !config.forward(to: forward) {
            throw .usage(UsageError(description: "--forward \(forward) is not s3://BUCKET/PREFIX"))
        }
        if let verify = commandLine.verifySource {
            guard let policy = VerifySourcePolicy(rawValue: verify) else {
                throw .usage(UsageError(description: "--verify-source \(verify) is not always or before-release"))
            }
            config.verifySource = policy
        }
        if let endpoint = commandLine.s3Endpoint { config.forward?.endpoint = endpoint }
        if let region = commandLine.s3Region { config.forward?.region = region }
        if config.forward != nil {
            do { config = try config.validated(file: commandLine.config ?? "command line") } catch { throw .configuration(error) }
        }
        if requireStore, commandLine.store == nil, commandLine.config == nil {
            throw .usage(UsageError(description: "--store DIR is required (or a config file with store =)"))
        }
        if let state = commandLine.state {
            config.state = state
        } else if commandLine.config == nil {
            config.state = ((config.store as NSString).deletingLastPathComponent as NSString).appendingPathComponent("state")
        }
        return config
    }
}
