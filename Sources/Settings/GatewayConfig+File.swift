import Foundation

// The thin adapter between the pure parser and the machine: the file's bytes.
extension GatewayConfig {
    /// The configuration file's text.
    ///
    /// - Throws: `ConfigError` naming the file when it cannot be read or is not UTF-8.
    public static func text(ofFile path: String) throws(ConfigError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, line: 0, key: "", reason: "cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, line: 0, key: "", reason: "is not UTF-8")
        }
        return text
    }
}
