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

    /// Sends a request and waits for its reply: the result object, or the service's error.
    public func call(_ command: String, args: [String: String] = [:]) throws -> Any {
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
                let reply = buffer[buffer.startIndex..<newline]
                buffer = Data(buffer[(newline + 1)...])
                guard let object = (try? JSONSerialization.jsonObject(with: Data(reply))) as? [String: Any] else {
                    throw ControlError(code: "failed", message: "the service sent a reply that is not JSON")
                }
                if object["ok"] as? Bool == true { return object["result"] ?? [:] }
                let error = object["error"] as? [String: Any]
                throw ControlError(code: error?["code"] as? String ?? "failed", message: error?["message"] as? String ?? "no message")
            }
            var chunk = [UInt8](repeating: 0, count: 16384)
            let n = read(fd, &chunk, chunk.count)
            guard n > 0 else { throw ControlSocketError(path: path, operation: "read (the service closed the connection)", errno: n == 0 ? ECONNRESET : errno) }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }
}
