import Foundation
import GatewayCrypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading the files to upload: hashing a file or a range of it a bounded buffer at a time,
/// and loading a range into memory, hashed on the way, as the body of one PUT or part.
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
    /// `alsoFeeding`, when given, gets the same bytes (one read for both).
    static func digest(of path: String, range: Range<Int64>? = nil, operation: String,
                       alsoFeeding extra: SHA256Hasher? = nil) throws(S3Error) -> (PayloadDigest, Range<Int64>) {
        let fd = try openForReading(path, operation: operation)
        defer { close(fd) }
        let range = try checked(range, of: fd, path: path, operation: operation)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        let digest = try readHashing(fd, path: path, range: range, into: buffer, keep: false, operation: operation, alsoFeeding: extra)
        return (digest, range)
    }

    /// Bytes `range` of the file at `path`, read into memory with their MD5 and SHA-256
    /// computed on the same bytes in the same pass: what is hashed is exactly what is sent.
    ///
    /// Memory: the range's size, until the body is handed to URLSession (which copies it).
    /// Throws `.invalidRequest` when the range goes past the end, `.localFile` when the file
    /// cannot be read or the memory cannot be had.
    static func load(_ path: String, range: Range<Int64>? = nil, operation: String) throws(S3Error) -> (body: UploadBody, digest: PayloadDigest) {
        let fd = try openForReading(path, operation: operation)
        defer { close(fd) }
        let range = try checked(range, of: fd, path: path, operation: operation)
        let count = Int(range.upperBound - range.lowerBound)
        guard let storage = malloc(max(count, 1)) else {
            throw .localFile(operation: operation, path: path, step: "allocate \(count) bytes to read", errno: ENOMEM)
        }
        do throws(S3Error) {
            let digest = try readHashing(fd, path: path, range: range, into: UnsafeMutableRawBufferPointer(start: storage, count: count),
                                         keep: true, operation: operation)
            return (UploadBody(Data(bytesNoCopy: storage, count: count, deallocator: .free)), digest)
        } catch {
            free(storage)
            throw error
        }
    }

    /// `range` (the whole file when nil) once checked against the size of the file open on `fd`.
    private static func checked(_ range: Range<Int64>?, of fd: Int32, path: String, operation: String) throws(S3Error) -> Range<Int64> {
        let size = try regularFileSize(fd, path: path, operation: operation)
        let range = range ?? 0..<size
        guard range.lowerBound >= 0, range.upperBound <= size else {
            throw .invalidRequest(operation: operation, detail: "bytes \(range.lowerBound)..<\(range.upperBound) are outside \(path), which has \(size) bytes")
        }
        return range
    }

    /// Reads `range` of `fd` in `bufferSize` steps, hashing each. With `keep`, the bytes land
    /// one after another in `buffer` (which holds the whole range); without, every step reuses
    /// the start of `buffer` (at least `bufferSize` bytes).
    private static func readHashing(_ fd: Int32, path: String, range: Range<Int64>, into buffer: UnsafeMutableRawBufferPointer,
                                    keep: Bool, operation: String, alsoFeeding extra: SHA256Hasher? = nil) throws(S3Error) -> PayloadDigest {
        var md5 = MD5()
        let sha256 = SHA256Hasher()
        var offset = range.lowerBound
        while offset < range.upperBound {
            let want = Int(min(Int64(bufferSize), range.upperBound - offset))
            let start = buffer.baseAddress! + (keep ? Int(offset - range.lowerBound) : 0)
            let got = pread(fd, start, want, off_t(offset))
            if got < 0 {
                if errno == EINTR { continue }
                throw .localFile(operation: operation, path: path, step: "read", errno: errno)
            }
            if got == 0 {
                // The file shrank after fstat: what was hashed would not be what is sent.
                throw .localFile(operation: operation, path: path, step: "read (file shrank while being read)", errno: EIO)
            }
            let chunk = UnsafeRawBufferPointer(start: start, count: got)
            md5.update(chunk)
            sha256.update(chunk)
            extra?.update(chunk)
            offset += Int64(got)
        }
        return PayloadDigest(length: range.upperBound - range.lowerBound, md5: md5.finalize(), sha256: sha256.finalize())
    }

    private static func openForReading(_ path: String, operation: String) throws(S3Error) -> Int32 {
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
