import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file-system failure, naming the path and the operation.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var errno: Int32
    /// Said instead of the system's words for `errno`, when the gateway refused on its own.
    public var detail: String?

    public init(operation: String, path: String, errno: Int32, detail: String? = nil) {
        self.operation = operation
        self.path = path
        self.errno = errno
        self.detail = detail
    }

    public var isDiskFull: Bool { errno == ENOSPC || errno == EDQUOT }

    public var description: String {
        "\(operation) \(path): \(detail ?? String(cString: strerror(errno)))"
    }
}

/// Thin, checked wrappers over the POSIX calls the durability rules need: write everything or
/// fail, fsync files and directories, rename atomically.
package enum FileIO {
    /// Refuses `path` when it is a symbolic link. The store and state hold their own files:
    /// a link would send evidence, the journal or the audit log somewhere no one looks after
    /// (the store root itself may be a link; what is inside it may not). A missing path is fine.
    package static func refuseSymbolicLink(_ path: String) throws(StorageError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFLNK {
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
            throw StorageError(operation: "use", path: path, errno: ELOOP,
                               detail: "it is a symbolic link (to \(target)); the store and state directories must hold their own files, not links elsewhere")
        }
    }

    package static func makeDirectory(_ path: String, mode: mode_t = 0o750) throws(StorageError) {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            if isDir.boolValue { return }
            throw StorageError(operation: "mkdir", path: path, errno: EEXIST)
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path { try makeDirectory(parent, mode: mode) }
        if let full = CrashPoint.injectedDiskFull() { throw StorageError(operation: "mkdir", path: path, errno: full) }
        if mkdir(path, mode) != 0 && Glibc.errno != EEXIST {
            throw StorageError(operation: "mkdir", path: path, errno: Glibc.errno)
        }
        try syncDirectory(parent.isEmpty ? "." : parent)
    }

    package static func open(_ path: String, flags: Int32, mode: mode_t = 0o640) throws(StorageError) -> Int32 {
        if flags & O_CREAT != 0, let full = CrashPoint.injectedDiskFull(), access(path, F_OK) != 0 {
            throw StorageError(operation: "open", path: path, errno: full)
        }
        let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
        if fd < 0 { throw StorageError(operation: "open", path: path, errno: Glibc.errno) }
        return fd
    }

    /// Writes all of `bytes` at `offset`, retrying short writes and EINTR.
    package static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: UInt64, path: String) throws(StorageError) {
        if let full = CrashPoint.injectedDiskFull(), bytes.count > 0 {
            throw StorageError(operation: "write", path: path, errno: full)
        }
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if Glibc.errno == EINTR { continue }
                throw StorageError(operation: "write", path: path, errno: Glibc.errno)
            }
            if n == 0 { throw StorageError(operation: "write", path: path, errno: EIO) }
            done += n
        }
    }

    package static func write(_ path: String, contents: some ContiguousBytes, mode: mode_t = 0o640) throws(StorageError) {
        let fd = try open(path, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: mode)
        defer { close(fd) }
        let written: Result<Void, StorageError> = contents.withUnsafeBytes { raw in
            guard raw.count > 0 else { return .success(()) }
            do throws(StorageError) {
                try write(fd, raw, at: 0, path: path)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try written.get()
        try sync(fd, path: path)
    }

    package static func sync(_ fd: Int32, path: String) throws(StorageError) {
        if fsync(fd) != 0 { throw StorageError(operation: "fsync", path: path, errno: Glibc.errno) }
    }

    package static func syncDirectory(_ path: String) throws(StorageError) {
        let fd = try open(path, flags: O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try sync(fd, path: path)
    }

    package static func truncate(_ fd: Int32, to size: UInt64, path: String) throws(StorageError) {
        if ftruncate(fd, off_t(size)) != 0 { throw StorageError(operation: "truncate", path: path, errno: Glibc.errno) }
    }

    package static func rename(_ from: String, _ to: String) throws(StorageError) {
        if let full = CrashPoint.injectedDiskFull() { throw StorageError(operation: "rename to \(to)", path: from, errno: full) }
        if Glibc.rename(from, to) != 0 { throw StorageError(operation: "rename to \(to)", path: from, errno: Glibc.errno) }
    }

    /// Reads `count` bytes at `offset` into `buffer`; returns how many were read (0 at end of file).
    package static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64, path: String) throws(StorageError) -> Int {
        while true {
            let n = pread(fd, buffer.baseAddress!, buffer.count, off_t(offset))
            if n >= 0 { return n }
            if Glibc.errno != EINTR { throw StorageError(operation: "read", path: path, errno: Glibc.errno) }
        }
    }

    /// The size in bytes of the filesystem holding `path` (its whole capacity, not what is free).
    package static func filesystemSize(_ path: String) throws(StorageError) -> UInt64 {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { throw StorageError(operation: "statvfs", path: path, errno: errno) }
        return UInt64(info.f_blocks) * UInt64(info.f_frsize)
    }

    package static func chmod(_ path: String, _ mode: mode_t) throws(StorageError) {
        if Glibc.chmod(path, mode) != 0 { throw StorageError(operation: "chmod", path: path, errno: Glibc.errno) }
    }
}
