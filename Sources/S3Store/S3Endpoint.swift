import Foundation

/// Why an endpoint or client configuration was refused. Every case names the offending value.
public enum S3ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The endpoint URL cannot be used; `reason` says why.
    case invalidEndpoint(url: String, reason: String)
    /// The CA bundle file cannot be read.
    case caBundleUnreadable(path: String, detail: String)
    /// The CA bundle holds no `-----BEGIN CERTIFICATE-----` block.
    case caBundleHasNoCertificates(path: String)
    public var description: String {
        switch self {
        case .invalidEndpoint(let url, let reason):
            "S3 endpoint \(url) cannot be used: \(reason)"
        case .caBundleUnreadable(let path, let detail):
            "cannot read CA bundle \(path): \(detail)"
        case .caBundleHasNoCertificates(let path):
            "CA bundle \(path) holds no PEM certificate"
        }
    }
}

/// Where the evidence store is and how to address buckets there.
public struct S3Endpoint: Sendable, Hashable {
    /// How a bucket appears in the URL.
    public enum Addressing: Sendable, Hashable {
        /// `https://host/bucket/key`: works with any bucket name, IP addresses and TLS
        /// wildcard certificates; what Ceph RGW, MinIO and moto serve by default.
        case path
        /// `https://bucket.host/key`: what AWS prefers. Needs DNS (or a `*.localhost` host,
        /// which libcurl resolves to loopback itself) for every bucket name; a bucket name
        /// with dots breaks a `*.host` TLS certificate, so use `.path` for those.
        case virtualHost
    }

    /// Which certificate authorities HTTPS connections trust.
    public enum TrustRoots: Sendable, Hashable {
        /// The system store (libcurl's OpenSSL default; Debian: /etc/ssl/certs/ca-certificates.crt).
        case system
        /// Only the CAs in this PEM file (a private store's CA), instead of the system store;
        /// checked when the endpoint is made to be readable and hold a certificate.
        case caBundle(path: String)
    }

    /// `http` or `https`.
    public let scheme: String
    /// The host name or IP address (an IPv6 address without brackets).
    public let host: String
    /// The port, when the URL gives one that is not the scheme's default.
    public let port: Int?
    /// The signing region, e.g. `us-east-1`.
    public let region: String
    /// How buckets appear in URLs.
    public let addressing: Addressing
    /// Which CAs HTTPS trusts.
    public let trust: TrustRoots

    /// An endpoint from a URL such as `https://s3.evidence.example:9000`.
    ///
    /// Refused: a scheme other than http/https, no host, user info, a path other than `/`,
    /// a query or fragment, an empty region, virtual-host addressing with an IP address, and a
    /// CA bundle that is unreadable or holds no certificate. A CA bundle with an `http` URL is
    /// refused too: it would protect nothing.
    public init(url: String, region: String, addressing: Addressing = .path,
                caBundlePath: String? = nil) throws(S3ConfigurationError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw .invalidEndpoint(url: url, reason: "not a URL")
        }
        guard scheme == "http" || scheme == "https" else {
            throw .invalidEndpoint(url: url, reason: "the scheme must be http or https, not \(scheme)")
        }
        guard var host = components.host, !host.isEmpty else { throw .invalidEndpoint(url: url, reason: "no host") }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard components.user == nil, components.password == nil else {
            throw .invalidEndpoint(url: url, reason: "credentials do not belong in the URL")
        }
        guard components.path.isEmpty || components.path == "/" else {
            throw .invalidEndpoint(url: url, reason: "a path prefix (\(components.path)) is not supported")
        }
        guard components.query == nil, components.fragment == nil else {
            throw .invalidEndpoint(url: url, reason: "no query or fragment allowed")
        }
        guard !region.isEmpty else { throw .invalidEndpoint(url: url, reason: "the region is empty") }
        let isIPAddress = host.contains(":") || host.split(separator: ".").allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
        if addressing == .virtualHost && isIPAddress {
            throw .invalidEndpoint(url: url, reason: "virtual-host addressing needs a host name, not an IP address")
        }
        let defaultPort = scheme == "https" ? 443 : 80
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = components.port.flatMap { $0 == defaultPort ? nil : $0 }
        self.region = region
        self.addressing = addressing
        if let caBundlePath {
            guard scheme == "https" else {
                throw .invalidEndpoint(url: url, reason: "a CA bundle is given but the scheme is http")
            }
            try CABundle.requireCertificates(at: caBundlePath)
            self.trust = .caBundle(path: caBundlePath)
        } else {
            self.trust = .system
        }
    }

    /// The host (and bucket, for virtual-host addressing) and port as the `Host` header and
    /// the signature carry them: the port only when it is not the scheme's default, which is
    /// when libcurl sends it.
    func authority(bucket: String?) -> String {
        var name = host.contains(":") ? "[\(host)]" : host
        if addressing == .virtualHost, let bucket { name = "\(bucket).\(name)" }
        if let port { name += ":\(port)" }
        return name
    }

    /// The unencoded path of `bucket`/`key` for this addressing: `/bucket/key` or `/key`.
    func path(bucket: String?, key: String?) -> String {
        var parts: [String] = []
        if addressing == .path, let bucket { parts.append(bucket) }
        if let key { parts.append(key) }
        return "/" + parts.joined(separator: "/")
    }

    /// The URL to send: the path encoded with `URIEncoding.encodePath` and the query with
    /// `URIEncoding.encode`, exactly as signed.
    func url(bucket: String?, key: String?, query: [(name: String, value: String)]) -> String {
        var text = "\(scheme)://\(authority(bucket: bucket))\(URIEncoding.encodePath(path(bucket: bucket, key: key)))"
        if !query.isEmpty {
            // `?uploads`, not `?uploads=`: what the AWS SDKs send; both sign as `uploads=`.
            text += "?" + query.map { $0.value.isEmpty ? URIEncoding.encode($0.name) : "\(URIEncoding.encode($0.name))=\(URIEncoding.encode($0.value))" }
                .joined(separator: "&")
        }
        return text
    }
}
