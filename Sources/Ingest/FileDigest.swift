import Foundation
import GatewayCrypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// SHA-256 of a file on disk, streamed in 1 MiB reads: the one place the gateway hashes a file
/// it already holds (bag verification, the forward queue, the remote check).
enum FileDigest {
    /// Bytes per read: large enough that the hash, not the system calls, sets the pace.
    static let readSize = 1 << 20

    /// The SHA-256 and byte count of `range` of the file (the whole file when nil).
    ///
    /// Reads with pread(2) into one buffer (Foundation's FileHandle.read(upToCount:) on Linux
    /// made ~25 KiB reads and a Data per call, and hashed a 1 GiB bag at a quarter of the
    /// hash's speed).
    static func sha256(_ path: String, range: Range<UInt64>? = nil) throws -> (sha256: [UInt8], size: UInt64) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StorageError(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        let hasher = SHA256Hasher()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: readSize, alignment: 16)
        defer { buffer.deallocate() }
        var offset = range?.lowerBound ?? 0
        let end = range?.upperBound ?? .max
        var size: UInt64 = 0
        while offset < end {
            let want = Int(min(UInt64(readSize), end - offset))
            let got = pread(fd, buffer.baseAddress, want, off_t(offset))
            if got < 0 {
                if errno == EINTR { continue }
                throw StorageError(operation: "read", path: path, errno: errno)
            }
            if got == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<got]))
            offset += UInt64(got)
            size += UInt64(got)
        }
        return (hasher.finalize(), size)
    }
}
