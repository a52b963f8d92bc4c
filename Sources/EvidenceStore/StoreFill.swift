import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How full the file system under the store is, as the gateway may use it: `statvfs`'s blocks
/// available to an unprivileged writer (the gateway does not run as root on a kiosk), so that
/// root's reserve does not count as room.
public struct StoreFill: Sendable, Equatable {
    public var sizeBytes: UInt64
    public var freeBytes: UInt64

    public init(sizeBytes: UInt64, freeBytes: UInt64) {
        self.sizeBytes = sizeBytes
        self.freeBytes = freeBytes
    }

    /// The fraction in use, 0...1 (1 for an empty or unreadable size).
    public var used: Double {
        sizeBytes == 0 ? 1 : 1 - Double(min(freeBytes, sizeBytes)) / Double(sizeBytes)
    }

    /// The file system holding `path`; nil when it cannot be asked.
    public static func of(_ path: String) -> StoreFill? {
        var s = statvfs()
        guard statvfs(path, &s) == 0 else { return nil }
        let unit = UInt64(s.f_frsize == 0 ? s.f_bsize : s.f_frsize)
        // Counts times the block size fit easily: a 2^64-byte file system does not exist, but
        // the multiplication is checked all the same.
        let (size, o1) = UInt64(s.f_blocks).multipliedReportingOverflow(by: unit)
        let (free, o2) = UInt64(s.f_bavail).multipliedReportingOverflow(by: unit)
        return StoreFill(sizeBytes: o1 ? .max : size, freeBytes: o2 ? .max : free)
    }
}
