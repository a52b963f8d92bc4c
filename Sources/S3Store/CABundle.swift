import Foundation

/// A PEM file of certificate authorities that HTTPS trusts instead of the system store.
enum CABundle {
    /// Throws unless the file at `path` can be read and holds at least one certificate: a
    /// wrong path is reported when the endpoint is made, naming the file, instead of failing
    /// every upload with a TLS error.
    static func requireCertificates(at path: String) throws(S3ConfigurationError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .caBundleUnreadable(path: path, detail: "\(error.localizedDescription)")
        }
        guard !certificates(in: text).isEmpty else { throw .caBundleHasNoCertificates(path: path) }
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
