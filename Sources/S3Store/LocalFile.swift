import Foundation
import GatewayCrypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading the files to upload, a bounded buffer at a time: hashing a file or a range of it,
/// and copying a range to a temporary file for UploadPart.
///
/// Memory: one `bufferSize` buffer per call, whatever the file or part size.
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
    static func digest(of path: String, range: Range<Int64>? = nil, operation: String) throws(S3Error) -> (PayloadDigest, Range<Int64>) {
        try read(path, range: range, operation: operation) { _ throws(S3Error) in }
    }

    /// Copies bytes `range` of the file at `source` into a new file in `directory` (mode
    /// 0600, name `s3part-XXXXXX`), hashing them on the way: one read of the source for both.
    /// The caller removes the copy. On failure nothing is left behind.
    static func copy(_ source: String, range: Range<Int64>, into directory: String, operation: String) throws(S3Error) -> (path: String, digest: PayloadDigest) {
        var template = Array((directory.hasSuffix("/") ? directory : directory + "/").utf8CString.dropLast())
            + Array("s3part-XXXXXX".utf8CString)
        let out = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        let tempPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard out >= 0 else { throw .localFile(operation: operation, path: directory, step: "mkstemp in", errno: errno) }
        do throws(S3Error) {
            let (digest, _) = try read(source, range: range, operation: operation) { chunk throws(S3Error) in
                var offset = 0
                while offset < chunk.count {
                    let written = write(out, chunk.baseAddress! + offset, chunk.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw .localFile(operation: operation, path: tempPath, step: "write", errno: errno)
                    }
                    offset += written
                }
            }
            if close(out) != 0 { throw .localFile(operation: operation, path: tempPath, step: "close", errno: errno) }
            return (tempPath, digest)
        } catch {
            close(out)
            unlink(tempPath)
            throw error
        }
    }

    /// Reads `range` of `path` in `bufferSize` chunks, hashing each and handing it to `body`.
    private static func read(_ path: String, range: Range<Int64>?, operation: String,
                             _ body: (UnsafeRawBufferPointer) throws(S3Error) -> Void) throws(S3Error) -> (PayloadDigest, Range<Int64>) {
        let fd = try openForReading(path, operation: operation)
        defer { close(fd) }
        let size = try regularFileSize(fd, path: path, operation: operation)
        let range = range ?? 0..<size
        guard range.lowerBound >= 0, range.upperBound <= size else {
            throw .invalidRequest(operation: operation, detail: "bytes \(range.lowerBound)..<\(range.upperBound) are outside \(path), which has \(size) bytes")
        }
        var md5 = MD5()
        let sha256 = SHA256Hasher()
        // A raw allocation rather than an Array: Array's withUnsafeBytes does not pass typed
        // throws through.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        var offset = range.lowerBound
        while offset < range.upperBound {
            let want = Int(min(Int64(bufferSize), range.upperBound - offset))
            let got = pread(fd, buffer.baseAddress, want, off_t(offset))
            if got < 0 {
                if errno == EINTR { continue }
                throw .localFile(operation: operation, path: path, step: "read", errno: errno)
            }
            if got == 0 {
                // The file shrank after fstat: what was hashed would not be what is sent.
                throw .localFile(operation: operation, path: path, step: "read (file shrank while being read)", errno: EIO)
            }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<got])
            md5.update(chunk)
            sha256.update(chunk)
            try body(chunk)
            offset += Int64(got)
        }
        return (PayloadDigest(length: range.upperBound - range.lowerBound, md5: md5.finalize(), sha256: sha256.finalize()), range)
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
