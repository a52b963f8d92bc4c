/// The file allocation table in use, read in large chunks (never a sector per entry) and kept
/// in a bounded cache, so following a chain costs few reads and bounded memory however large
/// the FAT.
final class FATTable {
    /// What a FAT entry says about the cluster after the one it belongs to.
    enum Link: Equatable {
        case next(UInt32)
        case end
        case free
        case bad
        /// A value no chain may hold (1, or FAT's reserved values).
        case reserved(UInt32)
        /// A cluster number past the volume's last usable cluster.
        case outOfRange(UInt32)
    }

    private let reader: MediumReader
    private let type: VolumeIdentity.FileSystem
    /// Absolute medium offset of the FAT.
    private let start: UInt64
    private let bytes: UInt64
    /// Highest cluster number a chain may name.
    private let lastCluster: UInt32
    /// Bytes read at once, and the comparison's chunk (`FATCopyComparison`).
    static let chunkSize = 1 << 20
    private static let maxChunks = 16
    private var chunks: [UInt64: [UInt8]] = [:]
    private var recent: [UInt64] = []

    init(reader: MediumReader, type: VolumeIdentity.FileSystem, start: UInt64, bytes: UInt64, usableClusters: UInt32) {
        self.reader = reader
        self.type = type
        self.start = start
        self.bytes = bytes
        self.lastCluster = usableClusters + 1
    }

    /// Whether `cluster` is one a chain or directory entry may name.
    func inRange(_ cluster: UInt32) -> Bool { cluster >= 2 && cluster <= lastCluster }

    /// The link in `cluster`'s entry. `cluster` must be in range.
    func link(after cluster: UInt32) async throws -> Link {
        let value: UInt32
        switch type {
        case .fat12:
            let at = UInt64(cluster) + UInt64(cluster / 2)
            let pair = UInt32(try await byte(at)) | UInt32(try await byte(at + 1)) << 8
            value = cluster & 1 == 1 ? pair >> 4 : pair & 0x0FFF
        case .fat16:
            let at = UInt64(cluster) * 2
            value = UInt32(try await byte(at)) | UInt32(try await byte(at + 1)) << 8
        default:
            let at = UInt64(cluster) * 4
            let chunk = try await self.chunk(containing: at)
            value = chunk.bytes.u32(chunk.index) & 0x0FFF_FFFF
        }
        return classify(value)
    }

    private func classify(_ value: UInt32) -> Link {
        let (endFrom, badValue, reservedFrom): (UInt32, UInt32, UInt32) = switch type {
        case .fat12: (0xFF8, 0xFF7, 0xFF0)
        case .fat16: (0xFFF8, 0xFFF7, 0xFFF0)
        default: (0x0FFF_FFF8, 0x0FFF_FFF7, 0x0FFF_FFF0)
        }
        if value >= endFrom { return .end }
        if value == badValue { return .bad }
        if value == 0 { return .free }
        if value == 1 { return .reserved(value) }
        if value <= lastCluster { return .next(value) }
        if value >= reservedFrom { return .reserved(value) }
        return .outOfRange(value)
    }

    private func byte(_ at: UInt64) async throws -> UInt8 {
        let chunk = try await chunk(containing: at)
        return chunk.bytes[chunk.index]
    }

    /// The cached chunk holding FAT byte `at`, read when missing (the least recently read
    /// chunk is dropped when the cache is full). Every entry's offset is within the FAT: the
    /// boot sector's checks bound the cluster count by the FAT's size.
    func chunk(containing at: UInt64) async throws -> (bytes: [UInt8], index: Int) {
        let size = UInt64(Self.chunkSize)
        let number = at / size
        if let cached = chunks[number] { return (cached, Int(at - number * size)) }
        let from = number * size
        let data = try await reader.read(offset: start + from, count: Int(min(size, bytes - from)))
        if chunks.count >= Self.maxChunks, let oldest = recent.first {
            chunks[oldest] = nil
            recent.removeFirst()
        }
        chunks[number] = data
        recent.append(number)
        return (data, Int(at - from))
    }
}
