import CMicroHTTPD
import Foundation
import Synchronization

/// A small read-only HTTP server for the kiosk's status screen and metrics, on
/// libmicrohttpd (the only importer of CMicroHTTPD): GET and HEAD only, every answer made by
/// one handler, server-sent event streams on a thread of their own.
///
/// Guarantees: a method other than GET or HEAD is answered 405 and never reaches the handler, a
/// request body is read and dropped, so nothing a client sends can change anything; at most
/// `connectionLimit` connections at once, each closed after `idleTimeout` seconds without
/// traffic; `stop()` ends every open event stream and returns once no connection thread is
/// left.
public final class StatusHTTPServer: Sendable {
    /// Makes the answer to one request. Called on the connection's thread; may block briefly.
    public typealias Handler = @Sendable (StatusRequest) -> StatusReply

    /// The port bound (the kernel's choice when the address asked for port 0).
    public let port: UInt16
    /// The numeric address it listens on, as given.
    public let host: String
    /// The running daemon; nil once stopped. libmicrohttpd's daemon is safe to stop from any
    /// thread, once.
    private struct Daemon: @unchecked Sendable { let pointer: OpaquePointer }
    private let daemon: Mutex<Daemon?>
    private let context: ServerContext

    /// Starts listening on `host` (a numeric IPv4 or IPv6 address) and `port` (0: any free one).
    ///
    /// - Throws: `StatusServerError` naming the address when it cannot be bound.
    public init(host: String, port: UInt16, connectionLimit: Int = 32, idleTimeout: Int = 60,
                handler: @escaping Handler) throws(StatusServerError) {
        let shown = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let context = ServerContext(handler: handler)
        let cls = Unmanaged.passUnretained(context).toOpaque()
        var flags = UInt32(MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_THREAD_PER_CONNECTION.rawValue)
        let started: OpaquePointer?
        switch SocketAddress(host: host, port: port) {
        case .v4(var sin):
            started = withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    rg_mhd_start(flags, $0, UInt32(connectionLimit), UInt32(idleTimeout), accessHandler, cls, requestCompleted, cls)
                }
            }
        case .v6(var sin6):
            flags |= UInt32(MHD_USE_IPv6.rawValue)
            started = withUnsafePointer(to: &sin6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    rg_mhd_start(flags, $0, UInt32(connectionLimit), UInt32(idleTimeout), accessHandler, cls, requestCompleted, cls)
                }
            }
        case nil:
            throw StatusServerError(address: shown, reason: "not a numeric IPv4 or IPv6 address")
        }
        guard let started else {
            throw StatusServerError(address: shown, reason: "cannot listen there (in use, or not an address of this machine)")
        }
        self.host = host
        self.context = context
        self.daemon = Mutex(Daemon(pointer: started))
        self.port = rg_mhd_bound_port(started)
    }

    deinit { stop() }

    /// Ends every event stream, then stops the server and waits for its threads. Idempotent.
    public func stop() {
        guard let running = daemon.withLock({ d -> Daemon? in defer { d = nil }; return d }) else { return }
        context.closeAllStreams()
        MHD_stop_daemon(running.pointer)
    }
}

/// What the C callbacks reach through their context pointer. Lives as long as the server.
final class ServerContext: Sendable {
    let handler: StatusHTTPServer.Handler
    private let streams = Mutex<(stopping: Bool, open: [ObjectIdentifier: any EventStream])>((false, [:]))

    init(handler: @escaping StatusHTTPServer.Handler) { self.handler = handler }

    /// Registers a stream about to be served; false (and the stream closed) once stopping.
    func open(_ stream: any EventStream) -> Bool {
        let accepted = streams.withLock { s -> Bool in
            guard !s.stopping else { return false }
            s.open[ObjectIdentifier(stream)] = stream
            return true
        }
        if !accepted { stream.close() }
        return accepted
    }

    func finished(_ stream: any EventStream) {
        _ = streams.withLock { $0.open.removeValue(forKey: ObjectIdentifier(stream)) }
    }

    func closeAllStreams() {
        let open = streams.withLock { s -> [any EventStream] in
            s.stopping = true
            return Array(s.open.values)
        }
        for stream in open { stream.close() }
    }
}

/// One event stream's state between calls of libmicrohttpd's content reader.
final class StreamCursor {
    let stream: any EventStream
    let context: ServerContext
    var pending: [UInt8] = []
    var offset = 0

    init(stream: any EventStream, context: ServerContext) {
        self.stream = stream
        self.context = context
    }
}

/// Marks a request whose first call has been seen (libmicrohttpd calls the handler once for
/// the headers and again once any body has been read).
nonisolated(unsafe) private let seenMarker = UnsafeMutableRawPointer(bitPattern: 1)

private let accessHandler: MHD_AccessHandlerCallback = { cls, connection, url, method, _, _, uploadSize, requestState in
    guard let cls, let connection, let requestState else { return .NO }
    if requestState.pointee == nil {
        requestState.pointee = seenMarker
        return .YES
    }
    if let uploadSize, uploadSize.pointee != 0 {
        // A body is never used: read and dropped.
        uploadSize.pointee = 0
        return .YES
    }
    let context = Unmanaged<ServerContext>.fromOpaque(cls).takeUnretainedValue()
    let verb = method.map { String(cString: $0) } ?? ""
    guard verb == "GET" || verb == "HEAD" else {
        return queue(connection, .document(status: 405, contentType: "text/plain; charset=utf-8",
                                           body: Array("405 only GET and HEAD: this page changes nothing\n".utf8),
                                           headers: ["Allow": "GET, HEAD"]), context: context)
    }
    let path = url.map { String(cString: $0) } ?? "/"
    return queue(connection, context.handler(StatusRequest(method: verb, path: path)), context: context)
}

private let requestCompleted: MHD_RequestCompletedCallback = { _, _, requestState, _ in
    requestState?.pointee = nil
}

/// Headers every answer carries: nothing cached, nothing sniffed, nothing from elsewhere.
private let commonHeaders: [String: String] = [
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
]

private func queue(_ connection: OpaquePointer, _ reply: StatusReply, context: ServerContext) -> MHD_Result {
    let response: OpaquePointer?
    let status: Int
    var headers = commonHeaders
    switch reply {
    case .document(let code, let contentType, let body, let extra):
        status = code
        headers["Content-Type"] = contentType
        headers.merge(extra) { _, new in new }
        response = body.withUnsafeBytes { rg_mhd_response_copying(body.count, $0.baseAddress) }
    case .events(let stream):
        status = 200
        headers["Content-Type"] = "text/event-stream; charset=utf-8"
        guard context.open(stream) else { return .NO }
        let cursor = Unmanaged.passRetained(StreamCursor(stream: stream, context: context)).toOpaque()
        response = MHD_create_response_from_callback(rg_mhd_size_unknown, 4096, contentReader, cursor, contentFree)
        if response == nil { contentFree(cursor) }
    }
    guard let response else { return .NO }
    defer { MHD_destroy_response(response) }
    for (name, value) in headers { _ = MHD_add_response_header(response, name, value) }
    return MHD_queue_response(connection, UInt32(status), response)
}

private let contentReader: MHD_ContentReaderCallback = { cls, _, buffer, max in
    guard let cls, let buffer else { return rg_mhd_end_with_error }
    let cursor = Unmanaged<StreamCursor>.fromOpaque(cls).takeUnretainedValue()
    while cursor.offset >= cursor.pending.count {
        // Blocks this connection's thread until there is news, or the stream ends.
        guard let next = cursor.stream.next() else { return rg_mhd_end_of_stream }
        cursor.pending = next
        cursor.offset = 0
    }
    let n = min(max, cursor.pending.count - cursor.offset)
    cursor.pending.withUnsafeBytes { raw in
        UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress! + cursor.offset, byteCount: n)
    }
    cursor.offset += n
    return n
}

private let contentFree: MHD_ContentReaderFreeCallback = { cls in
    guard let cls else { return }
    let cursor = Unmanaged<StreamCursor>.fromOpaque(cls).takeRetainedValue()
    cursor.stream.close()
    cursor.context.finished(cursor.stream)
}
