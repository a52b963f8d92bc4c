import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A Unix stream socket bound to or connected to a path: what both ends of the control socket
/// start from.
enum UnixSocket {
    enum Use { case bind, connect }

    /// A new socket, bound or connected to `path`. Closes it on failure.
    static func open(_ path: String, _ use: Use) throws(ControlSocketError) -> Int32 {
        let verb = use == .bind ? "bind" : "connect"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ControlSocketError(path: path, operation: "socket", errno: errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw ControlSocketError(path: path, operation: "\(verb) (path too long)", errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
        let rc = withUnsafePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                use == .bind ? bind(fd, sa, socklen_t(MemoryLayout<sockaddr_un>.size))
                             : connect(fd, sa, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard rc == 0 else {
            let e = errno
            close(fd)
            throw ControlSocketError(path: path, operation: verb, errno: e)
        }
        return fd
    }
}
