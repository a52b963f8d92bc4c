/// The bytes of a generated recording: a pure function of (seed, offset), so a many-gigabyte
/// recording costs no disk, any range can be produced directly, and the same scenario always
/// yields the same bytes.
///
/// Each aligned 8-byte word `k` is SplitMix64's output for `seed + k·γ` (γ = 0x9E3779B97F4A7C15),
/// stored little-endian: counter-based, so random access costs nothing extra. Runs at several
/// GB/s on one core.
public struct ContentGenerator: Sendable, Hashable {
    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    @inline(__always)
    static func word(_ seed: UInt64, _ k: UInt64) -> UInt64 {
        var z = seed &+ k &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z &>> 31)
    }

    /// Writes the bytes at `offset ..< offset + buffer.count` into `buffer`.
    public func fill(_ buffer: UnsafeMutableRawBufferPointer, offset: UInt64) {
        let count = buffer.count
        guard count > 0, let base = buffer.baseAddress else { return }
        var i = 0
        var position = offset
        // Leading bytes up to the next 8-byte boundary of the file.
        while i < count && position & 7 != 0 {
            let w = ContentGenerator.word(seed, position &>> 3)
            base.storeBytes(of: UInt8(truncatingIfNeeded: w &>> ((position & 7) &* 8)), toByteOffset: i, as: UInt8.self)
            i &+= 1
            position &+= 1
        }
        var k = position &>> 3
        let s = seed
        while i &+ 8 <= count {
            base.storeBytes(of: ContentGenerator.word(s, k).littleEndian, toByteOffset: i, as: UInt64.self)
            i &+= 8
            k &+= 1
        }
        if i < count {
            let w = ContentGenerator.word(s, k)
            var j = 0
            while i < count {
                base.storeBytes(of: UInt8(truncatingIfNeeded: w &>> (UInt64(j) &* 8)), toByteOffset: i, as: UInt8.self)
                i &+= 1
                j &+= 1
            }
        }
    }

    /// The bytes of a range as an array (tests and small ranges).
    public func bytes(offset: UInt64, count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(UnsafeMutableRawBufferPointer(buffer), offset: offset)
            initialized = count
        }
    }
}
