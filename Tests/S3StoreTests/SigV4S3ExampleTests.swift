import Foundation
import S3Store
import Testing

/// The worked examples of AWS's S3 documentation ("Signature calculations for the
/// Authorization header: transferring payload in a single chunk"): key AKIAIOSFODNN7EXAMPLE,
/// bucket examplebucket, region us-east-1, 20130524T000000Z, with the published canonical
/// requests, strings to sign and signatures. The document writes the Authorization header
/// with "," and no space between its parts; this signer writes ", " as the SigV4 test suite
/// does, and servers accept both, so the header is compared in this signer's form.
@Suite struct SigV4S3ExampleTests {
    static let signer = SigV4Signer(
        credentials: S3Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1")
    static let date = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z
    static let emptyHash = SigV4Request.emptyPayloadSHA256
    static let host = "examplebucket.s3.amazonaws.com"

    static func authorization(_ signedHeaders: String, _ signature: String) -> String {
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    @Test func getObjectWithRange() {
        let request = SigV4Request(method: "GET", path: "/test.txt",
                                   headers: [("Host", Self.host), ("Range", "bytes=0-9"), ("x-amz-content-sha256", Self.emptyHash)],
                                   payloadSHA256: Self.emptyHash)
        let signed = Self.signer.sign(request, at: Self.date)
        #expect(signed.canonicalRequest == """
            GET
            /test.txt

            host:examplebucket.s3.amazonaws.com
            range:bytes=0-9
            x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            x-amz-date:20130524T000000Z

            host;range;x-amz-content-sha256;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(signed.stringToSign == """
            AWS4-HMAC-SHA256
            20130524T000000Z
            20130524/us-east-1/s3/aws4_request
            7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
            """)
        #expect(signed.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(signed.authorization == Self.authorization("host;range;x-amz-content-sha256;x-amz-date", signed.signature))
    }

    /// PUT of "Welcome to Amazon S3." to key `test$file.text`: `$` is percent-encoded in the
    /// canonical URI, and the body's SHA-256 is both a signed header and the last line.
    @Test func putObjectWithContentSHA256() {
        let body = Array("Welcome to Amazon S3.".utf8)
        let payload = PayloadDigest(of: body).sha256Hex
        #expect(payload == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let request = SigV4Request(method: "PUT", path: "/test$file.text",
                                   headers: [("Host", Self.host), ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
                                             ("x-amz-storage-class", "REDUCED_REDUNDANCY"), ("x-amz-content-sha256", payload)],
                                   payloadSHA256: payload)
        let signed = Self.signer.sign(request, at: Self.date)
        #expect(signed.canonicalRequest == """
            PUT
            /test%24file.text

            date:Fri, 24 May 2013 00:00:00 GMT
            host:examplebucket.s3.amazonaws.com
            x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072
            x-amz-date:20130524T000000Z
            x-amz-storage-class:REDUCED_REDUNDANCY

            date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class
            44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072
            """)
        #expect(signed.stringToSign.hasSuffix("\n9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d"))
        #expect(signed.signature == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
        #expect(signed.authorization == Self.authorization("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class", signed.signature))
    }

    /// GET ?lifecycle: a parameter without a value signs as `lifecycle=`.
    @Test func getBucketLifecycle() {
        let request = SigV4Request(method: "GET", path: "/", query: [("lifecycle", "")],
                                   headers: [("Host", Self.host), ("x-amz-content-sha256", Self.emptyHash)],
                                   payloadSHA256: Self.emptyHash)
        let signed = Self.signer.sign(request, at: Self.date)
        #expect(signed.canonicalRequest.hasPrefix("GET\n/\nlifecycle=\nhost:"))
        #expect(signed.stringToSign.hasSuffix("\n9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca"))
        #expect(signed.signature == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    /// GET ?max-keys=2&prefix=J, the parameters given out of order.
    @Test func listObjects() {
        let request = SigV4Request(method: "GET", path: "/", query: [("prefix", "J"), ("max-keys", "2")],
                                   headers: [("Host", Self.host), ("x-amz-content-sha256", Self.emptyHash)],
                                   payloadSHA256: Self.emptyHash)
        let signed = Self.signer.sign(request, at: Self.date)
        #expect(signed.canonicalRequest.hasPrefix("GET\n/\nmax-keys=2&prefix=J\nhost:"))
        #expect(signed.stringToSign.hasSuffix("\ndf57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7"))
        #expect(signed.signature == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    /// The signing key is the HMAC chain over day, region, service and "aws4_request"; the
    /// value is the one AWS's SigV4 documentation derives for the suite's example key.
    @Test func signingKeyDerivation() {
        let signer = SigV4Signer(credentials: S3Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                                 region: "us-east-1", service: "iam")
        #expect(signer.signingKey(day: "20150830").map { String(format: "%02x", $0) }.joined()
                == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")
    }
}
