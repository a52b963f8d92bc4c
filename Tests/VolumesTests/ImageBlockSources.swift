import Foundation
import Volumes

/// A disk image file as a block medium (test only): what a mass-storage recorder serves,
/// without the USB.
final class FileBlockSource: BlockSource {
    let blockSize: Int
    let blockCount: UInt64
    private let handle: FileHandle
    private let lock = NSLock()

    init(_ url: URL, blockSize: Int = 512) throws {
        handle = try FileHandle(forReadingFrom: url)
        let bytes = try handle.seekToEnd()
        self.blockSize = blockSize
        blockCount = bytes / UInt64(blockSize)
    }

    func read(block: UInt64, count: Int) async throws -> [UInt8] {
        guard block + UInt64(count) <= blockCount else { throw ReadPastTheEnd(block: block, count: count) }
        return try lock.withLock {
            try handle.seek(toOffset: block * UInt64(blockSize))
            return [UInt8](try handle.read(upToCount: count * blockSize) ?? Data())
        }
    }

    /// `count` bytes at `offset` of the image, for checking what the extents point at.
    func bytes(at offset: UInt64, count: Int) throws -> [UInt8] {
        try lock.withLock {
            try handle.seek(toOffset: offset)
            return [UInt8](try handle.read(upToCount: count) ?? Data())
        }
    }
}

/// An image in memory with some bytes changed: the mutation tests share one copy of the real
/// image and overlay each iteration's changes.
struct PatchedBlockSource: BlockSource {
    let blockSize: Int
    let blockCount: UInt64
    let base: [UInt8]
    var patches: [Int: UInt8] = [:]

    init(_ base: [UInt8], blockSize: Int = 512) {
        self.base = base
        self.blockSize = blockSize
        blockCount = UInt64(base.count / blockSize)
    }

    func read(block: UInt64, count: Int) async throws -> [UInt8] {
        // The readers promise never to ask past the end; a test that sees this error has found
        // a reader bug.
        guard block + UInt64(count) <= blockCount else { throw ReadPastTheEnd(block: block, count: count) }
        let start = Int(block) * blockSize, end = start + count * blockSize
        var bytes = Array(base[start ..< end])
        for (at, value) in patches where at >= start && at < end { bytes[at - start] = value }
        return bytes
    }

    subscript(at: Int) -> UInt8 {
        get { patches[at] ?? base[at] }
        set { patches[at] = newValue }
    }

    mutating func setU16(_ at: Int, _ value: UInt16) {
        self[at] = UInt8(value & 0xFF); self[at + 1] = UInt8(value >> 8)
    }

    mutating func setU32(_ at: Int, _ value: UInt32) {
        for i in 0 ..< 4 { self[at + i] = UInt8(value >> (8 * UInt32(i)) & 0xFF) }
    }

    func u16(_ at: Int) -> UInt16 { UInt16(self[at]) | UInt16(self[at + 1]) << 8 }
    func u32(_ at: Int) -> UInt32 { UInt32(u16(at)) | UInt32(u16(at + 2)) << 16 }
}

/// A reader asked for blocks past the medium's end, which `BlockSource` says never happens.
struct ReadPastTheEnd: Error, Equatable {
    let block: UInt64
    let count: Int
}
