/// Reads little-endian fields from a message payload, naming the field in every error.
///
/// Guarantees: never reads past the payload; every failure is a `MessageError` that says which
/// message, which field and what was wrong.
public struct ByteReader: Sendable {
    private let bytes: [UInt8]
    private var index: Int
    /// The message being read, for error messages ("IDENTITY reply").
    public let context: String

    public init(_ bytes: [UInt8], context: String) {
        self.bytes = bytes
        self.index = 0
        self.context = context
    }

    public var remaining: Int { bytes.count - index }

    public mutating func u8(_ field: String) throws(MessageError) -> UInt8 {
        try need(1, field)
        defer { index += 1 }
        return bytes[index]
    }

    public mutating func u16(_ field: String) throws(MessageError) -> UInt16 { try integer(field) }
    public mutating func u32(_ field: String) throws(MessageError) -> UInt32 { try integer(field) }
    public mutating func u64(_ field: String) throws(MessageError) -> UInt64 { try integer(field) }
    public mutating func i16(_ field: String) throws(MessageError) -> Int16 { Int16(bitPattern: try integer(field)) }
    public mutating func i64(_ field: String) throws(MessageError) -> Int64 { Int64(bitPattern: try integer(field)) }

    /// Exactly `count` bytes.
    public mutating func bytes(_ count: Int, _ field: String) throws(MessageError) -> [UInt8] {
        try need(count, field)
        defer { index += count }
        return Array(bytes[index..<(index + count)])
    }

    /// All bytes left, without copying.
    public mutating func rest() -> ArraySlice<UInt8> {
        defer { index = bytes.count }
        return bytes[index...]
    }

    /// A u16-length-prefixed byte string of at most `maxBytes` bytes.
    public mutating func lengthPrefixed(_ field: String, maxBytes: Int = Int(UInt16.max)) throws(MessageError) -> [UInt8] {
        let n = Int(try u16(field))
        if n > maxBytes {
            throw fail(field, "is \(n) bytes, over the limit of \(maxBytes)")
        }
        return try bytes(n, field)
    }

    /// A u16-length-prefixed UTF-8 string of at most `maxBytes` bytes; invalid UTF-8 is an error.
    public mutating func string(_ field: String, maxBytes: Int) throws(MessageError) -> String {
        let raw = try lengthPrefixed(field, maxBytes: maxBytes)
        guard let s = String(validating: raw, as: UTF8.self) else {
            throw fail(field, "is not valid UTF-8")
        }
        if raw.contains(0) {
            throw fail(field, "contains a NUL byte")
        }
        return s
    }

    /// Fails if bytes are left over: version 1 messages have a fixed layout.
    public func finish() throws(MessageError) {
        if remaining != 0 {
            throw fail("payload", "has \(remaining) unexpected trailing bytes")
        }
    }

    /// A `MessageError` for `field` in this message.
    public func fail(_ field: String, _ reason: String) -> MessageError {
        MessageError(message: context, field: field, reason: reason)
    }

    private func need(_ n: Int, _ field: String) throws(MessageError) {
        if n > remaining {
            throw fail(field, "is truncated: needs \(n) bytes at offset \(index), payload has \(remaining) left")
        }
    }

    private mutating func integer<T: FixedWidthInteger>(_ field: String) throws(MessageError) -> T {
        let size = MemoryLayout<T>.size
        try need(size, field)
        var v: T = 0
        for k in 0..<size { v |= T(bytes[index + k]) << (8 * k) }
        index += size
        return v
    }
}

/// A message payload that is structurally wrong: names the message, the field and the reason.
public struct MessageError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Which message, e.g. "IDENTITY reply".
    public var message: String
    /// Which field, e.g. "officerNumber".
    public var field: String
    /// What was wrong with it.
    public var reason: String

    public init(message: String, field: String, reason: String) {
        self.message = message
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(message): field \(field) \(reason)" }
}
