import Foundation

/// The medium a simulated mass-storage device serves: an image file read with `pread` (never
/// loaded whole, so a 64 GB image costs nothing), optionally with some bytes replaced.
///
/// Guarantees: the file is opened read-only and nothing in the simulator ever writes it; reads
/// past the end are refused by the caller's range checks, never served as zeros.
public final class MediumImage: Sendable {
    /// The image's path, for messages.
    public let path: String
    /// Bytes in the image: a whole number of blocks (checked when the scenario was read).
    public let byteCount: UInt64
    /// Bytes that read differently from the file: offset → replacement, sorted by offset.
    public let changes: [ByteChange]
    private let descriptor: Int32

    /// Opens `path` read-only.
    ///
    /// - Throws: `MediumImageError` when the file cannot be opened or is not a regular file.
    public init(path: String, changes: [ByteChange] = []) throws(MediumImageError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw MediumImageError(path: path, reason: String(cString: strerror(errno))) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw MediumImageError(path: path, reason: "is not a regular file")
        }
        self.path = path
        self.descriptor = fd
        self.byteCount = UInt64(info.st_size)
        self.changes = changes.sorted { $0.offset < $1.offset }
    }

    /// The same file with `changes` applied on top of this medium's own.
    public func changing(_ more: [ByteChange]) throws(MediumImageError) -> MediumImage {
        try MediumImage(path: path, changes: changes + more)
    }

    deinit { close(descriptor) }

    /// Reads `count` bytes at `offset`, which must lie inside the image.
    ///
    /// - Throws: `MediumImageError` when the file cannot be read (shrunk underneath us, I/O error).
    public func read(at offset: UInt64, count: Int) throws(MediumImageError) -> [UInt8] {
        precondition(offset + UInt64(count) <= byteCount, "read outside the medium")
        var failure: String?
        // Not zero-filled first: every byte is either read or the whole result is thrown away.
        var out = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let n = pread(descriptor, buffer.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                if n > 0 {
                    done += n
                } else if n == 0 {
                    failure = "ends at \(offset + UInt64(done)), before its recorded size \(byteCount)"
                    break
                } else if errno != EINTR {
                    failure = String(cString: strerror(errno))
                    break
                }
            }
            initialized = failure == nil ? count : 0
        }
        if let failure { throw MediumImageError(path: path, reason: failure) }
        for change in changes {
            let lo = max(change.offset, offset), hi = min(change.offset + UInt64(change.bytes.count), offset + UInt64(count))
            guard lo < hi else { continue }
            for at in lo..<hi { out[Int(at - offset)] = change.bytes[Int(at - change.offset)] }
        }
        return out
    }
}

/// Bytes of a medium that read differently from its image file.
public struct ByteChange: Hashable, Sendable {
    public var offset: UInt64
    public var bytes: [UInt8]

    public init(offset: UInt64, bytes: [UInt8]) {
        self.offset = offset
        self.bytes = bytes
    }
}

/// An image file that cannot be served.
public struct MediumImageError: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public var description: String { "image \(path): \(reason)" }
}
