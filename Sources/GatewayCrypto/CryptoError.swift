import CCrypto

/// A libcrypto operation failed, or key material was rejected.
///
/// The key cases say what was wrong with the input, so a message built from `description`
/// tells an operator what to fix without reading code.
public enum CryptoError: Error, Hashable, Sendable, CustomStringConvertible {
    case openSSL(operation: String, detail: String)
    /// Raw key bytes of the wrong length; `what` names the key, e.g. "Ed25519 private key".
    case wrongKeyLength(what: String, expected: Int, actual: Int)
    /// The text holds no PEM block at all (no `-----BEGIN …-----` line); `expected` is the
    /// label that was wanted, e.g. "PRIVATE KEY".
    case notPEM(expected: String)
    /// The first PEM block carries another label than the one wanted, e.g. "PUBLIC KEY" where
    /// a "PRIVATE KEY" was expected, or a passphrase-protected "ENCRYPTED PRIVATE KEY".
    case wrongPEMLabel(expected: String, found: String)
    /// The PEM block has the right label but cannot be decoded (no END line, damaged base64
    /// or DER).
    case malformedPEM(label: String, detail: String)
    /// A well-formed key of another algorithm; `algorithm` is libcrypto's name for it
    /// ("EC", "RSA", "ED448", …).
    case notEd25519(algorithm: String)

    public var description: String {
        switch self {
        case .openSSL(let operation, let detail):
            "libcrypto \(operation) failed: \(detail)"
        case .wrongKeyLength(let what, let expected, let actual):
            "\(what) must be \(expected) bytes, got \(actual)"
        case .notPEM(let expected):
            "not PEM: no \"-----BEGIN \(expected)-----\" line found"
        case .wrongPEMLabel(let expected, let found):
            "expected a PEM \"\(expected)\" block, found \"\(found)\"" + Self.hint(expected: expected, found: found)
        case .malformedPEM(let label, let detail):
            "PEM \"\(label)\" block cannot be decoded: \(detail)"
        case .notEd25519(let algorithm):
            "the key is \(algorithm), not Ed25519"
        }
    }

    /// The likely mistake behind a wrong label, for the cases an operator meets in practice.
    private static func hint(expected: String, found: String) -> String {
        switch (expected, found) {
        case (_, "ENCRYPTED PRIVATE KEY"):
            " (passphrase-protected keys are not supported; decrypt it with `openssl pkey`)"
        case ("PRIVATE KEY", "PUBLIC KEY"):
            " (this is a public key; the private key is needed)"
        case ("PUBLIC KEY", "PRIVATE KEY"):
            " (this is a private key; give the public key)"
        case ("PRIVATE KEY", let other) where other.hasSuffix("PRIVATE KEY"):
            " (only unencrypted PKCS#8 is accepted; convert with `openssl pkey`)"
        default:
            ""
        }
    }

    /// OpenSSL's earliest queued error as text, or "no detail". Empties the thread's error
    /// queue, so errors left by this failure do not turn up in a later failure's message.
    static func lastOpenSSLError() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "no detail" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
