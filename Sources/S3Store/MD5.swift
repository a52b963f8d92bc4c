import GatewayCrypto

/// MD5 (RFC 1321), incremental: the S3 transport checksum, over libcrypto (`TransportMD5`).
///
/// Only a TRANSPORT checksum: S3 servers demand `Content-MD5` on uploads with Object Lock
/// (and Ceph verifies it), and a single-part object's ETag is its MD5. MD5 is broken as a
/// cryptographic hash and proves nothing against someone who chooses the bytes; the evidence
/// hash is SHA-256.
///
/// Not thread-safe: one hasher belongs to one task at a time. `finalize()` may be called once.
struct MD5 {
    private let hasher = TransportMD5()

    /// Adds bytes to the hash.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bytes)
    }

    /// Adds bytes to the hash.
    mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil { Array(bytes).withUnsafeBytes { update($0) } }
    }

    /// The 16-byte digest of everything added.
    mutating func finalize() -> [UInt8] { hasher.finalize() }

    /// The MD5 of `bytes`.
    static func hash<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        var h = MD5()
        h.update(bytes)
        return h.finalize()
    }
}
