/// A request as the status server's handler sees it: the method (GET or HEAD) and the path,
/// without the query.
public struct StatusRequest: Sendable, Equatable {
    public var method: String
    public var path: String

    public init(method: String, path: String) {
        self.method = method
        self.path = path
    }
}

/// The answer to a request.
public enum StatusReply: Sendable {
    /// A whole document.
    case document(status: Int, contentType: String, body: [UInt8], headers: [String: String] = [:])
    /// A `text/event-stream` whose bytes come from `stream` as they happen.
    case events(any EventStream)
}

/// The body of a server-sent event response, produced as things happen. Called on the
/// connection's own thread, one call at a time.
public protocol EventStream: AnyObject, Sendable {
    /// Blocks until there is something to send; nil ends the response.
    func next() -> [UInt8]?
    /// Makes `next()` return nil from now on, waking it if it waits: the client went away or
    /// the server is stopping. Idempotent.
    func close()
}

/// Why the server could not start.
public struct StatusServerError: Error, Sendable, CustomStringConvertible {
    public var address: String
    public var reason: String

    public var description: String { "status page on \(address): \(reason)" }
}
