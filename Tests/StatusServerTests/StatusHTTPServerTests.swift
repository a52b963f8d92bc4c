import Foundation
import StatusServer
import Synchronization
import Testing

/// The status server over real sockets: what it answers, what it refuses, event streams, stop.
@Suite struct StatusHTTPServerTests {
    /// One HTTP/1.1 exchange over a plain socket (`Connection: close`): the whole answer.
    static func exchange(port: UInt16, _ request: String) throws -> String {
        let connection = try Connection(port: port)
        connection.send(request)
        return try connection.readToEnd()
    }

    static func get(_ port: UInt16, _ path: String) throws -> String {
        try exchange(port: port, "GET \(path) HTTP/1.1\r\nHost: kiosk\r\nConnection: close\r\n\r\n")
    }

    @Test func aDocumentIsServedWithItsTypeAndTheGuardHeaders() throws {
        let asked = Mutex<[StatusRequest]>([])
        let server = try StatusHTTPServer(host: "127.0.0.1", port: 0) { request in
            asked.withLock { $0.append(request) }
            return .document(status: 200, contentType: "text/plain; charset=utf-8", body: Array("执法 \(request.path)\n".utf8))
        }
        defer { server.stop() }
        #expect(server.port != 0)
        let answer = try Self.get(server.port, "/metrics?x=1")
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(answer.contains("Content-Type: text/plain; charset=utf-8\r\n") && answer.contains("Cache-Control: no-store\r\n"))
        #expect(answer.contains("Content-Security-Policy: default-src 'self'; frame-ancestors 'none'\r\n"))
        #expect(answer.hasSuffix("\r\n\r\n执法 /metrics\n"))
        #expect(asked.withLock { $0 } == [StatusRequest(method: "GET", path: "/metrics")])
    }

    /// Nothing a client sends can change anything: other methods never reach the handler, and
    /// a body is dropped.
    @Test func onlyGetAndHeadReachTheHandler() throws {
        let calls = Atomic<Int>(0)
        let server = try StatusHTTPServer(host: "127.0.0.1", port: 0) { _ in
            calls.add(1, ordering: .relaxed)
            return .document(status: 200, contentType: "text/plain", body: Array("page".utf8))
        }
        defer { server.stop() }
        for method in ["POST", "PUT", "DELETE", "PATCH"] {
            let answer = try Self.exchange(port: server.port,
                                           "\(method) / HTTP/1.1\r\nHost: k\r\nConnection: close\r\nContent-Length: 5\r\n\r\nwipe!")
            #expect(answer.hasPrefix("HTTP/1.1 405 "), "\(method)")
            #expect(answer.contains("Allow: GET, HEAD\r\n"), "\(method)")
        }
        #expect(calls.load(ordering: .relaxed) == 0)
        let head = try Self.exchange(port: server.port, "HEAD / HTTP/1.1\r\nHost: k\r\nConnection: close\r\n\r\n")
        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n") && head.hasSuffix("\r\n\r\n") && calls.load(ordering: .relaxed) == 1)
    }

    /// An event stream sends what its source gives, as it gives it; `stop()` ends a stream that
    /// is waiting and returns.
    @Test func anEventStreamFlowsUntilTheServerStops() throws {
        let source = QueueStream()
        let server = try StatusHTTPServer(host: "127.0.0.1", port: 0) { _ in .events(source) }
        source.push("data: one\n\n")
        let client = try Connection(port: server.port)
        client.send("GET /events HTTP/1.1\r\nHost: k\r\n\r\n")
        // Each message arrives while the stream is open: read until it is there.
        var seen = try client.read(until: "data: one\n\n")
        source.push("data: two\n\n")
        seen += try client.read(until: "data: two\n\n")
        // The source now waits for a third message that never comes: stop must end it.
        server.stop()
        seen += try client.readToEnd()
        #expect(seen.hasPrefix("HTTP/1.1 200 OK\r\n") && seen.contains("Content-Type: text/event-stream; charset=utf-8\r\n"))
        #expect(seen.contains("data: one\n\n") && seen.contains("data: two\n\n"))
        #expect(source.isClosed)
    }

    @Test func anAddressThatCannotBeHadIsNamed() throws {
        let first = try StatusHTTPServer(host: "127.0.0.1", port: 0) { _ in .document(status: 204, contentType: "text/plain", body: []) }
        defer { first.stop() }
        #expect { try StatusHTTPServer(host: "127.0.0.1", port: first.port) { _ in .document(status: 204, contentType: "text/plain", body: []) } }
            throws: { "\($0)" == "status page on 127.0.0.1:\(first.port): cannot listen there (in use, or not an address of this machine)" }
        #expect { try StatusHTTPServer(host: "kiosk.local", port: 80) { _ in .document(status: 204, contentType: "text/plain", body: []) } }
            throws: { "\($0)" == "status page on kiosk.local:80: not a numeric IPv4 or IPv6 address" }
    }
}

/// A client socket read as the bytes come. Bytes are kept as bytes until a whole answer or
/// marker is in, so a character split between two reads is never mangled.
final class Connection {
    let fd: Int32
    private var pending: [UInt8] = []

    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(fd); throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close(fd) }

    func send(_ text: String) {
        _ = text.withCString { Glibc.send(fd, $0, strlen($0), 0) }
    }

    /// Reads once more; false at the end of the stream.
    private func receive() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return false }
        pending += buffer[0..<n]
        return true
    }

    /// What arrived up to and including `marker` (blocking until it does); EOF first throws.
    func read(until marker: String) throws -> String {
        let needle = Array(marker.utf8)
        while true {
            if let end = Self.end(of: needle, in: pending) {
                defer { pending.removeFirst(end) }
                return String(decoding: pending[..<end], as: UTF8.self)
            }
            guard receive() else { throw POSIXError(.ECONNRESET) }
        }
    }

    /// Everything until the server closes the connection.
    func readToEnd() throws -> String {
        while receive() {}
        defer { pending = [] }
        return String(decoding: pending, as: UTF8.self)
    }

    private static func end(of needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        for start in 0...(bytes.count - needle.count) where bytes[start..<start + needle.count].elementsEqual(needle) {
            return start + needle.count
        }
        return nil
    }
}

/// A stream fed by the test: `next()` blocks until a message is pushed or the stream closes.
final class QueueStream: EventStream, @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [String] = []
    private var closed = false

    func push(_ text: String) {
        condition.lock()
        queue.append(text)
        condition.broadcast()
        condition.unlock()
    }

    var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    func next() -> [UInt8]? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !closed { condition.wait() }
        if closed { return nil }
        return Array(queue.removeFirst().utf8)
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
