/// Appends little-endian integers and length-prefixed strings to a byte buffer.
public struct ByteWriter: Sendable {
    public private(set) var buffer: [UInt8]

    public init(capacity: Int = 64) {
        buffer = []
        buffer.reserveCapacity(capacity)
    }

    public mutating func u8(_ v: UInt8) { buffer.append(v) }
    public mutating func u16(_ v: UInt16) { appendLE(v) }
    public mutating func u32(_ v: UInt32) { appendLE(v) }
    public mutating func u64(_ v: UInt64) { appendLE(v) }
    public mutating func i16(_ v: Int16) { appendLE(UInt16(bitPattern: v)) }
    public mutating func i64(_ v: Int64) { appendLE(UInt64(bitPattern: v)) }
    public mutating func bytes<C: Collection>(_ b: C) where C.Element == UInt8 { buffer.append(contentsOf: b) }

    /// A u16 byte count followed by the bytes. Longer input is cut at 65535 bytes; message
    /// encoders check their own, smaller limits first.
    public mutating func lengthPrefixed<C: Collection>(_ b: C) where C.Element == UInt8 {
        let n = min(b.count, Int(UInt16.max))
        u16(UInt16(n))
        buffer.append(contentsOf: b.prefix(n))
    }

    /// A u16 byte count followed by the string's UTF-8.
    public mutating func string(_ s: String) { lengthPrefixed(Array(s.utf8)) }

    private mutating func appendLE<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.littleEndian) { buffer.append(contentsOf: $0) }
    }
}
