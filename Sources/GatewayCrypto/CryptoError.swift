import CCrypto

/// A libcrypto operation failed.
public enum CryptoError: Error, Hashable, Sendable, CustomStringConvertible {
    case openSSL(operation: String, detail: String)

    public var description: String {
        switch self {
        case .openSSL(let operation, let detail): "libcrypto \(operation) failed: \(detail)"
        }
    }

    /// OpenSSL's most recent queued error as text, or "no detail".
    static func lastOpenSSLError() -> String {
        let code = ERR_get_error()
        guard code != 0 else { return "no detail" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
