/// A request that got no complete HTTP answer, with libcurl's code and words.
public struct HTTPFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, in the terms a caller decides on.
    public enum Kind: Sendable, Hashable {
        /// The URL cannot be parsed.
        case invalidURL
        /// Not `http` or `https`.
        case unsupportedScheme
        /// The host name does not resolve.
        case hostNotFound
        /// Nothing accepted the connection.
        case cannotConnect
        /// No byte sent or received for the idle timeout, or no connection within it.
        case timedOut
        /// The connection broke while sending or receiving (reset, closed early).
        case connectionLost
        /// TLS failed: the handshake, or the server's certificate is not trusted for the host.
        case tls
        /// The caller's task was cancelled.
        case cancelled
        /// The body source returned nil (`HTTPBodySource.read`).
        case bodyAborted
        /// The answer's body was larger than the client accepts.
        case responseTooLarge
        /// Anything else libcurl reports.
        case other
    }

    public let kind: Kind
    /// libcurl's `CURLcode` (0 for a cancellation).
    public let curlCode: Int
    /// libcurl's message, naming what failed.
    public let detail: String

    public init(kind: Kind, curlCode: Int, detail: String) {
        self.kind = kind
        self.curlCode = curlCode
        self.detail = detail
    }

    public var description: String { "\(detail) (curl code \(curlCode))" }
}
