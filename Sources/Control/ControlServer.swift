import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The service end of the control socket: a Unix stream socket, mode 0660 (group access only),
/// JSON lines in and out.
///
/// Guarantees: a malformed or unknown request gets an error reply and the connection (and
/// every other) keeps being served; a request line over 64 KiB is refused and the connection
/// closed; requests on one connection are answered in order.
public final class ControlServer: @unchecked Sendable {
    public typealias Handler = @Sendable (ControlRequest) async -> Result<any Codable & Sendable, ControlError>

    public let path: String
    private let handler: Handler
    private let queue = DispatchQueue(label: "control-server")
    private var listener: Int32 = -1
    private var acceptSource: DispatchSourceRead?
    private var connections: [Int32: Connection] = [:]

    /// Touched only on `queue` (the Task in `respond` only hands it back there).
    private final class Connection: @unchecked Sendable {
        let fd: Int32
        var buffer = Data()
        var source: DispatchSourceRead?
        /// Replies are sent in request order: each request waits for the one before it.
        var tail: Task<Void, Never>?
        init(fd: Int32) { self.fd = fd }
    }

    /// Creates the socket at `path` (replacing a stale one), with mode 0660 and, when given,
    /// the group `group`.
    public init(path: String, group: String? = nil, handler: @escaping Handler) throws(ControlSocketError) {
        self.path = path
        self.handler = handler
        let dir = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        unlink(path)
        let fd = try UnixSocket.open(path, .bind)
        // Only the owner and the group may connect: connecting needs write permission.
        chmod(path, 0o660)
        if let group, let entry = getgrnam(group) { chown(path, getuid(), entry.pointee.gr_gid) }
        guard listen(fd, 16) == 0 else {
            let e = errno
            close(fd)
            throw ControlSocketError(path: path, operation: "listen", errno: e)
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        listener = fd
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [weak self] in self?.acceptAll() }
        source.resume()
        acceptSource = source
    }

    /// Stops listening, closes every connection and removes the socket file.
    public func stop() {
        queue.sync {
            acceptSource?.cancel()
            acceptSource = nil
            for c in connections.values { c.source?.cancel(); close(c.fd) }
            connections.removeAll()
            if listener >= 0 { close(listener) }
            listener = -1
            unlink(path)
        }
    }

    private func acceptAll() {
        while true {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            var on: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, socklen_t(MemoryLayout<Int32>.size))
            let connection = Connection(fd: fd)
            let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
            source.setEventHandler { [weak self] in self?.readable(connection) }
            connection.source = source
            connections[fd] = connection
            source.resume()
        }
    }

    private func readable(_ c: Connection) {
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = read(c.fd, &chunk, chunk.count)
            if n > 0 {
                c.buffer.append(contentsOf: chunk[0..<n])
                continue
            }
            if n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) {
                drop(c)
                return
            }
            break
        }
        while let newline = c.buffer.firstIndex(of: 0x0A) {
            let line = c.buffer[c.buffer.startIndex..<newline]
            c.buffer = Data(c.buffer[(newline + 1)...])
            if line.isEmpty { continue }
            respond(c, to: Data(line))
        }
        if c.buffer.count > ControlProtocol.maxLineBytes {
            send(c, ControlReplyLine.failure(id: 0, ControlError(code: "bad-request", message: "request line over \(ControlProtocol.maxLineBytes) bytes")))
            drop(c)
        }
    }

    private func respond(_ c: Connection, to line: Data) {
        let previous = c.tail
        let handler = self.handler
        c.tail = Task { [weak self] in
            await previous?.value
            let reply: Data
            switch ControlRequest.parse(line) {
            case .failure(let error):
                reply = ControlReplyLine.failure(id: 0, error)
            case .success(let request):
                switch await handler(request) {
                case .success(let result): reply = ControlReplyLine.success(id: request.id, result: result)
                case .failure(let error): reply = ControlReplyLine.failure(id: request.id, error)
                }
            }
            guard let server = self else { return }
            server.queue.async { server.send(c, reply) }
        }
    }

    private func send(_ c: Connection, _ data: Data) {
        guard connections[c.fd] != nil else { return }
        var offset = 0
        let bytes = [UInt8](data)
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(c.fd, $0.baseAddress, $0.count) }
            if n > 0 { offset += n; continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { usleep(1000); continue }
            drop(c)
            return
        }
    }

    private func drop(_ c: Connection) {
        guard connections.removeValue(forKey: c.fd) != nil else { return }
        c.source?.cancel()
        close(c.fd)
    }
}

/// The control socket could not be set up or reached.
public struct ControlSocketError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var errno: Int32

    public var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }
}
