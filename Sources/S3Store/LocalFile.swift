import Foundation
import GatewayCrypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading the files to upload: their size, and the digests of a file or a range of it,
/// hashed a bounded buffer at a time.
enum LocalFile {
    /// Bytes read per system call.
    static let bufferSize = 1 << 20

    /// The size of the regular file at `path`.
    static func size(of path: String, operation: String) throws(S3Error) -> Int64 {
        let fd = try openForReading(path, operation: operation)
        defer { close(fd) }
        return try regularFileSize(fd, path: path, operation: operation)
    }

    /// The digests of bytes `range` of the file at `path` (the whole file when nil), and the
    /// range actually hashed. Throws `.invalidRequest` when the range goes past the end.
    /// Memory: one `bufferSize` buffer, whatever the size.
    /// `observe`, when given, sees the same bytes in order (one read for both).
    static func digest(of path: String, range: Range<Int64>? = nil, operation: String,
                       observing observe: ((UnsafeRawBufferPointer) -> Void)? = nil) throws(S3Error) -> (PayloadDigest, Range<Int64>) {
        let fd = try openForReading(path, operation: operation)
        defer { close(fd) }
        let range = try checked(range, of: fd, path: path, operation: operation)
        let digest = try digest(fd, path: path, range: range, operation: operation, observing: observe)
        return (digest, range)
    }

    /// `range` (the whole file when nil) once checked against the size of the file open on `fd`.
    static func checked(_ range: Range<Int64>?, of fd: Int32, path: String, operation: String) throws(S3Error) -> Range<Int64> {
        let size = try regularFileSize(fd, path: path, operation: operation)
        let range = range ?? 0..<size
        guard range.lowerBound >= 0, range.upperBound <= size else {
            throw .invalidRequest(operation: operation, detail: "bytes \(range.lowerBound)..<\(range.upperBound) are outside \(path), which has \(size) bytes")
        }
        return range
    }

    /// The MD5 and SHA-256 of `range` of the file open on `fd`, read in `bufferSize` steps;
    /// `observe` sees each step's bytes.
    static func digest(_ fd: Int32, path: String, range: Range<Int64>, operation: String,
                       observing observe: ((UnsafeRawBufferPointer) -> Void)?) throws(S3Error) -> PayloadDigest {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        var md5 = MD5()
        let sha256 = SHA256Hasher()
        var offset = range.lowerBound
        while offset < range.upperBound {
            let want = Int(min(Int64(bufferSize), range.upperBound - offset))
            let got = pread(fd, buffer.baseAddress!, want, off_t(offset))
            if got < 0 {
                if errno == EINTR { continue }
                throw .localFile(operation: operation, path: path, step: "read", errno: errno)
            }
            if got == 0 {
                // The file shrank after fstat: what was hashed would not be what is sent.
                throw .localFile(operation: operation, path: path, step: "read (file shrank while being read)", errno: EIO)
            }
            let chunk = UnsafeRawBufferPointer(start: buffer.baseAddress!, count: got)
            md5.update(chunk)
            sha256.update(chunk)
            observe?(chunk)
            offset += Int64(got)
        }
        return PayloadDigest(length: range.upperBound - range.lowerBound, md5: md5.finalize(), sha256: sha256.finalize())
    }

    static func openForReading(_ path: String, operation: String) throws(S3Error) -> Int32 {
        // O_NONBLOCK so a FIFO at the path cannot hang the upload; it is refused below.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw .localFile(operation: operation, path: path, step: "open", errno: errno) }
        return fd
    }

    private static func regularFileSize(_ fd: Int32, path: String, operation: String) throws(S3Error) -> Int64 {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .localFile(operation: operation, path: path, step: "stat", errno: errno) }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw .invalidRequest(operation: operation, detail: "\(path) is not a regular file")
        }
        return Int64(info.st_size)
    }
}
