import Foundation
import Testing

/// Where things are in a real exFAT image, found from its boot sector and its directory
/// entries (independently of the reader under test), so the hostile tests can damage one
/// chosen structure.
struct ImageMap {
    let bytesPerSector: Int
    let bytesPerCluster: Int
    let fatOffset: Int
    let heapOffset: Int
    let clusterCount: UInt32
    let rootCluster: UInt32

    init(_ image: PatchedImage) {
        let b = image.bytes
        bytesPerSector = 1 << Int(b[108])
        bytesPerCluster = bytesPerSector << Int(b[109])
        fatOffset = Int(image.get32(80)) * bytesPerSector
        heapOffset = Int(image.get32(88)) * bytesPerSector
        clusterCount = image.get32(92)
        rootCluster = image.get32(96)
    }

    func clusterOffset(_ cluster: UInt32) -> Int { heapOffset + (Int(cluster) - 2) * bytesPerCluster }
    func fatEntryOffset(_ cluster: UInt32) -> Int { fatOffset + 4 * Int(cluster) }

    /// The offset of the File entry (0x85) of the in-use entry set whose name starts with
    /// `name`'s first 15 UTF-16 code units.
    func entrySet(_ name: String, in image: PatchedImage) throws -> Int {
        let units = Array(name.utf16.prefix(15))
        let b = image.bytes
        var at = heapOffset + 64
        while at + 32 <= b.count {
            if b[at] == 0xC1, b[at - 32] == 0xC0, b[at - 64] == 0x85,
               units.indices.allSatisfy({ UInt16(b[at + 2 + 2 * $0]) | UInt16(b[at + 3 + 2 * $0]) << 8 == units[$0] }) {
                return at - 64
            }
            at += 32
        }
        throw ImageError("no entry set named \(name)")
    }

    /// The Stream Extension's FirstCluster of the set at `set`.
    func firstCluster(ofSet set: Int, in image: PatchedImage) -> UInt32 { image.get32(set + 32 + 20) }

    /// Recomputes a set's SetChecksum after its entries were changed (the specification's
    /// 16-bit rotating sum, skipping the checksum field itself).
    func fixSetChecksum(_ set: Int, in image: inout PatchedImage) {
        let entries = Int(image.bytes[set + 1]) + 1
        var checksum: UInt16 = 0
        for offset in set..<set + 32 * entries where offset != set + 2 && offset != set + 3 {
            checksum = (checksum >> 1 | checksum << 15) &+ UInt16(image.bytes[offset])
        }
        image.put16(checksum, at: set + 2)
    }

    /// The root directory's entry of `type` (0x81 bitmap, 0x82 up-case table).
    func rootEntry(_ type: UInt8, in image: PatchedImage) throws -> Int {
        let root = clusterOffset(rootCluster)
        for at in stride(from: root, to: root + bytesPerCluster, by: 32) where image.bytes[at] == type { return at }
        throw ImageError("no root entry of type \(type)")
    }
}
