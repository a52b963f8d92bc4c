/// What the fuzz targets share: turning libFuzzer's buffer into bytes, failing an invariant
/// loudly, and a deterministic way to cut one input into chunks.

/// The input as an array (the parsers take arrays or `Data`).
public func fuzzInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
    Array(UnsafeBufferPointer(start: data, count: size))
}

/// Stops the run with `message` when `condition` is false. A trap is what libFuzzer reports
/// as a crash and saves a reproducer for, so a broken invariant is found like a crash is.
public func invariant(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                      file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError("invariant broken: \(message())", file: file, line: line) }
}

/// SplitMix64: a tiny deterministic generator, seeded from the input so that a reproducer
/// replays the same splits.
public struct SplitMix: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// Seeded by FNV-1a of `bytes`.
    public init(hashing bytes: [UInt8]) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        state = h
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `bytes` cut into consecutive non-empty chunks of 1...maxChunk bytes.
    public mutating func chunks(_ bytes: [UInt8], maxChunk: Int) -> [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        var i = 0
        while i < bytes.count {
            let n = 1 + Int(next() % UInt64(max(1, maxChunk)))
            let end = min(bytes.count, i + n)
            out.append(bytes[i..<end])
            i = end
        }
        return out
    }
}
