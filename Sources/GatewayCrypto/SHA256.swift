import CCrypto

/// One libcrypto EVP message-digest context, incremental: what `SHA256Hasher` and
/// `TransportMD5` share. `finalize()` may be called once.
final class EVPDigest {
    private let context: OpaquePointer
    private let name: String
    private let length: Int
    private var finished = false

    /// Traps only if libcrypto cannot allocate a context or lacks the algorithm, which means
    /// the process cannot do its job at all.
    init(_ algorithm: OpaquePointer?, name: String, length: Int) {
        guard let ctx = EVP_MD_CTX_new(), EVP_DigestInit_ex(ctx, algorithm, nil) == 1 else {
            fatalError("libcrypto: cannot initialise \(name) (\(CryptoError.lastOpenSSLError()))")
        }
        context = ctx
        self.name = name
        self.length = length
    }

    deinit { EVP_MD_CTX_free(context) }

    func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(!finished, "\(name): update after finalize")
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    func finalize() -> [UInt8] {
        precondition(!finished, "\(name): finalize called twice")
        finished = true
        var out = [UInt8](repeating: 0, count: length)
        var written: UInt32 = 0
        out.withUnsafeMutableBufferPointer { _ = EVP_DigestFinal_ex(context, $0.baseAddress, &written) }
        return out
    }
}

/// An incremental SHA-256 over OpenSSL's libcrypto (EVP), which uses the CPU's SHA extensions
/// where present.
///
/// Not thread-safe: one hasher belongs to one task at a time. `finalize()` may be called once.
public final class SHA256Hasher: @unchecked Sendable {
    private let digest = EVPDigest(EVP_sha256(), name: "SHA-256", length: 32)

    /// Creates a hasher. Traps only if libcrypto cannot allocate a context or lacks SHA-256,
    /// which means the process cannot do its job at all.
    public init() {}

    /// Adds bytes to the hash.
    public func update(_ bytes: UnsafeRawBufferPointer) { digest.update(bytes) }

    /// Adds bytes to the hash.
    public func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil { Array(bytes).withUnsafeBytes { update($0) } }
    }

    /// The 32-byte digest of everything added.
    public func finalize() -> [UInt8] { digest.finalize() }

    /// The SHA-256 of `bytes`.
    public static func hash<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        let h = SHA256Hasher()
        h.update(bytes)
        return h.finalize()
    }
}

/// HMAC-SHA256 of `message` under `key` (RFC 2104), one shot.
public func hmacSHA256<K: Collection, M: Collection>(key: K, message: M) -> [UInt8]
where K.Element == UInt8, M.Element == UInt8 {
    let k = Array(key), m = Array(message)
    var out = [UInt8](repeating: 0, count: 32)
    var length: UInt32 = 32
    k.withUnsafeBytes { kp in
        m.withUnsafeBytes { mp in
            out.withUnsafeMutableBufferPointer { op in
                // A zero-length key still needs a valid pointer for OpenSSL.
                let keyPointer = kp.baseAddress ?? UnsafeRawPointer(op.baseAddress!)
                _ = HMAC(EVP_sha256(), keyPointer, Int32(k.count),
                         mp.baseAddress?.assumingMemoryBound(to: UInt8.self), m.count,
                         op.baseAddress, &length)
            }
        }
    }
    return out
}

/// `count` bytes from OpenSSL's CSPRNG. Throws if the generator is not seeded.
public func secureRandomBytes(_ count: Int) throws(CryptoError) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
    if ok != 1 { throw .openSSL(operation: "RAND_bytes", detail: CryptoError.lastOpenSSLError()) }
    return out
}

/// Compares two byte strings in time that does not depend on where they differ.
public func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var diff: UInt8 = 0
    for i in 0..<a.count { diff |= a[i] ^ b[i] }
    return diff == 0
}

/// Lower-case hex of `bytes`.
public func hexString<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    out.reserveCapacity(bytes.count * 2)
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 0xF)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// The bytes of a hex string (either case), or nil if it is not hex of even length.
public func bytes(fromHex hex: String) -> [UInt8]? {
    let chars = Array(hex.utf8)
    guard chars.count % 2 == 0 else { return nil }
    func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }
    var out = [UInt8]()
    out.reserveCapacity(chars.count / 2)
    var i = 0
    while i < chars.count {
        guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
        out.append(hi << 4 | lo)
        i += 2
    }
    return out
}
