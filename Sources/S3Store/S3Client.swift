import Foundation

/// A client for an S3-compatible evidence store with Object Lock: SigV4-signed requests over
/// libcurl (`CurlHTTP`), one request per call, no retries (each `S3Error` says whether a retry can
/// help), no redirects followed.
///
/// Every request carries `x-amz-content-sha256` with the payload's hex SHA-256 (so the body
/// is covered by the signature) and signs only `host`, the `x-amz-*` headers, `content-type`
/// and `content-md5`: the HTTP client adds headers of its own (Accept, Content-Length) that
/// must stay out of the signature.
///
/// Uploads hash each body (a file, or one part of it) in one pass just before signing, then
/// stream it from the file, checking as it goes that the bytes sent are the bytes signed
/// (`FileBody`); no body is held in memory. Keys are sent as given, each `/`-separated segment percent-encoded
/// once, as AWS, Ceph and MinIO expect. moto 5.2 checks signatures against the DECODED path
/// (re-encoding only spaces), so there a key with any character outside
/// `A-Z a-z 0-9 - . _ ~ /` and space fails with `SignatureDoesNotMatch`, from boto3 alike.
///
/// Immutable after creation, so `Sendable`: share one client between tasks; requests run
/// concurrently.
public final class S3Client: Sendable {
    /// Where requests go.
    public let endpoint: S3Endpoint
    private let signer: SigV4Signer
    private let transport: HTTPTransport
    private let clock: @Sendable () -> Date

    /// - Parameters:
    ///   - endpoint: where the store is.
    ///   - credentials: what requests are signed with.
    ///   - idleTimeout: seconds without progress before a request fails (transiently).
    ///   - sendBytesPerSecond: the most bytes a second all this client's request bodies send
    ///     together (CurlHTTP's `SendRateLimit`); nil: no cap.
    ///   - clock: the time requests are signed at; S3 refuses a request dated more than 15
    ///     minutes off (`RequestTimeTooSkewed`).
    public init(endpoint: S3Endpoint, credentials: S3Credentials, idleTimeout: TimeInterval = 60,
                sendBytesPerSecond: Int64? = nil, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.endpoint = endpoint
        self.signer = SigV4Signer(credentials: credentials, region: endpoint.region, service: "s3")
        let caFile: String? = if case .caBundle(let path) = endpoint.trust { path } else { nil }
        self.transport = HTTPTransport(idleTimeout: idleTimeout, caFile: caFile, sendBytesPerSecond: sendBytesPerSecond)
        self.clock = clock
    }

    // MARK: Sending

    /// One S3 request before signing.
    struct Request {
        var operation: String
        var method: String
        var bucket: String?
        var key: String?
        var query: [(name: String, value: String)] = []
        /// Headers to send AND sign: only `x-amz-*`, `content-type`, `content-md5`.
        var headers: [(name: String, value: String)] = []
        var body: HTTPBody = .none
        /// Hex SHA-256 of the body.
        var payloadSHA256: String = SigV4Request.emptyPayloadSHA256
    }

    /// Signs and sends `request`. Returns the answer when its status is 2xx; throws
    /// `.service` for any other status, with the error body's code and message.
    func send(_ request: Request) async throws(S3Error) -> HTTPAnswer {
        let operation = request.operation
        if let bucket = request.bucket { try Self.validateBucketName(bucket, operation: operation) }
        if let key = request.key { try Self.validateKey(key, operation: operation) }
        let url = endpoint.url(bucket: request.bucket, key: request.key, query: request.query)
        let headers = request.headers + [("host", endpoint.authority(bucket: request.bucket)),
                                         ("x-amz-content-sha256", request.payloadSHA256)]
        let signature = signer.sign(SigV4Request(method: request.method,
                                                 path: endpoint.path(bucket: request.bucket, key: request.key),
                                                 query: request.query, headers: headers,
                                                 payloadSHA256: request.payloadSHA256),
                                    at: clock())
        // Host is left to libcurl, which derives the same value from the URL.
        let sent = headers.filter { $0.name != "host" } + signature.addedHeaders.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
            + [(name: "Authorization", value: signature.authorization)]
        let answer = try await transport.send(method: request.method, url: url, headers: sent, body: request.body, operation: operation)
        guard (200..<300).contains(answer.status) else {
            throw .service(Self.serviceError(operation: operation, answer: answer))
        }
        return answer
    }

    /// The error an answer carries: code, message and ids from its `<Error>` body, the ids
    /// from headers when the body has none (HEAD answers never have a body).
    static func serviceError(operation: String, answer: HTTPAnswer, root: XMLTree? = nil) -> S3ServiceError {
        let tree = root ?? XMLTree.parse(answer.body)
        let headerRequestID = answer.header("x-amz-request-id") ?? answer.header("x-amzn-requestid")
        // Where a redirect points, and the bucket's real region: what an operator needs to
        // correct the endpoint (a HEAD answer has no body, so these headers may be all there is).
        var details = [String: String]()
        if let location = answer.header("location") { details["Location"] = location }
        if let region = answer.header("x-amz-bucket-region") { details["BucketRegion"] = region }
        guard let error = tree, error.name == "Error" else {
            // Not S3 XML (a proxy's HTML page, an empty HEAD answer): keep a little of it.
            let text = String(decoding: answer.body.prefix(300), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            return S3ServiceError(operation: operation, status: answer.status, code: nil,
                                  message: text.isEmpty ? nil : text, requestID: headerRequestID,
                                  hostID: answer.header("x-amz-id-2"), details: details)
        }
        for child in error.children where child.children.isEmpty
            && !["Code", "Message", "RequestId", "HostId"].contains(child.name) {
            details[child.name] = child.text
        }
        return S3ServiceError(operation: operation, status: answer.status, code: error.text(of: "Code"),
                              message: error.text(of: "Message"),
                              requestID: error.text(of: "RequestId") ?? headerRequestID,
                              hostID: error.text(of: "HostId") ?? answer.header("x-amz-id-2"),
                              details: details)
    }

    /// The XML body of a successful answer, whose root must be `rootName`.
    ///
    /// A root named `…Response` instead of `…Result` is accepted too: moto 5.2 answers
    /// ListParts with `<ListPartsResponse>` and CompleteMultipartUpload with
    /// `<CompleteMultipartUploadResponse>`, with the same content.
    static func xml(_ answer: HTTPAnswer, root rootName: String, operation: String) throws(S3Error) -> XMLTree {
        guard let tree = XMLTree.parse(answer.body) else {
            throw .invalidResponse(operation: operation, detail: "the body is not well-formed XML (\(answer.body.count) bytes)")
        }
        try requireRoot(tree, rootName, operation: operation)
        return tree
    }

    /// Throws unless `tree` is named `rootName` (or moto's `…Response` for a `…Result`).
    static func requireRoot(_ tree: XMLTree, _ rootName: String, operation: String) throws(S3Error) {
        let motoName = rootName.hasSuffix("Result") ? String(rootName.dropLast("Result".count)) + "Response" : rootName
        guard tree.name == rootName || tree.name == motoName else {
            throw .invalidResponse(operation: operation, detail: "expected <\(rootName)>, got <\(tree.name)>")
        }
    }

    // MARK: Validation

    /// S3's bucket naming rules: 3–63 characters of lower-case letters, digits, `.` and `-`,
    /// starting and ending with a letter or digit. Checked before sending because a bucket
    /// name becomes part of the host name or path.
    static func validateBucketName(_ bucket: String, operation: String) throws(S3Error) {
        let bytes = Array(bucket.utf8)
        let allowed = bytes.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
        let edgesOK = bytes.first.map { $0 != UInt8(ascii: ".") && $0 != UInt8(ascii: "-") } ?? false
            && bytes.last.map { $0 != UInt8(ascii: ".") && $0 != UInt8(ascii: "-") } ?? false
        guard (3...63).contains(bytes.count), allowed, edgesOK else {
            throw .invalidRequest(operation: operation, detail: "\"\(bucket)\" is not a valid bucket name (3–63 of a-z 0-9 . -)")
        }
    }

    /// A key must be 1…1024 bytes of UTF-8 (S3's limit).
    static func validateKey(_ key: String, operation: String) throws(S3Error) {
        guard (1...1024).contains(key.utf8.count) else {
            throw .invalidRequest(operation: operation, detail: "an object key must be 1 to 1024 bytes, this one is \(key.utf8.count)")
        }
    }
}
