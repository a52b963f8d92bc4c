import Foundation
@testable import S3Store
import Testing

@Suite struct S3ErrorTests {
    static func answer(_ status: Int, _ body: String, headers: [String: String] = [:]) -> HTTPAnswer {
        HTTPAnswer(status: status, headers: headers, body: Data(body.utf8))
    }

    static func serviceError(_ status: Int, code: String?) -> S3Error {
        .service(S3ServiceError(operation: "PutObject", status: status, code: code, message: nil, requestID: nil, hostID: nil))
    }

    /// moto's answer to a request signed with the wrong secret, as captured from moto 5.2.
    @Test func parsesCodeMessageIdsAndDetailsFromTheXMLBody() {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message>
            <StringToSign>AWS4-HMAC-SHA256\n20261127T111102Z</StringToSign><RequestId>4442587FB7D0A2F9</RequestId><HostId>h/Id==</HostId></Error>
            """
        let error = S3Client.serviceError(operation: "PutObject", answer: Self.answer(403, body, headers: ["x-amz-request-id": "ignored"]))
        #expect(error.status == 403)
        #expect(error.code == "SignatureDoesNotMatch")
        #expect(error.message == "The request signature we calculated does not match the signature you provided.")
        #expect(error.requestID == "4442587FB7D0A2F9")
        #expect(error.hostID == "h/Id==")
        #expect(error.details["StringToSign"]?.hasPrefix("AWS4-HMAC-SHA256") == true)
        #expect(S3Error.service(error).description
                == "PutObject failed: HTTP 403 SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. (request id 4442587FB7D0A2F9)")
    }

    /// HEAD answers have no body; a proxy may answer with HTML. The ids come from headers.
    @Test func answersWithoutS3XMLKeepStatusHeaderIdsAndSomeText() {
        let head = S3Client.serviceError(operation: "HeadObject", answer: Self.answer(404, "", headers: ["x-amzn-requestid": "moto-id"]))
        #expect(head.status == 404 && head.code == nil && head.message == nil && head.requestID == "moto-id")
        let proxy = S3Client.serviceError(operation: "PutObject", answer: Self.answer(502, "<html><body>Bad Gateway</body></html>",
                                                                                   headers: ["x-amz-request-id": "r1", "x-amz-id-2": "h2"]))
        #expect(proxy.code == nil && proxy.message == "<html><body>Bad Gateway</body></html>")
        #expect(proxy.requestID == "r1" && proxy.hostID == "h2")
    }

    @Test func xmlWithExternalEntitiesIsNotResolved() throws {
        let body = """
            <?xml version="1.0"?>
            <!DOCTYPE Error [<!ENTITY x SYSTEM "file:///etc/hostname">]>
            <Error><Code>&x;</Code></Error>
            """
        let error = S3Client.serviceError(operation: "PutObject", answer: Self.answer(400, body))
        let hostname = (try? String(contentsOfFile: "/etc/hostname", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "-"
        #expect(error.code.map { !$0.contains(hostname) } ?? true)
    }

    /// Every error is exactly one of transient, out of storage, permanent.
    @Test(arguments: [
        (500, "InternalError", "transient"), (503, "SlowDown", "transient"), (502, nil, "transient"),
        (408, nil, "transient"), (429, nil, "transient"), (400, "RequestTimeout", "transient"),
        (409, "OperationAborted", "transient"), (200, "InternalError", "transient"),
        (501, "NotImplemented", "permanent"), (403, "SignatureDoesNotMatch", "permanent"),
        (403, "AccessDenied", "permanent"), (404, "NoSuchBucket", "permanent"), (400, "BadDigest", "transient"),
        (403, "RequestTimeTooSkewed", "permanent"), (301, "PermanentRedirect", "permanent"),
        (507, nil, "storage"), (403, "QuotaExceeded", "storage"), (507, "XMinioStorageFull", "storage"),
        (500, "InsufficientCapacity", "storage"),
    ] as [(Int, String?, String)])
    func serviceErrorsAreClassified(status: Int, code: String?, expected: String) {
        let error = Self.serviceError(status, code: code)
        let classes = [error.isTransient ? "transient" : nil, error.isOutOfStorage ? "storage" : nil,
                       error.isPermanent ? "permanent" : nil].compactMap { $0 }
        #expect(classes == [expected])
    }

    @Test func transportErrorsAreTransientExceptBadURLs() {
        for code in [URLError.timedOut, .cannotConnectToHost, .networkConnectionLost, .cannotFindHost, .unknown, .cancelled] {
            #expect(S3Error.transport(operation: "PutObject", url: "u", code: code.rawValue, detail: "").isTransient)
        }
        for code in [URLError.badURL, .unsupportedURL] {
            #expect(S3Error.transport(operation: "PutObject", url: "u", code: code.rawValue, detail: "").isPermanent)
        }
        #expect(S3Error.localFile(operation: "PutObject", path: "/x", step: "open", errno: ENOENT).isPermanent)
        #expect(S3Error.localFile(operation: "PutObject", path: "/x", step: "open", errno: ENOENT).description
                == "PutObject: cannot open /x: No such file or directory (errno 2)")
        // No memory for a body now may mean memory later.
        #expect(S3Error.localFile(operation: "UploadPart", path: "/x", step: "allocate 67108864 bytes to read", errno: ENOMEM).isTransient)
    }
}

@Suite struct DamagedInTransitTests {
    @Test func aBodyDamagedOnTheWayIsSentAgain() {
        let e = S3Error.damagedInTransit(operation: "UploadPart", detail: "part 3 of k: ETag \"aa\", the MD5 of the bytes sent is bb")
        #expect(e.isTransient && !e.isPermanent && !e.isOutOfStorage)
        #expect(e.operation == "UploadPart" && e.description.contains("other bytes than were sent") && e.description.contains("part 3"))
    }
}
