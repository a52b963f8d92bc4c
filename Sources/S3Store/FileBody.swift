import CurlHTTP
import Foundation
import GatewayCrypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The body of one PUT or part: bytes `range` of a file, hashed once before the request is
/// signed and read again, with `pread`, while libcurl sends them. Never held in memory.
///
/// The guarantee: the bytes sent are the bytes signed. The SHA-256 of the bytes read for
/// sending is computed as they go; when the last read completes the body and that hash is
/// not the one signed (the file changed between the two reads), the read aborts the request
/// before its last bytes leave, so the server never has a complete body and stores nothing.
/// The same when the file shrinks or cannot be read. `failure` then says why.
///
/// Threads: made by the caller; `read` and `rewind` run on the HTTP client's event-loop
/// thread only, and `failure` is read after the request has ended.
final class FileBody: HTTPBodySource, @unchecked Sendable {
    let path: String
    /// The bytes of the file sent.
    let range: Range<Int64>
    /// Their digests, from the read before signing.
    let digest: PayloadDigest
    private let operation: String
    private let fd: Int32
    private var offset: Int64
    private var sent = SHA256Hasher()
    /// Why the request was aborted, when the body aborted it.
    private(set) var failure: S3Error?

    /// Opens the file at `path`, checks `range` (the whole file when nil) and hashes it once;
    /// `observe` sees the bytes hashed, in order, a buffer at a time, before anything is sent.
    /// Throws `.localFile` when the file cannot be read, `.invalidRequest` when the range
    /// goes past its end or it is not a regular file.
    init(path: String, range: Range<Int64>? = nil, operation: String,
         observing observe: ((UnsafeRawBufferPointer) -> Void)? = nil) throws(S3Error) {
        let fd = try LocalFile.openForReading(path, operation: operation)
        do throws(S3Error) {
            let range = try LocalFile.checked(range, of: fd, path: path, operation: operation)
            digest = try LocalFile.digest(fd, path: path, range: range, operation: operation, observing: observe)
            self.range = range
        } catch {
            close(fd)
            throw error
        }
        self.fd = fd
        self.path = path
        self.operation = operation
        offset = self.range.lowerBound
    }

    deinit { close(fd) }

    var length: Int64 { range.upperBound - range.lowerBound }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        let remaining = range.upperBound - offset
        guard remaining > 0 else { return 0 }
        let want = Int(min(Int64(buffer.count), remaining))
        var got: Int
        repeat {
            got = pread(fd, buffer.baseAddress!, want, off_t(offset))
        } while got < 0 && errno == EINTR
        if got < 0 {
            failure = .localFile(operation: operation, path: path, step: "read", errno: errno)
            return nil
        }
        if got == 0 {
            failure = .invalidRequest(operation: operation, detail: "\(path) shrank while being sent (it ends before byte \(range.upperBound)): the file changed; the request was aborted, nothing was stored")
            return nil
        }
        sent.update(UnsafeRawBufferPointer(start: buffer.baseAddress!, count: got))
        offset += Int64(got)
        if offset == range.upperBound {
            let sha256 = sent.finalize()
            if sha256 != digest.sha256 {
                failure = .invalidRequest(operation: operation, detail: "\(path): bytes \(range.lowerBound)..<\(range.upperBound) read for sending have SHA-256 \(hexString(sha256)), the ones signed \(digest.sha256Hex): the file changed while being sent; the request was aborted before its last byte, nothing was stored")
                return nil
            }
        }
        return got
    }

    func rewind() -> Bool {
        offset = range.lowerBound
        sent = SHA256Hasher()
        failure = nil
        return true
    }
}
