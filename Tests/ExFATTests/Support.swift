import Foundation
import GatewayCrypto
import Glibc
import TestSupport
import Testing
import Volumes

/// An image file as a block medium (test-only): 512-byte blocks read with pread.
final class FileBlockSource: BlockSource {
    let blockSize: Int
    let blockCount: UInt64
    private let descriptor: Int32

    init(path: String, blockSize: Int = 512) throws {
        descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw ImageError("cannot open \(path): errno \(errno)") }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw ImageError("cannot stat \(path)") }
        self.blockSize = blockSize
        blockCount = UInt64(status.st_size) / UInt64(blockSize)
    }

    deinit { close(descriptor) }

    func read(block: UInt64, count: Int) async throws -> [UInt8] {
        precondition(block + UInt64(count) <= blockCount, "a reader asked past the medium's end")
        return try bytes(at: block * UInt64(blockSize), count: count * blockSize)
    }

    /// `count` bytes at `offset` of the image.
    func bytes(at offset: UInt64, count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = buffer.withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done))
            }
            guard got > 0 else { throw ImageError("short read at \(offset + UInt64(done))") }
            done += got
        }
        return buffer
    }
}

/// An image held in memory with bytes patched over it: the hostile tests' medium.
struct PatchedImage: BlockSource {
    let blockSize = 512
    var bytes: [UInt8]
    var blockCount: UInt64 { UInt64(bytes.count / blockSize) }

    func read(block: UInt64, count: Int) async throws -> [UInt8] {
        precondition(block + UInt64(count) <= blockCount, "a reader asked past the medium's end")
        let start = Int(block) * blockSize
        return Array(bytes[start..<start + count * blockSize])
    }

    mutating func put16(_ value: UInt16, at offset: Int) {
        for i in 0..<2 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
    }
    mutating func put32(_ value: UInt32, at offset: Int) {
        for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
    }
    mutating func put64(_ value: UInt64, at offset: Int) {
        for i in 0..<8 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
    }
    func get32(_ offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }
}

struct ImageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Makes an image with Tests/volumes/make-exfat-image.sh (mkfs.exfat and exfat-fuse).
func makeExFATImage(_ kind: String, in directory: URL) throws -> String {
    let image = directory.appendingPathComponent("\(kind).img").path
    let script = packageRoot.appendingPathComponent("Tests/volumes/make-exfat-image.sh").path
    let result = try run("/bin/bash", [script, kind, image], mergingErrors: true)
    guard result.status == 0 else {
        throw ImageError("make-exfat-image.sh \(kind) failed (\(result.status)): \(result.output)")
    }
    return image
}

/// SHA-256 (hex) of a file's bytes as our extents place them on the image.
func extentsSHA256(_ file: VolumeFile, source: FileBlockSource) throws -> String {
    let hasher = SHA256Hasher()
    for extent in file.extents {
        var done: UInt64 = 0
        while done < extent.length {
            let count = Int(min(extent.length - done, 4 << 20))
            hasher.update(try source.bytes(at: extent.offset + done, count: count))
            done += UInt64(count)
        }
    }
    return hexString(hasher.finalize())
}

/// Reads a volume that fills the whole medium.
func listing(_ source: any BlockSource, limits: VolumeLimits = VolumeLimits()) async throws -> VolumeListing {
    let length = source.blockCount * UInt64(source.blockSize)
    return try await ExFATVolume.read(source: source, offset: 0, length: length, scheme: .none,
                                      partitionNumber: nil, limits: limits)
}
