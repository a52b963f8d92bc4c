import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why an S3 operation failed. Every case names the operation ("PutObject", "UploadPart", …),
/// and `description` says what was wrong in words an operator can act on.
///
/// Each error is exactly one of `isTransient` (try the same request again later),
/// `isOutOfStorage` (the store is full or over quota: try again after an operator has made
/// room) and `isPermanent` (the same request will fail again: fix the configuration, the
/// credentials or the request). Nothing here retries; the caller decides.
public enum S3Error: Error, Sendable, Hashable, CustomStringConvertible {
    /// The server answered with an error: a status of 300 or more, or a 200 whose body is an
    /// `<Error>` document (CompleteMultipartUpload may do that after it has started to answer).
    case service(S3ServiceError)
    /// No usable HTTP answer: connection refused or reset, timeout, name not resolved, TLS
    /// failure, cancellation. `code` is the `URLError` code that names the kind of failure
    /// (`HTTPTransport.urlErrorCode`) and `detail` libcurl's text.
    case transport(operation: String, url: String, code: Int, detail: String)
    /// A successful status whose content breaks the API's promise: a missing header or XML
    /// element, an unparsable date, an upload id that is not the one asked about.
    case invalidResponse(operation: String, detail: String)
    /// A local file could not be used; `step` names the system call ("open", "read",
    /// "write", "mkstemp", …) and `errno` its error number.
    case localFile(operation: String, path: String, step: String, errno: Int32)
    /// Refused before anything was sent: the arguments cannot make a valid request (a part
    /// number outside 1…10000, a range outside the file, an empty key, …).
    case invalidRequest(operation: String, detail: String)
    /// The server acknowledged an upload whose bytes are not the ones sent: its answer's ETag
    /// is not the MD5 of the body (a store that does not check Content-MD5 took a body
    /// damaged on the way). Transient: sending the same bytes again can succeed.
    case damagedInTransit(operation: String, detail: String)

    /// The S3 operation that failed, e.g. "PutObject".
    public var operation: String {
        switch self {
        case .service(let e): e.operation
        case .transport(let operation, _, _, _), .invalidResponse(let operation, _),
             .localFile(let operation, _, _, _), .invalidRequest(let operation, _), .damagedInTransit(let operation, _):
            operation
        }
    }

    /// The HTTP status, when the server answered.
    public var status: Int? {
        if case .service(let e) = self { return e.status }
        return nil
    }

    /// The S3 error code from the XML body (`SignatureDoesNotMatch`, `NoSuchKey`, …); nil when
    /// there was no answer or no body (HEAD answers never have one).
    public var code: String? {
        if case .service(let e) = self { return e.code }
        return nil
    }

    /// The server's message from the XML body.
    public var message: String? {
        if case .service(let e) = self { return e.message }
        return nil
    }

    /// The request id, from the body or the `x-amz-request-id` header: what the store's
    /// operator needs to find the request in their logs.
    public var requestID: String? {
        if case .service(let e) = self { return e.requestID }
        return nil
    }

    /// Worth sending the same request again later: a 5xx other than 501 and 507, 408, 429,
    /// S3's `RequestTimeout` (a 400 for an idle upload socket), `OperationAborted` (409, a
    /// conflicting operation in progress), `SlowDown`, a body damaged in transit (the
    /// server's `BadDigest`, or `damagedInTransit`), and every transport failure except a
    /// malformed or unsupported URL.
    ///
    /// Cancellation is transient: nothing was wrong with the request. A TLS failure
    /// (untrusted or expired certificate, handshake error; URLError.secureConnectionFailed) is
    /// transient too, as a store may be mid-way through renewing its certificate; its
    /// `description` carries libcurl's words.
    public var isTransient: Bool {
        switch self {
        case .service(let e):
            if e.isOutOfStorage { return false }
            if Self.transientCodes.contains(e.code ?? "") { return true }
            return (e.status >= 500 && e.status != 501) || e.status == 408 || e.status == 429
        case .transport(_, _, let code, _):
            return code != URLError.badURL.rawValue && code != URLError.unsupportedURL.rawValue
        case .damagedInTransit:
            return true
        case .localFile(_, _, _, let code):
            // Memory for a body may be had later; any other local failure needs a person.
            return code == ENOMEM
        case .invalidResponse, .invalidRequest:
            return false
        }
    }

    /// The store refused for lack of room: HTTP 507, or the codes S3-compatible servers use
    /// for a full cluster or an exhausted quota (`QuotaExceeded` and `InsufficientCapacity`
    /// from Ceph RGW, `XMinioStorageFull` and `XMinioAdminBucketQuotaExceeded` from MinIO,
    /// `InsufficientStorage`). AWS itself never runs out.
    public var isOutOfStorage: Bool {
        if case .service(let e) = self { return e.isOutOfStorage }
        return false
    }

    /// Neither transient nor out of storage: the same request will fail the same way. Every
    /// 4xx not listed under `isTransient` (bad credentials, `SignatureDoesNotMatch`,
    /// `AccessDenied` for a locked object version, `NoSuchBucket`, a clock too far off),
    /// 501 (the server lacks the feature), a 3xx redirect (the endpoint or region is wrong;
    /// redirects are never followed, as they would carry a signature to another host), and
    /// every local, request or response-format error.
    public var isPermanent: Bool { !isTransient && !isOutOfStorage }

    /// The server said 404: no such bucket, key, version or upload (HEAD answers carry no
    /// code, so this looks at the status only).
    public var isNotFound: Bool { status == 404 }

    /// Codes that mean "try again" whatever the status: `RequestTimeout` and
    /// `OperationAborted` come as 400 and 409, and `InternalError` or `SlowDown` may arrive
    /// in the body of a 200 from CompleteMultipartUpload, which AWS says to retry.
    /// Also the codes of a body damaged on the way (the store checked it against the digests
    /// sent): the same request sent again carries the file's true bytes.
    static let transientCodes: Set<String> = ["RequestTimeout", "OperationAborted", "SlowDown", "InternalError", "ServiceUnavailable",
                                              "BadDigest", "XAmzContentSHA256Mismatch", "IncompleteBody", "InvalidDigest"]

    /// What a transport failure was, in words a technician acts on; the code stays in the
    /// value for programs (`isTransient`).
    static func transportWords(_ code: Int) -> String {
        switch URLError.Code(rawValue: code) {
        case .secureConnectionFailed: "TLS failed (is s3-ca-bundle the CA that signed the store's certificate, and is that certificate for this host name?)"
        case .cannotFindHost: "the host name does not resolve"
        case .cannotConnectToHost: "no connection (nothing accepts it at that address and port)"
        case .timedOut: "no answer within the timeout"
        case .networkConnectionLost: "the connection broke"
        case .cancelled: "cancelled"
        case .badURL: "the URL is not valid"
        case .unsupportedURL: "the URL's scheme is not http or https"
        case .dataLengthExceedsMaximum: "the answer is larger than the client accepts"
        default: "no usable answer from the server"
        }
    }

    public var description: String {
        switch self {
        case .service(let e):
            return e.description
        case .transport(let operation, let url, let code, let detail):
            return "\(operation) \(url): \(Self.transportWords(code)): \(detail)"
        case .invalidResponse(let operation, let detail):
            return "\(operation): the server's answer is not valid S3: \(detail)"
        case .localFile(let operation, let path, let step, let code):
            return "\(operation): cannot \(step) \(path): \(String(cString: strerror(code))) (errno \(code))"
        case .invalidRequest(let operation, let detail):
            return "\(operation): refused before sending: \(detail)"
        case .damagedInTransit(let operation, let detail):
            return "\(operation): the store received other bytes than were sent: \(detail)"
        }
    }
}

/// An error answer from the server, with what its XML body said.
public struct S3ServiceError: Sendable, Hashable, CustomStringConvertible {
    /// The S3 operation, e.g. "PutObject".
    public let operation: String
    /// The HTTP status.
    public let status: Int
    /// `<Code>`, e.g. `SignatureDoesNotMatch`; nil when the answer had no XML body.
    public let code: String?
    /// `<Message>`.
    public let message: String?
    /// `<RequestId>`, else the `x-amz-request-id` (AWS, Ceph, MinIO) or `x-amzn-requestid`
    /// (moto) header.
    public let requestID: String?
    /// `<HostId>`, else the `x-amz-id-2` header: AWS's second request identifier.
    public let hostID: String?
    /// The other simple elements of the `<Error>` body, e.g. `BucketName`, `Key`, `Endpoint`,
    /// `Region`, and for `SignatureDoesNotMatch` the server's `StringToSign` and
    /// `CanonicalRequest`, which show what it signed differently; plus `Location` and
    /// `BucketRegion` from the `Location` and `x-amz-bucket-region` headers when present.
    public let details: [String: String]

    /// An error answer as given; the client builds these from the HTTP answer.
    public init(operation: String, status: Int, code: String?, message: String?, requestID: String?,
                hostID: String?, details: [String: String] = [:]) {
        self.operation = operation
        self.status = status
        self.code = code
        self.message = message
        self.requestID = requestID
        self.hostID = hostID
        self.details = details
    }

    static let outOfStorageCodes: Set<String> = [
        "QuotaExceeded", "InsufficientCapacity", "InsufficientStorage", "XMinioStorageFull",
        "XMinioAdminBucketQuotaExceeded",
    ]

    var isOutOfStorage: Bool { status == 507 || Self.outOfStorageCodes.contains(code ?? "") }

    public var description: String {
        var text = "\(operation) failed: HTTP \(status)"
        if let code { text += " \(code)" }
        if let message, !message.isEmpty { text += ": \(message)" }
        if let requestID { text += " (request id \(requestID))" }
        return text
    }
}
