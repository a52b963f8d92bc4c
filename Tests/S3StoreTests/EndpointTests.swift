import Foundation
@testable import S3Store
import TestSupport
import Testing

@Suite struct EndpointTests {
    @Test func pathStyleURLsAndHostHeader() throws {
        let endpoint = try S3Endpoint(url: "http://127.0.0.1:9000", region: "us-east-1")
        #expect(endpoint.authority(bucket: "evidence") == "127.0.0.1:9000")
        #expect(endpoint.path(bucket: "evidence", key: "2026/bag 1/clip é.mp4") == "/evidence/2026/bag 1/clip é.mp4")
        #expect(endpoint.url(bucket: "evidence", key: "2026/bag 1/clip é.mp4", query: [("versionId", "v/1"), ("uploads", "")])
                == "http://127.0.0.1:9000/evidence/2026/bag%201/clip%20%C3%A9.mp4?versionId=v%2F1&uploads")
        #expect(endpoint.url(bucket: "evidence", key: nil, query: []) == "http://127.0.0.1:9000/evidence")
    }

    @Test func virtualHostURLsPutTheBucketInTheHost() throws {
        let endpoint = try S3Endpoint(url: "https://s3.example.org", region: "eu-west-1", addressing: .virtualHost)
        #expect(endpoint.port == nil)
        #expect(endpoint.authority(bucket: "evidence") == "evidence.s3.example.org")
        #expect(endpoint.url(bucket: "evidence", key: "a+b", query: []) == "https://evidence.s3.example.org/a%2Bb")
        #expect(endpoint.url(bucket: "evidence", key: nil, query: [("object-lock", "")])
                == "https://evidence.s3.example.org/?object-lock")
    }

    /// The default port is left out of the Host header and the signature, as libcurl leaves it out.
    @Test func defaultPortsAreDropped() throws {
        #expect(try S3Endpoint(url: "https://s3.example.org:443", region: "r").port == nil)
        #expect(try S3Endpoint(url: "http://s3.example.org:80/", region: "r").port == nil)
        #expect(try S3Endpoint(url: "http://s3.example.org:443", region: "r").port == 443)
        #expect(try S3Endpoint(url: "http://[::1]:9000", region: "r").authority(bucket: "b") == "[::1]:9000")
    }

    @Test(arguments: [
        ("ftp://s3.example.org", "the scheme must be http or https, not ftp"),
        ("http://", "no host"),
        ("https://user:pw@s3.example.org", "credentials do not belong in the URL"),
        ("https://s3.example.org/prefix", "a path prefix (/prefix) is not supported"),
        ("https://s3.example.org/?x=1", "no query or fragment allowed"),
    ])
    func badEndpointsAreRefusedWithAReason(url: String, reason: String) {
        #expect(throws: S3ConfigurationError.invalidEndpoint(url: url, reason: reason)) {
            try S3Endpoint(url: url, region: "us-east-1")
        }
    }

    @Test func virtualHostNeedsAHostName() {
        #expect(throws: S3ConfigurationError.invalidEndpoint(url: "http://10.0.0.5:9000",
                                                             reason: "virtual-host addressing needs a host name, not an IP address")) {
            try S3Endpoint(url: "http://10.0.0.5:9000", region: "r", addressing: .virtualHost)
        }
    }

    @Test func bucketNamesAndKeysAreCheckedBeforeSending() {
        for bucket in ["evidence", "a.b-c", "abc", String(repeating: "a", count: 63)] {
            #expect(throws: Never.self) { try S3Client.validateBucketName(bucket, operation: "X") }
        }
        for bucket in ["ab", "Evidence", "-abc", "abc.", "a_b", "a/b", String(repeating: "a", count: 64), ""] {
            #expect(throws: S3Error.self) { try S3Client.validateBucketName(bucket, operation: "X") }
        }
        #expect(throws: S3Error.self) { try S3Client.validateKey("", operation: "X") }
        #expect(throws: S3Error.self) { try S3Client.validateKey(String(repeating: "k", count: 1025), operation: "X") }
    }
}

/// The CA bundle check: a configured bundle must be readable and hold a certificate.
@Suite struct CABundleTests {
    /// A self-signed CA made for these tests (`openssl req -x509`), in no trust store.
    static let privateCA = """
        -----BEGIN CERTIFICATE-----
        MIIBijCCAS+gAwIBAgIUZ8Ewk9IAvvxZRG6h7zj5Jb9pXYEwCgYIKoZIzj0EAwIw
        GjEYMBYGA1UEAwwPczNzdG9yZS10ZXN0LWNhMB4XDTI2MTEyNzExMjAzNVoXDTM2
        MTEyNDExMjAzNVowGjEYMBYGA1UEAwwPczNzdG9yZS10ZXN0LWNhMFkwEwYHKoZI
        zj0CAQYIKoZIzj0DAQcDQgAEbdFm6hFWvJjVHBuwS9KT4M0Xv8SBXfxwJhvjwcIK
        kIqvkoSBlIAwsk7+PJQbzaRPn4WFO39HlDx4BdQoZtlWfqNTMFEwHQYDVR0OBBYE
        FAbl8Q1bJKS7xwVsUsc5lbCaL4WDMB8GA1UdIwQYMBaAFAbl8Q1bJKS7xwVsUsc5
        lbCaL4WDMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIhAOk2pbAc
        wtKanpAAlxnnQ/uLWMk6gGhnlt5PBvx8ckEsAiEAownfPzEocm8TIf8fIXDc5D4e
        9drsdgLaRHr0QWzT6f0=
        -----END CERTIFICATE-----
        """

    @Test func certificatesAreComparedAsDER() {
        let wrapped = Self.privateCA.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(CABundle.certificates(in: Self.privateCA).count == 1)
        #expect(CABundle.certificates(in: "comment\n" + wrapped + "\n") == CABundle.certificates(in: Self.privateCA))
    }

    @Test func aBundleWithACertificateIsAcceptedAndOthersAreRefused() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("ca.pem").path
            try Self.privateCA.write(toFile: path, atomically: true, encoding: .utf8)
            let endpoint = try S3Endpoint(url: "https://s3.example.org", region: "r", caBundlePath: path)
            #expect(endpoint.trust == .caBundle(path: path))
            try "no certificate here".write(toFile: path, atomically: true, encoding: .utf8)
            #expect(throws: S3ConfigurationError.caBundleHasNoCertificates(path: path)) {
                try S3Endpoint(url: "https://s3.example.org", region: "r", caBundlePath: path)
            }
            #expect(throws: S3ConfigurationError.invalidEndpoint(url: "http://s3.example.org", reason: "a CA bundle is given but the scheme is http")) {
                try S3Endpoint(url: "http://s3.example.org", region: "r", caBundlePath: path)
            }
            let missing = directory.appendingPathComponent("missing.pem").path
            let error = #expect(throws: S3ConfigurationError.self) {
                try S3Endpoint(url: "https://s3.example.org", region: "r", caBundlePath: missing)
            }
            guard case .caBundleUnreadable(let named, _)? = error else {
                Issue.record("expected caBundleUnreadable, got \(String(describing: error))")
                return
            }
            #expect(named == missing)
        }
    }
}
