import Foundation

/// The CA file libcurl checks servers against, and whether given certificates are in it.
/// See `S3Endpoint.TrustRoots` for why that is the only trust URLSession on Linux has.
enum SystemTrustStore {
    /// Where FoundationNetworking looks for the CA file when libcurl names none, in its
    /// order; Debian's libcurl names the first.
    static let candidates = [
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/usr/share/ssl/certs/ca-bundle.crt",
        "/usr/local/share/certs/ca-root-nss.crt",
        "/etc/ssl/cert.pem",
    ]

    /// The first candidate that exists.
    static var bundlePath: String? { candidates.first { FileManager.default.fileExists(atPath: $0) } }

    /// Throws unless every certificate in the PEM file at `bundlePath` is in the system store.
    /// `systemBundle` is for tests.
    static func requireTrusted(bundlePath path: String, systemBundle: String? = SystemTrustStore.bundlePath) throws(S3ConfigurationError) {
        let wanted: Set<Data>
        do {
            wanted = certificates(in: try String(contentsOfFile: path, encoding: .utf8))
        } catch {
            throw .caBundleUnreadable(path: path, detail: "\(error.localizedDescription)")
        }
        guard !wanted.isEmpty else { throw .caBundleHasNoCertificates(path: path) }
        let trusted = systemBundle.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }.map(certificates) ?? []
        let missing = wanted.subtracting(trusted).count
        if missing > 0 {
            throw .caBundleNotInSystemTrustStore(path: path, missing: missing, systemBundle: systemBundle)
        }
    }

    /// The DER bytes of every `CERTIFICATE` block in `pem`: comparing DER rather than text
    /// ignores line lengths, line endings and comments between blocks.
    static func certificates(in pem: String) -> Set<Data> {
        var result = Set<Data>()
        var body: String?
        for line in pem.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "-----BEGIN CERTIFICATE-----" {
                body = ""
            } else if trimmed == "-----END CERTIFICATE-----" {
                if let text = body, let der = Data(base64Encoded: text) { result.insert(der) }
                body = nil
            } else if body != nil {
                body! += trimmed
            }
        }
        return result
    }
}
