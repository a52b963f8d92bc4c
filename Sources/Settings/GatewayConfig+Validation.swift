extension GatewayConfig {
    /// Checks what one line cannot: settings that need each other, and upload bodies that
    /// would not fit in memory (`memory`: this machine's, by default).
    public func validated(file: String, memory: Int64 = GatewayConfig.physicalMemory) throws(ConfigError) -> GatewayConfig {
        if let f = forward {
            // Each upload on the wire holds its body (up to part-size) in memory, and one more is
            // doubled while URLSession copies it; more than half the machine's memory for them
            // invites the OOM killer in the middle of a dock.
            let bodies = Int64(f.uploadsInFlight + 1) * f.partSize
            if memory > 0, bodies > memory / 2 {
                throw ConfigError(file: file, line: 0, key: "part-size",
                                  reason: "(uploads-in-flight + 1) × part-size = \(f.uploadsInFlight + 1) × \(f.partSize >> 20) MiB would hold \(bodies >> 20) MiB of upload bodies in memory, more than half of this machine's \(memory >> 20) MiB; lower part-size or uploads-in-flight")
            }
            if f.bucket.isEmpty { throw ConfigError(file: file, line: 0, key: "forward", reason: "S3 settings are given but no forward = s3://BUCKET/PREFIX") }
            if f.endpoint.isEmpty { throw ConfigError(file: file, line: 0, key: "s3-endpoint", reason: "forward needs s3-endpoint = URL") }
            if f.requireObjectLock && f.lockMode == nil {
                throw ConfigError(file: file, line: 0, key: "object-lock", reason: "none contradicts require-object-lock = yes")
            }
        }
        return self
    }
}
