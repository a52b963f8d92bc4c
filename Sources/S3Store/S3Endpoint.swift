import Foundation

/// Why an endpoint or client configuration was refused. Every case names the offending value.
public enum S3ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The endpoint URL cannot be used; `reason` says why.
    case invalidEndpoint(url: String, reason: String)
    /// The CA bundle file cannot be read.
    case caBundleUnreadable(path: String, detail: String)
    /// The CA bundle holds no `-----BEGIN CERTIFICATE-----` block.
    case caBundleHasNoCertificates(path: String)
    /// `missing` of the bundle's certificates are not in the system trust store that
    /// URLSession on Linux uses (`systemBundle`, or none found). See `S3Endpoint.TrustRoots`.
    case caBundleNotInSystemTrustStore(path: String, missing: Int, systemBundle: String?)

    public var description: String {
        switch self {
        case .invalidEndpoint(let url, let reason):
            "S3 endpoint \(url) cannot be used: \(reason)"
        case .caBundleUnreadable(let path, let detail):
            "cannot read CA bundle \(path): \(detail)"
        case .caBundleHasNoCertificates(let path):
            "CA bundle \(path) holds no PEM certificate"
        case .caBundleNotInSystemTrustStore(let path, let missing, let systemBundle):
            "\(missing) certificate(s) of CA bundle \(path) are not in the system trust store "
                + "(\(systemBundle ?? "none found")); URLSession on Linux trusts only that store: "
                + "copy the CA to /usr/local/share/ca-certificates/<name>.crt and run update-ca-certificates"
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
    ///
    /// What URLSession on Linux supports: FoundationNetworking drives libcurl, which checks
    /// the server against ONE system CA file (Debian: /etc/ssl/certs/ca-certificates.crt).
    /// There is no per-session CA setting: no SecTrust, no server-trust challenge delegate,
    /// and `URLSessionCertificateAuthorityInfoFile` is read on Android only; libcurl (unlike
    /// the curl tool) ignores `CURL_CA_BUNDLE`, and `SSL_CERT_FILE` is not consulted once
    /// libcurl names its file. A private CA must therefore be installed system-wide
    /// (`/usr/local/share/ca-certificates/` + `update-ca-certificates`).
    public enum TrustRoots: Sendable, Hashable {
        /// The system store.
        case system
        /// The system store, after checking, when the endpoint is made, that every
        /// certificate in this PEM bundle is already in it: a private CA that was configured
        /// but not installed is reported at start-up, naming the file, instead of failing
        /// every upload with a TLS error.
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
    /// Which CAs HTTPS trusts (always the system store on Linux; see `TrustRoots`).
    public let trust: TrustRoots

    /// An endpoint from a URL such as `https://s3.evidence.example:9000`.
    ///
    /// Refused: a scheme other than http/https, no host, user info, a path other than `/`,
    /// a query or fragment, an empty region, virtual-host addressing with an IP address, and a
    /// CA bundle that is unreadable, holds no certificate or is not in the system store (see
    /// `TrustRoots`). A CA bundle with an `http` URL is refused too: it would protect nothing.
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
            try SystemTrustStore.requireTrusted(bundlePath: caBundlePath)
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
    func url(bucket: String?, key: String?, query: [(name: String, value: String)]) -> URL? {
        var text = "\(scheme)://\(authority(bucket: bucket))\(URIEncoding.encodePath(path(bucket: bucket, key: key)))"
        if !query.isEmpty {
            // `?uploads`, not `?uploads=`: what the AWS SDKs send; both sign as `uploads=`.
            text += "?" + query.map { $0.value.isEmpty ? URIEncoding.encode($0.name) : "\(URIEncoding.encode($0.name))=\(URIEncoding.encode($0.value))" }
                .joined(separator: "&")
        }
        return URL(string: text)
    }
}
