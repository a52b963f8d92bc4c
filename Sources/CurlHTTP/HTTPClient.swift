import CCurl

/// An HTTP client over libcurl (HTTP/1.1, and HTTP/2 over TLS where the server offers it):
/// requests run on one event-loop thread shared by the process (libcurl's multi interface),
/// connections are kept alive and reused, redirects are never followed, and HTTPS checks the
/// server against the system trust store (libcurl's OpenSSL default, Debian's
/// /etc/ssl/certs/ca-certificates.crt) or, when given, one CA file instead.
///
/// No cookies, no cache, no proxy from the environment is configured here; libcurl honours
/// the `http_proxy`/`https_proxy`/`no_proxy` variables as the curl tool does.
public final class HTTPClient: Sendable {
    /// How every request of a client is made.
    public struct Settings: Sendable, Hashable {
        /// Seconds without a byte sent or received (or without a connection) before a
        /// request fails with `.timedOut`; a long transfer that keeps moving never times out.
        public var idleTimeout: Double
        /// A PEM file of the CAs that HTTPS trusts instead of the system store; nil for the system store.
        public var caFile: String?
        /// The largest answer body accepted; a larger one fails with `.responseTooLarge`.
        public var maximumResponseBody: Int
        /// The `User-Agent` header (what a server's log names the client by); none when nil.
        public var userAgent: String?
        /// The most bytes a second that the request bodies of this client send, all together
        /// (`SendRateLimit`); nil: no cap.
        public var sendBytesPerSecond: Int64?

        public init(idleTimeout: Double = 60, caFile: String? = nil, maximumResponseBody: Int = 16 << 20, userAgent: String? = nil,
                    sendBytesPerSecond: Int64? = nil) {
            self.idleTimeout = idleTimeout
            self.caFile = caFile
            self.maximumResponseBody = maximumResponseBody
            self.userAgent = userAgent
            self.sendBytesPerSecond = sendBytesPerSecond
        }
    }

    public let settings: Settings
    /// Shared by every transfer of this client (`settings.sendBytesPerSecond`).
    let rateLimit: SendRateLimit?

    public convenience init(settings: Settings) {
        self.init(settings: settings, clock: SendRateLimit.monotonic)
    }

    /// A client whose send rate cap reads `clock` (monotonic nanoseconds): tests inject one to
    /// count the bytes sent per window of their own time.
    init(settings: Settings, clock: @escaping @Sendable () -> UInt64) {
        self.settings = settings
        rateLimit = settings.sendBytesPerSecond.map { SendRateLimit(bytesPerSecond: $0, clock: clock) }
    }

    /// Sends `request` and returns the server's answer whatever its status; throws only when
    /// there is no complete answer (`HTTPFailure` says why). Cancelling the calling task
    /// cancels the request (`.cancelled`).
    public func send(_ request: HTTPRequest) async throws(HTTPFailure) -> HTTPResponse {
        // The loop first: it initialises libcurl once, before any handle exists.
        let loop = CurlEventLoop.shared
        let transfer = try CurlTransfer(request, settings: settings, rateLimit: rateLimit)
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPResponse, HTTPFailure>, Never>) in
                transfer.await(continuation)
                loop.submit(transfer)
            }
        } onCancel: {
            transfer.requestCancel()
            loop.wake()
        }
        return try result.get()
    }
}
