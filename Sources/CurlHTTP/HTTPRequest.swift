/// One HTTP request as `HTTPClient` sends it.
public struct HTTPRequest: Sendable {
    /// `GET`, `HEAD`, `PUT`, `POST`, `DELETE`, …
    public var method: String
    /// An absolute `http` or `https` URL, sent as given (no dot segments removed).
    public var url: String
    /// Sent in this order, exactly as given. libcurl adds `Host` (from the URL), `Accept` and,
    /// for a body, `Content-Length`; it never adds `Expect`, `Accept-Encoding` or
    /// `Transfer-Encoding`. A header with an empty value is sent empty.
    public var headers: [(name: String, value: String)]
    public var body: HTTPRequestBody

    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: HTTPRequestBody = .none) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// What a request sends after its headers. Every body goes with `Content-Length`, never
/// chunked; `PUT` and `POST` without one send `Content-Length: 0`.
public enum HTTPRequestBody: Sendable {
    case none
    /// A small body held in memory (an XML document).
    case bytes([UInt8])
    /// A body read a buffer at a time while it is sent (a file), never held whole.
    case stream(any HTTPBodySource)
}

/// A body produced while it is sent. libcurl calls it on the client's event-loop thread only,
/// one call at a time, so an implementation needs no lock of its own for what only these
/// calls touch.
public protocol HTTPBodySource: AnyObject, Sendable {
    /// The number of bytes `read` will produce in all: the `Content-Length`.
    var length: Int64 { get }
    /// Copies the next bytes into `buffer` and returns how many (0 only once `length` bytes
    /// have been produced), or nil to abort the request: the server then never receives the
    /// whole body, and `send` throws `HTTPFailure` of kind `.bodyAborted`.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int?
    /// Starts again from the first byte (libcurl sends a body again when a kept-alive
    /// connection turns out to be closed); false when it cannot.
    func rewind() -> Bool
}

/// A body in memory, as a source.
final class BytesBodySource: HTTPBodySource, @unchecked Sendable {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var length: Int64 { Int64(bytes.count) }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        let count = min(buffer.count, bytes.count - offset)
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }

    func rewind() -> Bool {
        offset = 0
        return true
    }
}
