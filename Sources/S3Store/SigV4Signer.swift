import Foundation
import GatewayCrypto

/// What SigV4 signs of an HTTP request: everything the server recomputes the signature from.
public struct SigV4Request: Sendable {
    /// The HTTP method, upper case: `GET`, `PUT`, `POST`, `HEAD`, `DELETE`.
    public var method: String
    /// The path NOT percent-encoded, e.g. `/bucket/2026/clip 01.mp4`. The signer encodes each
    /// segment once (`URIEncoding.encodePath`), which is S3's rule; other AWS services encode
    /// an already-encoded path a second time, which this signer does not do.
    public var path: String
    /// Query parameters NOT percent-encoded, in any order; a parameter without a value
    /// (`?uploads`) has the value "".
    public var query: [(name: String, value: String)]
    /// The headers to sign, `host` among them, names in any case. The signer adds
    /// `x-amz-date` (and `x-amz-security-token` for temporary credentials) itself.
    public var headers: [(name: String, value: String)]
    /// The payload's lower-case hex SHA-256, or `UNSIGNED-PAYLOAD`: the last line of the
    /// canonical request. S3 also wants it sent as `x-amz-content-sha256`; put it in `headers`
    /// for that (the signer does not, because other services do not use the header).
    public var payloadSHA256: String

    /// A request to sign; see the properties for what each argument must hold.
    public init(method: String, path: String, query: [(name: String, value: String)] = [],
                headers: [(name: String, value: String)], payloadSHA256: String) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.payloadSHA256 = payloadSHA256
    }

    /// The hex SHA-256 of an empty payload: what GET, HEAD and DELETE requests sign.
    public static let emptyPayloadSHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
}

/// The result of signing: the intermediate texts (for tests and for debugging a
/// `SignatureDoesNotMatch`, whose error body carries the server's own string to sign) and
/// the headers to send.
public struct SigV4Signature: Sendable, Hashable {
    /// The canonical request (AWS's term): method, URI, query, headers, signed header names,
    /// payload hash, separated by `\n`.
    public let canonicalRequest: String
    /// `AWS4-HMAC-SHA256`, the timestamp, the credential scope and the canonical request's hex
    /// SHA-256, separated by `\n`.
    public let stringToSign: String
    /// The lower-case hex HMAC-SHA256 of `stringToSign` under the signing key.
    public let signature: String
    /// The `;`-separated lower-case names of the signed headers, sorted.
    public let signedHeaders: String
    /// The `Authorization` header's value, `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…,
    /// Signature=…` (with ", " between the parts, as the AWS test suite writes it).
    public let authorization: String
    /// The headers the signer added and signed, which must be sent with the request:
    /// `X-Amz-Date`, and `X-Amz-Security-Token` for temporary credentials.
    public let addedHeaders: [String: String]
}

/// AWS Signature Version 4 for the `Authorization` header (AWS4-HMAC-SHA256).
///
/// Pure and deterministic: the same credentials, request and date always give the same
/// signature; nothing is read from the clock or the environment. A value, so `Sendable`.
public struct SigV4Signer: Sendable {
    /// The key requests are signed with.
    public let credentials: S3Credentials
    /// The region in the credential scope, e.g. `us-east-1`. S3-compatible servers mostly
    /// accept any region, but check the signature with the one sent.
    public let region: String
    /// The service in the credential scope: `s3` for the evidence store.
    public let service: String

    /// A signer for `service` in `region`.
    public init(credentials: S3Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Signs `request` as made at `date` (whole seconds, UTC).
    ///
    /// Canonical headers: names lower-cased, values trimmed with inner runs of spaces
    /// collapsed to one, several values of one name joined with `,` in the order given,
    /// sorted by name.
    public func sign(_ request: SigV4Request, at date: Date) -> SigV4Signature {
        let timestamp = S3Timestamp.amzDate(date)
        let day = String(timestamp.prefix(8))
        var added = ["X-Amz-Date": timestamp]
        if let token = credentials.sessionToken { added["X-Amz-Security-Token"] = token }

        var headers = [String: [String]]()
        for (name, value) in request.headers + added.sorted(by: { $0.key < $1.key }).map({ ($0.key, $0.value) }) {
            headers[name.lowercased(), default: []].append(Self.normalizedValue(value))
        }
        let names = headers.keys.sorted()
        let signedHeaders = names.joined(separator: ";")
        let canonicalHeaders = names.map { "\($0):\(headers[$0]!.joined(separator: ","))\n" }.joined()

        let canonicalRequest = [
            request.method,
            URIEncoding.encodePath(request.path),
            URIEncoding.canonicalQuery(request.query),
            canonicalHeaders,
            signedHeaders,
            request.payloadSHA256,
        ].joined(separator: "\n")

        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256",
            timestamp,
            scope,
            hexString(SHA256Hasher.hash(Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")

        let signature = hexString(hmacSHA256(key: signingKey(day: day), message: Array(stringToSign.utf8)))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return SigV4Signature(canonicalRequest: canonicalRequest, stringToSign: stringToSign,
                              signature: signature, signedHeaders: signedHeaders,
                              authorization: authorization, addedHeaders: added)
    }

    /// The signing key for `day` (`yyyyMMdd`): HMAC chained over the day, region, service and
    /// `aws4_request`, starting from `"AWS4" + secret`.
    public func signingKey(day: String) -> [UInt8] {
        var key = hmacSHA256(key: Array("AWS4\(credentials.secretAccessKey)".utf8), message: Array(day.utf8))
        for part in [region, service, "aws4_request"] {
            key = hmacSHA256(key: key, message: Array(part.utf8))
        }
        return key
    }

    /// A header value trimmed of surrounding whitespace, with each inner run of spaces made
    /// one space (SigV4's "Trimall").
    static func normalizedValue(_ value: String) -> String {
        var out = ""
        var pendingSpace = false
        for character in value.trimmingCharacters(in: .whitespaces) {
            if character == " " {
                pendingSpace = true
                continue
            }
            if pendingSpace { out.append(" ") }
            pendingSpace = false
            out.append(character)
        }
        return out
    }
}
