import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The client end of the control socket, for recorderctl: one connection, requests answered in
/// order.
public final class ControlClient {
    private let fd: Int32
    private var buffer = Data()
    private var nextId = 1
    public let path: String

    /// Connects to the service's socket.
    ///
    /// - Throws: `ControlSocketError` (ENOENT or ECONNREFUSED: the service is not running;
    ///   EACCES: the user is not in the recorder-gateway group).
    public init(path: String) throws(ControlSocketError) {
        self.path = path
        let fd = try UnixSocket.open(path, .connect)
        self.fd = fd
    }

    deinit { close(fd) }

    /// Sends a request and waits for its reply: the result as `Result`, or the service's error.
    ///
    /// - Throws: `ControlError` (the service's refusal, or `failed` for a reply that is not
    ///   JSON or does not hold a `Result`), `ControlSocketError` when the connection fails.
    public func call<Result: Decodable>(_ command: String, args: [String: String] = [:], as type: Result.Type) throws -> Result {
        let request = ControlRequest(id: nextId, command: command, args: args)
        nextId += 1
        let line = [UInt8](request.line())
        var offset = 0
        while offset < line.count {
            let n = line[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw ControlSocketError(path: path, operation: "write", errno: errno) }
            offset += n
        }
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let reply = Data(buffer[buffer.startIndex..<newline])
                buffer = Data(buffer[(newline + 1)...])
                return try Self.result(of: reply, as: type)
            }
            var chunk = [UInt8](repeating: 0, count: 16384)
            let n = read(fd, &chunk, chunk.count)
            guard n > 0 else { throw ControlSocketError(path: path, operation: "read (the service closed the connection)", errno: n == 0 ? ECONNRESET : errno) }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    /// The result of one reply line, or the error it carries.
    static func result<Result: Decodable>(of replyLine: Data, as type: Result.Type) throws(ControlError) -> Result {
        let decoder = JSONDecoder()
        let reply: ControlReply<Result>
        do { reply = try decoder.decode(ControlReply<Result>.self, from: replyLine) } catch {
            // Read again only to say what is wrong: not JSON, a refusal whose result (if any)
            // does not read, or a result this recorderctl cannot read.
            guard let outcome = try? decoder.decode(ReplyOutcome.self, from: replyLine) else {
                throw ControlError(code: "failed", message: "the service sent a reply that is not JSON")
            }
            guard outcome.ok == true else { throw outcome.error ?? ControlError(code: "failed", message: "no message") }
            throw ControlError(code: "failed", message: "the service sent a \(Result.self) this recorderctl cannot read: \(error)")
        }
        guard reply.ok else { throw reply.error ?? ControlError(code: "failed", message: "no message") }
        guard let result = reply.result else { throw ControlError(code: "failed", message: "the service sent no result") }
        return result
    }
}

/// What tells a reply's success from its failure: a reply whose result does not decode is
/// still reported by its own error when it has one.
private struct ReplyOutcome: Decodable {
    var ok: Bool?
    var error: ControlError?
}
