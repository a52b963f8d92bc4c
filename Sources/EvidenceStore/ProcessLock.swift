import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive claim, for the life of this process, on a store or state directory: two
/// gateways on one journal, audit log or bag directory would break the audit chain and
/// seal one dock twice.
///
/// A POSIX record lock (`fcntl(F_SETLK)`) on a lock file: the kernel drops it when the process
/// ends however it ends (SIGKILL, power cut), so a stale lock never keeps a kiosk down, and
/// `F_GETLK` names the holder's pid. The lock belongs to the process: a second claim from the
/// same process succeeds (tests open several `Gateway`s on one directory in turn), and closing
/// any descriptor of the file in this process would drop it, so only this type opens it.
package final class ProcessLock: @unchecked Sendable {
    package let path: String
    private let fd: Int32

    /// Why a lock could not be taken.
    package struct Refusal: Error, CustomStringConvertible {
        package var path: String
        /// The process that holds it, when the kernel says.
        package var holder: pid_t?
        package var errno: Int32?

        package var description: String {
            if let errno {
                return "cannot lock \(path): \(String(cString: strerror(errno)))"
            }
            let who = holder.map { "process \($0)" } ?? "another process"
            return "\(path) is locked by \(who): another recorder-gatewayd is running on this store or state; "
                + "stop it first (two gateways on one store would break the audit chain and seal docks twice)"
        }
    }

    /// Takes the lock at `path`, creating the file (0600) when missing, and writes this
    /// process's pid into it for people who look.
    ///
    /// - Throws: `Refusal` naming the path, and the holder's pid when another process has it.
    package init(path: String) throws(Refusal) {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode_t(0o600))
        guard fd >= 0 else { throw Refusal(path: path, holder: nil, errno: Glibc.errno) }
        var request = Glibc.flock()
        request.l_type = Int16(F_WRLCK)
        request.l_whence = Int16(SEEK_SET)
        request.l_start = 0
        request.l_len = 0
        if fcntl(fd, F_SETLK, &request) != 0 {
            let code = Glibc.errno
            guard code == EAGAIN || code == EACCES else {
                close(fd)
                throw Refusal(path: path, holder: nil, errno: code)
            }
            var probe = Glibc.flock()
            probe.l_type = Int16(F_WRLCK)
            probe.l_whence = Int16(SEEK_SET)
            let holder: pid_t? = fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != Int16(F_UNLCK) ? probe.l_pid : nil
            close(fd)
            throw Refusal(path: path, holder: holder, errno: nil)
        }
        self.fd = fd
        let text = Array("\(getpid())\n".utf8)
        // Only for people: the lock, not this text, is what counts.
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    deinit { close(fd) }
}
