import Foundation
import GatewayCrypto

/// SHA-256 of a file on disk, streamed in 1 MiB reads: the one place the gateway hashes a file
/// it already holds (bag verification, the forward queue, the remote check).
enum FileDigest {
    /// The SHA-256 and byte count of `range` of the file (the whole file when nil).
    static func sha256(_ path: String, range: Range<UInt64>? = nil) throws -> (sha256: [UInt8], size: UInt64) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StorageError(operation: "open", path: path, errno: ENOENT)
        }
        defer { try? handle.close() }
        if let range { try handle.seek(toOffset: range.lowerBound) }
        let hasher = SHA256Hasher()
        var size: UInt64 = 0
        var left = range.map { $0.upperBound - $0.lowerBound } ?? .max
        while left > 0, let data = try handle.read(upToCount: Int(min(left, 1 << 20))), !data.isEmpty {
            hasher.update(data)
            size += UInt64(data.count)
            left -= UInt64(data.count)
        }
        return (hasher.finalize(), size)
    }
}
