#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reading a small file that holds a secret or a setting (the gateway key, S3 credentials):
/// bounded in size, refused when it is not a regular file, and, for secrets, refused when group
/// or others may access it. Each caller has the problems reported in its own error type
/// (`SmallFileProblemReporting`).
public enum SmallFile {
    /// Why the file could not be used.
    public enum Problem: Error, Hashable, Sendable {
        case insecurePermissions(path: String, mode: UInt32)
        case notARegularFile(path: String)
        case fileTooLarge(path: String, size: Int64, limit: Int)
        case io(path: String, operation: String, errno: Int32)
    }

    /// `read(at:sizeLimit:requirePrivateMode:)` with each problem thrown as the caller's `E`.
    public static func read<E: SmallFileProblemReporting>(at path: String, sizeLimit: Int, requirePrivateMode: Bool,
                                                          reporting: E.Type) throws(E) -> String? {
        do throws(Problem) {
            return try read(at: path, sizeLimit: sizeLimit, requirePrivateMode: requirePrivateMode)
        } catch {
            switch error {
            case .insecurePermissions(let path, let mode): throw E.insecurePermissions(path: path, mode: mode)
            case .notARegularFile(let path): throw E.notARegularFile(path: path)
            case .fileTooLarge(let path, let size, let limit): throw E.fileTooLarge(path: path, size: size, limit: limit)
            case .io(let path, let operation, let code): throw E.io(path: path, operation: operation, errno: code)
            }
        }
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

/// An error type that names each `SmallFile.Problem` in its own words: an enum with cases of
/// these names and labels conforms as it is.
public protocol SmallFileProblemReporting: Error {
    static func insecurePermissions(path: String, mode: UInt32) -> Self
    static func notARegularFile(path: String) -> Self
    static func fileTooLarge(path: String, size: Int64, limit: Int) -> Self
    static func io(path: String, operation: String, errno: Int32) -> Self
}
