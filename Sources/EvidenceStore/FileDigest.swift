import Foundation
import GatewayCrypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// SHA-256 of files the gateway already holds, streamed in 1 MiB reads: the one place that
/// hashes a file on disk (bag verification, the forward queue, a staged file's durable prefix
/// when a pull resumes or ends).
package enum FileDigest {
    /// Bytes per read: large enough that the hash, not the system calls, sets the pace.
    /// (Foundation's FileHandle.read(upToCount:) on Linux made ~25 KiB reads and a Data per
    /// call, and hashed a 1 GiB bag at a quarter of the hash's speed.)
    package static let readSize = 1 << 20

    /// The SHA-256 and byte count of the whole file at `path`.
    package static func sha256(_ path: String) throws -> (sha256: [UInt8], size: UInt64) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StorageError(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        let hasher = SHA256Hasher()
        let size = try feed(fd, upTo: nil, path: path, into: hasher)
        return (hasher.finalize(), size)
    }

    /// Feeds the open file `fd` from offset `start` to `hasher`: up to `end`, which the file
    /// must reach (else `StorageError` "read (shorter than its durable offset)", EIO), or to
    /// its end when `end` is nil. Returns the offset reached.
    @discardableResult
    package static func feed(_ fd: Int32, from start: UInt64 = 0, upTo end: UInt64?, path: String,
                     into hasher: SHA256Hasher) throws(StorageError) -> UInt64 {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: readSize, alignment: 16)
        defer { buffer.deallocate() }
        var offset = start
        while end.map({ offset < $0 }) ?? true {
            let want = Int(min(UInt64(readSize), (end ?? .max) - offset))
            let n = try FileIO.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]), at: offset, path: path)
            if n == 0 {
                guard end == nil else { throw StorageError(operation: "read (shorter than its durable offset)", path: path, errno: EIO) }
                break
            }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            offset += UInt64(n)
        }
        return offset
    }
}
