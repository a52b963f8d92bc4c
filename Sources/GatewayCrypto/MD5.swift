import CCrypto

/// An incremental MD5 over libcrypto (EVP): ONLY a transport checksum, for what S3 demands
/// (`Content-MD5`, single-part ETags). MD5 is broken as a cryptographic hash and proves
/// nothing against someone who chooses the bytes; every evidence hash in the gateway is
/// SHA-256. (libcrypto's assembly runs at ~770 MB/s here, against 550 for the plain-Swift
/// version this replaced; the forward queue computes it over every byte it uploads.)
///
/// Not thread-safe: one hasher belongs to one task at a time. `finalize()` may be called once.
public final class TransportMD5: @unchecked Sendable {
    private let context: OpaquePointer
    private var finished = false

    /// Creates a hasher. Traps only if libcrypto cannot allocate a context or lacks MD5 (a
    /// FIPS-only build), which means uploads to S3 cannot be made at all.
    public init() {
        guard let ctx = EVP_MD_CTX_new(), EVP_DigestInit_ex(ctx, EVP_md5(), nil) == 1 else {
            fatalError("libcrypto: cannot initialise MD5 (\(CryptoError.lastOpenSSLError()))")
        }
        context = ctx
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Adds bytes to the hash.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(!finished, "TransportMD5.update after finalize")
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    /// The 16-byte digest of everything added.
    public func finalize() -> [UInt8] {
        precondition(!finished, "TransportMD5.finalize called twice")
        finished = true
        var out = [UInt8](repeating: 0, count: 16)
        var length: UInt32 = 0
        out.withUnsafeMutableBufferPointer { _ = EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        return out
    }
}
