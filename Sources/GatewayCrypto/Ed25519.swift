import CCrypto

// Ed25519 (RFC 8032) over libcrypto. The keys are plain values holding raw bytes; every
// operation builds its own EVP_PKEY and frees it before returning, so no libcrypto object is
// shared between tasks and no OpenSSL type leaves the module.

/// An Ed25519 signing key: the gateway's identity when it signs a dock session's custody record.
///
/// A value type holding the 32-byte RFC 8032 secret and the public key derived from it, so it
/// is `Sendable` and can be shared freely. It is deliberately not `Equatable`, and its
/// `description` and mirror show only the public key, so the secret does not end up in a log
/// by way of string interpolation or `dump`. Swift cannot promise that copies of the secret are
/// wiped from memory.
public struct Ed25519PrivateKey: Sendable, CustomStringConvertible, CustomReflectable {
    /// The 32-byte secret ("seed" in RFC 8032 terms).
    private let secret: [UInt8]

    /// The public key that verifies this key's signatures.
    public let publicKey: Ed25519PublicKey

    /// Generates a new key from libcrypto's private CSPRNG. Throws only if the generator
    /// cannot deliver, in which case no key should be made at all.
    public init() throws(CryptoError) {
        var secret = [UInt8](repeating: 0, count: Ed25519.keyLength)
        ERR_clear_error()
        let ok = secret.withUnsafeMutableBufferPointer { RAND_priv_bytes($0.baseAddress, Int32($0.count)) }
        guard ok == 1 else {
            throw .openSSL(operation: "RAND_priv_bytes", detail: CryptoError.lastOpenSSLError())
        }
        try self.init(rawRepresentation: secret)
    }

    /// The key with this 32-byte secret. Every 32-byte string is a valid Ed25519 secret, so
    /// this fails only on the wrong length (or if libcrypto cannot allocate).
    public init(rawRepresentation: [UInt8]) throws(CryptoError) {
        guard rawRepresentation.count == Ed25519.keyLength else {
            throw .wrongKeyLength(what: "Ed25519 private key", expected: Ed25519.keyLength,
                                  actual: rawRepresentation.count)
        }
        ERR_clear_error()
        let pkey = try Ed25519.privatePKEY(rawRepresentation)
        defer { EVP_PKEY_free(pkey) }
        publicKey = Ed25519PublicKey(verified: try Ed25519.rawPublicKey(of: pkey))
        secret = rawRepresentation
    }

    /// The key in a PEM "PRIVATE KEY" block (unencrypted PKCS#8), as written by
    /// `pemRepresentation` or `openssl genpkey -algorithm ed25519`.
    ///
    /// Text before the first `-----BEGIN` line is ignored; that first block must be the key.
    /// The error says what was wrong: no PEM at all, another kind of PEM block (a public key,
    /// a passphrase-protected or a legacy "EC PRIVATE KEY" block), a damaged block, or a key
    /// of another algorithm.
    public init(pemRepresentation: String) throws(CryptoError) {
        let label = "PRIVATE KEY"
        let block = try Ed25519.firstPEMBlock(in: pemRepresentation, expected: label)
        ERR_clear_error()
        let pkey = try Ed25519.withMemoryBIO(reading: block) { bio throws(CryptoError) in
            // The label check has already refused encrypted keys; the callback makes sure
            // libcrypto can never fall back to prompting for a passphrase on the terminal.
            guard let pkey = PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in -1 }, nil) else {
                throw .malformedPEM(label: label, detail: CryptoError.lastOpenSSLError())
            }
            return pkey
        }
        defer { EVP_PKEY_free(pkey) }
        try Ed25519.requireEd25519(pkey)
        var secret = [UInt8](repeating: 0, count: Ed25519.keyLength)
        var length = secret.count
        let ok = secret.withUnsafeMutableBufferPointer { EVP_PKEY_get_raw_private_key(pkey, $0.baseAddress, &length) }
        guard ok == 1, length == Ed25519.keyLength else {
            throw .openSSL(operation: "EVP_PKEY_get_raw_private_key", detail: CryptoError.lastOpenSSLError())
        }
        try self.init(rawRepresentation: secret)
    }

    /// The 32-byte secret. Handle with the care the file it came from deserves.
    public var rawRepresentation: [UInt8] { secret }

    /// The key as a PEM "PRIVATE KEY" block (unencrypted PKCS#8), the format `openssl` reads.
    /// Traps only if libcrypto cannot allocate, as the process cannot do its job then.
    public var pemRepresentation: String {
        ERR_clear_error()
        do {
            let pkey = try Ed25519.privatePKEY(secret)
            defer { EVP_PKEY_free(pkey) }
            return try Ed25519.pemString(operation: "PEM_write_bio_PrivateKey") {
                PEM_write_bio_PrivateKey($0, pkey, nil, nil, 0, nil, nil)
            }
        } catch {
            fatalError("Ed25519PrivateKey.pemRepresentation: \(error)")
        }
    }

    /// The 64-byte Ed25519 signature of `message` (RFC 8032 PureEd25519: deterministic, the
    /// same key and message always give the same signature). Throws only if libcrypto fails.
    public func signature(for message: [UInt8]) throws(CryptoError) -> [UInt8] {
        try message.withUnsafeBytes { raw in Result { () throws(CryptoError) in try signature(for: raw) } }.get()
    }

    /// The signature of the bytes at `message`, read in place: a custody record may be tens of
    /// MB, and a copy of it just to sign it would double that (#11).
    public func signature(for message: UnsafeRawBufferPointer) throws(CryptoError) -> [UInt8] {
        ERR_clear_error()
        let pkey = try Ed25519.privatePKEY(secret)
        defer { EVP_PKEY_free(pkey) }
        guard let ctx = EVP_MD_CTX_new() else {
            throw .openSSL(operation: "EVP_MD_CTX_new", detail: CryptoError.lastOpenSSLError())
        }
        defer { EVP_MD_CTX_free(ctx) }
        // Ed25519 hashes internally: the digest must be NULL, and signing is one shot.
        guard EVP_DigestSignInit(ctx, nil, nil, nil, pkey) == 1 else {
            throw .openSSL(operation: "EVP_DigestSignInit", detail: CryptoError.lastOpenSSLError())
        }
        var signature = [UInt8](repeating: 0, count: Ed25519.signatureLength)
        var length = signature.count
        let ok = signature.withUnsafeMutableBufferPointer { sig in
            Ed25519.withBytes(message) { EVP_DigestSign(ctx, sig.baseAddress, &length, $0, $1) }
        }
        guard ok == 1, length == Ed25519.signatureLength else {
            throw .openSSL(operation: "EVP_DigestSign", detail: CryptoError.lastOpenSSLError())
        }
        return signature
    }

    public var description: String { "Ed25519PrivateKey(publicKey: \(hexString(publicKey.rawRepresentation)))" }

    public var customMirror: Mirror { Mirror(self, children: ["publicKey": publicKey]) }
}

/// An Ed25519 public key: what a reviewer uses to check a custody record's signature.
///
/// Equal keys have equal raw bytes. Only the length is checked on creation: 32 bytes that are
/// not a point on the curve make a key that verifies no signature.
public struct Ed25519PublicKey: Sendable, Hashable, CustomStringConvertible {
    /// The 32-byte encoded point (RFC 8032 §5.1.5).
    public let rawRepresentation: [UInt8]

    /// The key with these 32 bytes; throws on any other length.
    public init(rawRepresentation: [UInt8]) throws(CryptoError) {
        guard rawRepresentation.count == Ed25519.keyLength else {
            throw .wrongKeyLength(what: "Ed25519 public key", expected: Ed25519.keyLength,
                                  actual: rawRepresentation.count)
        }
        self.rawRepresentation = rawRepresentation
    }

    /// Bytes libcrypto has already produced as an Ed25519 public key.
    init(verified raw: [UInt8]) { rawRepresentation = raw }

    /// The key in a PEM "PUBLIC KEY" block (SubjectPublicKeyInfo), as written by
    /// `pemRepresentation` or `openssl pkey -pubout`. Text before the first `-----BEGIN` line is
    /// ignored; that first block must be the key. The error says what was wrong, as for
    /// `Ed25519PrivateKey(pemRepresentation:)`.
    public init(pemRepresentation: String) throws(CryptoError) {
        let label = "PUBLIC KEY"
        let block = try Ed25519.firstPEMBlock(in: pemRepresentation, expected: label)
        ERR_clear_error()
        let pkey = try Ed25519.withMemoryBIO(reading: block) { bio throws(CryptoError) in
            guard let pkey = PEM_read_bio_PUBKEY(bio, nil, nil, nil) else {
                throw .malformedPEM(label: label, detail: CryptoError.lastOpenSSLError())
            }
            return pkey
        }
        defer { EVP_PKEY_free(pkey) }
        try Ed25519.requireEd25519(pkey)
        self.init(verified: try Ed25519.rawPublicKey(of: pkey))
    }

    /// The key as a PEM "PUBLIC KEY" block (SubjectPublicKeyInfo), the format
    /// `openssl pkeyutl -verify -pubin` reads. Traps only if libcrypto cannot allocate.
    public var pemRepresentation: String {
        ERR_clear_error()
        do {
            let pkey = try Ed25519.publicPKEY(rawRepresentation)
            defer { EVP_PKEY_free(pkey) }
            return try Ed25519.pemString(operation: "PEM_write_bio_PUBKEY") { PEM_write_bio_PUBKEY($0, pkey) }
        } catch {
            fatalError("Ed25519PublicKey.pemRepresentation: \(error)")
        }
    }

    /// Whether `signature` is this key's Ed25519 signature of `message` (RFC 8032 PureEd25519,
    /// with libcrypto's checks that the signature is canonical). False for a signature of the
    /// wrong length, and also if libcrypto cannot run the check at all: never true by mistake.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == Ed25519.signatureLength else { return false }
        // A rejected signature queues errors; leave none behind for a later failure's message.
        ERR_clear_error()
        defer { ERR_clear_error() }
        guard let pkey = try? Ed25519.publicPKEY(rawRepresentation) else { return false }
        defer { EVP_PKEY_free(pkey) }
        guard let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestVerifyInit(ctx, nil, nil, nil, pkey) == 1 else { return false }
        let result = signature.withUnsafeBufferPointer { sig in
            message.withUnsafeBytes { raw in Ed25519.withBytes(raw) { EVP_DigestVerify(ctx, sig.baseAddress, sig.count, $0, $1) } }
        }
        return result == 1
    }

    public var description: String { "Ed25519PublicKey(\(hexString(rawRepresentation)))" }
}

/// The libcrypto plumbing shared by the two key types.
enum Ed25519 {
    static let keyLength = 32
    static let signatureLength = 64

    /// A new EVP_PKEY for this secret; the caller frees it.
    static func privatePKEY(_ secret: [UInt8]) throws(CryptoError) -> OpaquePointer {
        let pkey = secret.withUnsafeBufferPointer {
            EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, $0.baseAddress, $0.count)
        }
        guard let pkey else {
            throw .openSSL(operation: "EVP_PKEY_new_raw_private_key", detail: CryptoError.lastOpenSSLError())
        }
        return pkey
    }

    /// A new EVP_PKEY for this public key; the caller frees it.
    static func publicPKEY(_ raw: [UInt8]) throws(CryptoError) -> OpaquePointer {
        let pkey = raw.withUnsafeBufferPointer {
            EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, $0.count)
        }
        guard let pkey else {
            throw .openSSL(operation: "EVP_PKEY_new_raw_public_key", detail: CryptoError.lastOpenSSLError())
        }
        return pkey
    }

    /// The 32 raw public-key bytes of an Ed25519 EVP_PKEY.
    static func rawPublicKey(of pkey: OpaquePointer) throws(CryptoError) -> [UInt8] {
        var raw = [UInt8](repeating: 0, count: keyLength)
        var length = raw.count
        let ok = raw.withUnsafeMutableBufferPointer { EVP_PKEY_get_raw_public_key(pkey, $0.baseAddress, &length) }
        guard ok == 1, length == keyLength else {
            throw .openSSL(operation: "EVP_PKEY_get_raw_public_key", detail: CryptoError.lastOpenSSLError())
        }
        return raw
    }

    /// Throws `.notEd25519` naming the algorithm unless `pkey` is an Ed25519 key.
    static func requireEd25519(_ pkey: OpaquePointer) throws(CryptoError) {
        guard EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519 else { return }
        let name = EVP_PKEY_get0_type_name(pkey).map { String(cString: $0) } ?? "of an unknown algorithm"
        throw .notEd25519(algorithm: name)
    }

    /// Calls `body` with a pointer to `bytes` and their count. An empty message still gets a
    /// valid pointer, as libcrypto does not promise to accept NULL with length 0.
    static func withBytes<R>(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
        if let base = bytes.baseAddress { return body(base.assumingMemoryBound(to: UInt8.self), bytes.count) }
        var empty: UInt8 = 0
        return withUnsafePointer(to: &empty) { body($0, 0) }
    }

    /// The first PEM block of `text` (from its BEGIN line through its END line), after checking
    /// that its label is `expected`. Only this block is handed to libcrypto, so the label
    /// checked here is the block parsed there.
    static func firstPEMBlock(in text: String, expected: String) throws(CryptoError) -> [UInt8] {
        // Any line break (CRLF is one Character in Swift) and trailing blanks are accepted.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .map { $0.trimmingTrailingBlanks() }
        let begin = "-----BEGIN ", dashes = "-----"
        guard let first = lines.firstIndex(where: { $0.hasPrefix(begin) && $0.hasSuffix(dashes) && $0.count > begin.count + dashes.count }) else {
            throw .notPEM(expected: expected)
        }
        let label = String(lines[first].dropFirst(begin.count).dropLast(dashes.count))
        guard label == expected else { throw .wrongPEMLabel(expected: expected, found: label) }
        let endLine = "-----END \(label)-----"
        guard let last = lines[first...].firstIndex(where: { $0 == endLine }) else {
            throw .malformedPEM(label: label, detail: "no \"\(endLine)\" line")
        }
        return Array(lines[first...last].joined(separator: "\n").utf8) + [0x0A]
    }

    /// Runs `body` with a read-only memory BIO over `bytes`, freeing the BIO afterwards.
    static func withMemoryBIO<R>(reading bytes: [UInt8],
                                 _ body: (OpaquePointer) throws(CryptoError) -> R) throws(CryptoError) -> R {
        // A memory BIO's length is an int; no key comes anywhere near that.
        guard let length = Int32(exactly: bytes.count) else {
            throw .openSSL(operation: "BIO_new_mem_buf", detail: "\(bytes.count) bytes is too long for a PEM key")
        }
        // The BIO borrows the buffer, so it must not outlive this closure.
        let result: Result<R, CryptoError> = bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, length) else {
                return .failure(.openSSL(operation: "BIO_new_mem_buf", detail: CryptoError.lastOpenSSLError()))
            }
            defer { BIO_free(bio) }
            do throws(CryptoError) { return .success(try body(bio)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// What `write` puts into a fresh memory BIO, as text.
    static func pemString(operation: String, _ write: (OpaquePointer) -> Int32) throws(CryptoError) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else {
            throw .openSSL(operation: "BIO_new", detail: CryptoError.lastOpenSSLError())
        }
        // A memory BIO clears its buffer when freed, which matters for the private key's PEM.
        defer { BIO_free(bio) }
        guard write(bio) == 1 else {
            throw .openSSL(operation: operation, detail: CryptoError.lastOpenSSLError())
        }
        // BIO_get_mem_data is a macro over this BIO_ctrl call.
        var data: UnsafeMutablePointer<CChar>? = nil
        let length = withUnsafeMutablePointer(to: &data) { BIO_ctrl(bio, BIO_CTRL_INFO, 0, $0) }
        guard let data, length > 0 else {
            throw .openSSL(operation: "BIO_get_mem_data", detail: "\(operation) wrote nothing")
        }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }
}

extension Substring {
    /// The substring without trailing spaces and tabs.
    fileprivate func trimmingTrailingBlanks() -> Substring {
        var end = endIndex
        while end > startIndex {
            let previous = index(before: end)
            guard self[previous] == " " || self[previous] == "\t" else { break }
            end = previous
        }
        return self[startIndex..<end]
    }
}
