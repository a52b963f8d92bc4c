/// The active allocation bitmap (§7.1): one bit per cluster, set when the cluster is in use.
/// Read in windows over its own extents, a few kept, like the FAT.
final class ExFATAllocationBitmap {
    /// 1 MiB of bitmap (8 Mi clusters) per read.
    static let windowBytes: UInt64 = 1 << 20
    static let windowsKept = 4

    private let medium: ExFATMedium
    private let extents: [Extent]
    private let length: UInt64
    private var windows: [UInt64: [UInt8]] = [:]
    private var recent: [UInt64] = []

    /// The bitmap held by `extents` (complete, covering `length` bytes).
    init(medium: ExFATMedium, extents: [Extent]) {
        self.medium = medium
        self.extents = extents
        length = extents.reduce(0) { $0 + $1.length }
    }

    /// Whether the bitmap marks `cluster` (2…) in use; nil when the bitmap is too short to say.
    func isAllocated(_ cluster: UInt32) async throws -> Bool? {
        let index = UInt64(cluster) - 2
        let byte = index / 8
        guard byte < length else { return nil }
        let window = byte / Self.windowBytes
        if windows[window] == nil {
            if windows.count >= Self.windowsKept, let oldest = recent.first {
                windows[oldest] = nil
                recent.removeFirst()
            }
            windows[window] = try await read(from: window * Self.windowBytes, count: min(Self.windowBytes, length - window * Self.windowBytes))
            recent.append(window)
        }
        let bits = windows[window]![Int(byte - window * Self.windowBytes)]
        return bits & (1 << UInt8(index % 8)) != 0
    }

    /// Bytes of the bitmap.
    var byteCount: UInt64 { length }

    /// `count` bytes of the bitmap from byte `start`, gathered across its extents.
    func read(from start: UInt64, count: UInt64) async throws -> [UInt8] {
        var bytes = [UInt8]()
        var extentStart: UInt64 = 0
        let end = start + count
        for extent in extents {
            let extentEnd = extentStart + extent.length
            if extentEnd > start, extentStart < end {
                let from = max(start, extentStart), to = min(end, extentEnd)
                bytes += try await medium.read(at: extent.offset - medium.offset + (from - extentStart), count: Int(to - from))
            }
            extentStart = extentEnd
            if extentStart >= end { break }
        }
        return bytes
    }
}
