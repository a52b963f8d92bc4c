import CCrypto

/// An incremental MD5 over libcrypto (EVP): ONLY a transport checksum, for what S3 demands
/// (`Content-MD5`, single-part ETags). MD5 is broken as a cryptographic hash and proves
/// nothing against someone who chooses the bytes; every evidence hash in the gateway is
/// SHA-256. (libcrypto's assembly runs at ~770 MB/s here, against 550 for the plain-Swift
/// version this replaced; the forward queue computes it over every byte it uploads.)
///
/// Not thread-safe: one hasher belongs to one task at a time. `finalize()` may be called once.
public final class TransportMD5: @unchecked Sendable {
    private let digest = EVPDigest(EVP_md5(), name: "MD5", length: 16)

    /// Creates a hasher. Traps only if libcrypto cannot allocate a context or lacks MD5 (a
    /// FIPS-only build), which means uploads to S3 cannot be made at all.
    public init() {}

    /// Adds bytes to the hash.
    public func update(_ bytes: UnsafeRawBufferPointer) { digest.update(bytes) }

    /// The 16-byte digest of everything added.
    public func finalize() -> [UInt8] { digest.finalize() }
}
