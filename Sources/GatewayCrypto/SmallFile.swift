#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reading a small file that holds a secret or a setting (the gateway key, S3 credentials):
/// bounded in size, refused when it is not a regular file, and, for secrets, refused when group
/// or others may access it. Each caller turns `SmallFile.Problem` into its own error type.
public enum SmallFile {
    /// Why the file could not be used.
    public enum Problem: Error, Hashable, Sendable {
        case insecurePermissions(path: String, mode: UInt32)
        case notARegularFile(path: String)
        case fileTooLarge(path: String, size: Int64, limit: Int)
        case io(path: String, operation: String, errno: Int32)
    }

    /// The contents of the regular file at `path` as UTF-8 (invalid bytes replaced), or nil when
    /// it does not exist. Checks are made on the open descriptor, so they describe the file
    /// read; the size is checked before reading and again while reading (it may grow).
    public static func read(at path: String, sizeLimit: Int, requirePrivateMode: Bool) throws(Problem) -> String? {
        // O_NONBLOCK so a FIFO at the path cannot hang start-up; it is refused below.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT { return nil }
            throw .io(path: path, operation: "open", errno: code)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io(path: path, operation: "stat", errno: errno) }
        guard info.st_mode & mode_t(S_IFMT) == mode_t(S_IFREG) else { throw .notARegularFile(path: path) }
        let permissions = UInt32(info.st_mode & 0o7777)
        if requirePrivateMode && permissions & 0o077 != 0 {
            throw .insecurePermissions(path: path, mode: permissions)
        }
        guard info.st_size <= Int64(sizeLimit) else {
            throw .fileTooLarge(path: path, size: Int64(info.st_size), limit: sizeLimit)
        }
        var contents = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "read", errno: errno)
            }
            if count == 0 { break }
            contents += buffer[..<count]
            guard contents.count <= sizeLimit else {
                throw .fileTooLarge(path: path, size: Int64(contents.count), limit: sizeLimit)
            }
        }
        return String(decoding: contents, as: UTF8.self)
    }
}
