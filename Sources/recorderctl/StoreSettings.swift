import Settings

/// The gateway's settings as recorderctl sees them, through the service's own resolver: the
/// command line over the configuration file over the defaults. A configuration error is a
/// usage error here (exit 64), as it always was for recorderctl.
func resolved(_ commandLine: CommandLineSettings) throws(UsageError) -> GatewayConfig {
    do { return try SettingsResolver.resolve(commandLine) } catch { throw UsageError(description: "\(error)") }
}

extension Arguments {
    /// Takes `--store DIR` and `--config FILE` and resolves them: `--store`, else the `store`
    /// of the file, else the default store.
    mutating func settings() throws(UsageError) -> GatewayConfig {
        try resolved(CommandLineSettings(config: try option("--config"), store: try option("--store")))
    }

    /// The store the command works on (see `settings()`).
    mutating func store() throws(UsageError) -> String { try settings().store }
}
