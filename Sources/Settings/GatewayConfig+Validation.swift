extension GatewayConfig {
    /// Checks what one line cannot: settings that need each other. (Upload bodies are streamed
    /// from their files, so no part size is too large for the machine's memory.)
    public func validated(file: String) throws(ConfigError) -> GatewayConfig {
        if let f = forward {
            if f.bucket.isEmpty { throw ConfigError(file: file, line: 0, key: "forward", reason: "S3 settings are given but no forward = s3://BUCKET/PREFIX") }
            if f.endpoint.isEmpty { throw ConfigError(file: file, line: 0, key: "s3-endpoint", reason: "forward needs s3-endpoint = URL") }
            if f.requireObjectLock && f.lockMode == nil {
                throw ConfigError(file: file, line: 0, key: "object-lock", reason: "none contradicts require-object-lock = yes")
            }
        }
        return self
    }
}
