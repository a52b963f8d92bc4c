import Foundation
import S3Store
import Testing

/// Vectors from the AWS Signature Version 4 test suite (aws-sig-v4-test-suite, 2015 edition):
/// service "service", region us-east-1, the suite's example key, 20150830T123600Z. Each
/// case's canonical request (.creq), string to sign (.sts) and Authorization header (.authz)
/// are checked, so a mismatch shows which step went wrong.
@Suite struct SigV4SuiteTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        var name: String
        var method: String
        var path: String
        var query: [(name: String, value: String)] = []
        var headers: [(name: String, value: String)] = [("Host", "example.amazonaws.com")]
        var body: String = ""
        var canonicalRequest: String
        var stringToSign: String
        var authorization: String
        var testDescription: String { name }
    }

    static let signer = SigV4Signer(
        credentials: S3Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1", service: "service")
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z
    static let scope = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    static let vectors: [Vector] = [
        Vector(name: "get-vanilla", method: "GET", path: "/",
               canonicalRequest: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(emptyHash)",
               stringToSign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
               authorization: "AWS4-HMAC-SHA256 Credential=\(scope), SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        // GET /?Param1=value2&Param1=Value1: equal names sort by value, byte order ("V" < "v").
        Vector(name: "get-vanilla-query-order-key", method: "GET", path: "/",
               query: [("Param1", "value2"), ("Param1", "Value1")],
               canonicalRequest: "GET\n/\nParam1=Value1&Param1=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(emptyHash)",
               stringToSign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n704b4cef673542d84cdff252633f065e8daeba5f168b77116f8b1bcaf3d38f89",
               authorization: "AWS4-HMAC-SHA256 Credential=\(scope), SignedHeaders=host;x-amz-date, Signature=eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"),
        // GET /?Param1=value2&Param1=value1
        Vector(name: "get-vanilla-query-order-value", method: "GET", path: "/",
               query: [("Param1", "value2"), ("Param1", "value1")],
               canonicalRequest: "GET\n/\nParam1=value1&Param1=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(emptyHash)",
               stringToSign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nc968629d70850097a2d8781c9bf7edcb988b04cac14cca9be4acc3595f884606",
               authorization: "AWS4-HMAC-SHA256 Credential=\(scope), SignedHeaders=host;x-amz-date, Signature=5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"),
        // GET /?Param1=value1 (the suite's name notwithstanding, the key has a value).
        Vector(name: "get-vanilla-empty-query-key", method: "GET", path: "/",
               query: [("Param1", "value1")],
               canonicalRequest: "GET\n/\nParam1=value1\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(emptyHash)",
               stringToSign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n1e24db194ed7d0eec2de28d7369675a243488e08526e8c1c73571282f7c517ab",
               authorization: "AWS4-HMAC-SHA256 Credential=\(scope), SignedHeaders=host;x-amz-date, Signature=a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
        // GET /ሴ (U+1234): the path's UTF-8 percent-encoded.
        Vector(name: "get-utf8", method: "GET", path: "/\u{1234}",
               canonicalRequest: "GET\n/%E1%88%B4\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(emptyHash)",
               stringToSign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n2a0a97d02205e45ce2e994789806b19270cfbbb0921b278ccf58f5249ac42102",
               authorization: "AWS4-HMAC-SHA256 Credential=\(scope), SignedHeaders=host;x-amz-date, Signature=8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        Vector(name: "post-vanilla", method: "POST", path: "/",
               canonicalRequest: "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(emptyHash)",
               stringToSign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87",
               authorization: "AWS4-HMAC-SHA256 Credential=\(scope), SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        Vector(name: "post-x-www-form-urlencoded", method: "POST", path: "/",
               headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Host", "example.amazonaws.com")],
               body: "Param1=value1",
               canonicalRequest: "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
               stringToSign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281",
               authorization: "AWS4-HMAC-SHA256 Credential=\(scope), SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
    ]

    @Test(arguments: vectors)
    func suiteVector(_ v: Vector) {
        let request = SigV4Request(method: v.method, path: v.path, query: v.query, headers: v.headers,
                                   payloadSHA256: PayloadDigest(of: Array(v.body.utf8)).sha256Hex)
        let signed = Self.signer.sign(request, at: Self.date)
        #expect(signed.canonicalRequest == v.canonicalRequest)
        #expect(signed.stringToSign == v.stringToSign)
        #expect(signed.authorization == v.authorization)
        #expect(signed.addedHeaders == ["X-Amz-Date": "20150830T123600Z"])
    }

    @Test func signingIsDeterministicAndDependsOnTheSecond() {
        let request = SigV4Request(method: "GET", path: "/", headers: [("Host", "example.amazonaws.com")],
                                   payloadSHA256: Self.emptyHash)
        let a = Self.signer.sign(request, at: Self.date)
        #expect(Self.signer.sign(request, at: Self.date) == a)
        // A fraction of a second does not change the timestamp; the next second does.
        #expect(Self.signer.sign(request, at: Self.date.addingTimeInterval(0.9)) == a)
        #expect(Self.signer.sign(request, at: Self.date.addingTimeInterval(1)).signature != a.signature)
    }

    @Test func sessionTokenIsSentAndSigned() {
        let signer = SigV4Signer(
            credentials: S3Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                       sessionToken: "token/with+chars="),
            region: "us-east-1", service: "service")
        let signed = signer.sign(SigV4Request(method: "GET", path: "/", headers: [("Host", "example.amazonaws.com")],
                                              payloadSHA256: Self.emptyHash), at: Self.date)
        #expect(signed.addedHeaders["X-Amz-Security-Token"] == "token/with+chars=")
        #expect(signed.signedHeaders == "host;x-amz-date;x-amz-security-token")
        #expect(signed.canonicalRequest.contains("\nx-amz-security-token:token/with+chars=\n"))
    }

    @Test func headerValuesAreTrimmedAndSpacesCollapsed() {
        let signed = Self.signer.sign(SigV4Request(method: "GET", path: "/",
                                                   headers: [("Host", "example.amazonaws.com"), ("My-Header1", "  a   b  c ")],
                                                   payloadSHA256: Self.emptyHash), at: Self.date)
        #expect(signed.canonicalRequest.contains("\nmy-header1:a b c\n"))
    }

    @Test func credentialsNeverShowTheSecret() {
        let credentials = S3Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "very-secret", sessionToken: "tok-secret")
        var dumped = ""
        dump(credentials, to: &dumped)
        for text in ["\(credentials)", String(describing: credentials), dumped] {
            #expect(text.contains("AKIDEXAMPLE"))
            #expect(!text.contains("very-secret") && !text.contains("tok-secret"))
        }
        #expect(S3Credentials(accessKeyID: "a", secretAccessKey: "b", sessionToken: "").sessionToken == nil)
    }
}
