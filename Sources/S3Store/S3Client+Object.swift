import Foundation

extension S3Client {
    /// PutObject from the file at `path`: one request.
    ///
    /// The file is hashed (MD5 and SHA-256, one pass) just before the request is signed, then
    /// streamed from disk; the bytes sent are checked against the SHA-256 signed as they go,
    /// and a file that changed in between aborts the request before its last byte
    /// (`.invalidRequest`, nothing stored; see `FileBody`). Memory: a read buffer, whatever the
    /// size. S3 caps a single PUT at 5 GiB, and this refuses anything larger.
    ///
    /// Sends `Content-MD5`, `x-amz-sdk-checksum-algorithm: SHA256`, `x-amz-checksum-sha256`
    /// (base64) and the lock headers from `lock`. When the server echoes a SHA-256 other than
    /// the one sent, throws `.invalidResponse`; when its ETag is an MD5 other than the body's,
    /// `.damagedInTransit`. With `expectedSHA256`, a file whose SHA-256 is
    /// not that is refused before anything is sent (`.invalidRequest`).
    public func putObject(bucket: String, key: String, fileAt path: String,
                          contentType: String = "application/octet-stream",
                          lock: ObjectLockSettings? = nil, expectedSHA256: [UInt8]? = nil) async throws(S3Error) -> PutObjectResult {
        let operation = "PutObject"
        let size = try LocalFile.size(of: path, operation: operation)
        guard size <= Self.maximumPartSize else {
            throw .invalidRequest(operation: operation, detail: "\(path) has \(size) bytes; a single PUT takes at most 5 GiB, use multipart")
        }
        let body = try FileBody(path: path, operation: operation)
        let digest = body.digest
        if let expectedSHA256, expectedSHA256 != digest.sha256 {
            throw .invalidRequest(operation: operation, detail: "\(path) has SHA-256 \(digest.sha256Hex), expected \(PayloadDigest(length: 0, md5: [], sha256: expectedSHA256).sha256Hex): the file changed; nothing was sent")
        }
        var request = Request(operation: operation, method: "PUT", bucket: bucket, key: key)
        request.headers = [("content-type", contentType)] + Self.checksumHeaders(digest) + (lock?.headers ?? [])
        request.body = .file(body)
        request.payloadSHA256 = digest.sha256Hex
        let answer = try await send(request)
        let echoed = answer.header("x-amz-checksum-sha256")
        if let echoed, echoed != digest.sha256Base64 {
            throw .invalidResponse(operation: operation, detail: "the server reports SHA-256 \(echoed) for \(key), the file sent has \(digest.sha256Base64)")
        }
        guard let eTag = answer.header("etag") else {
            throw .invalidResponse(operation: operation, detail: "no ETag header")
        }
        // Only a server that skips the Content-MD5 check (moto) can get here with a damaged
        // body; it now holds a bad version, and the caller's retry adds a good one.
        if Self.eTagIsMD5(answer), Self.unquoted(eTag) != digest.md5Hex {
            throw .damagedInTransit(operation: operation, detail: "\(key): ETag \(eTag), the MD5 of the bytes sent is \(digest.md5Hex)")
        }
        return PutObjectResult(eTag: eTag, versionID: answer.header("x-amz-version-id"),
                               checksumSHA256: echoed, sent: digest)
    }

    /// HeadObject with `x-amz-checksum-mode: ENABLED`, so that the stored SHA-256 comes back.
    /// A missing object or version throws `.service` with status 404 (`isNotFound`).
    public func headObject(bucket: String, key: String, versionID: String? = nil) async throws(S3Error) -> ObjectHead {
        let operation = "HeadObject"
        var request = Request(operation: operation, method: "HEAD", bucket: bucket, key: key)
        request.query = versionID.map { [("versionId", $0)] } ?? []
        request.headers = [("x-amz-checksum-mode", "ENABLED")]
        let answer = try await send(request)
        guard let lengthText = answer.header("content-length"), let length = Int64(lengthText) else {
            throw .invalidResponse(operation: operation, detail: "no valid Content-Length")
        }
        guard let eTag = answer.header("etag") else {
            throw .invalidResponse(operation: operation, detail: "no ETag header")
        }
        var retention: ObjectRetention?
        if let modeText = answer.header("x-amz-object-lock-mode") {
            guard let mode = ObjectLockMode(rawValue: modeText),
                  let untilText = answer.header("x-amz-object-lock-retain-until-date"),
                  let until = S3Timestamp.parseISO8601(untilText) else {
                throw .invalidResponse(operation: operation, detail: "lock mode \(modeText) without a valid retain-until date")
            }
            retention = ObjectRetention(mode: mode, retainUntil: until)
        }
        return ObjectHead(contentLength: length, eTag: eTag,
                          checksumSHA256: answer.header("x-amz-checksum-sha256"),
                          checksumType: answer.header("x-amz-checksum-type"),
                          versionID: answer.header("x-amz-version-id"),
                          retention: retention,
                          legalHold: answer.header("x-amz-object-lock-legal-hold").map { $0 == "ON" },
                          contentType: answer.header("content-type"),
                          serverSideEncryption: answer.header("x-amz-server-side-encryption"),
                          customerKeyAlgorithm: answer.header("x-amz-server-side-encryption-customer-algorithm"),
                          metadata: answer.headers.reduce(into: [:]) { metadata, header in
                              if header.key.hasPrefix("x-amz-meta-") { metadata[String(header.key.dropFirst("x-amz-meta-".count))] = header.value }
                          })
    }

    /// GetObjectRetention: the version's retention, or nil when it has none
    /// (`NoSuchObjectLockConfiguration`). moto 5.2 does not implement it: it serves
    /// `GET ?retention` as GetObject, 200 with the object's bytes, which this throws as
    /// `.invalidResponse`; read the retention from `headObject` there.
    public func objectRetention(bucket: String, key: String, versionID: String? = nil) async throws(S3Error) -> ObjectRetention? {
        let operation = "GetObjectRetention"
        var request = Request(operation: operation, method: "GET", bucket: bucket, key: key)
        request.query = [("retention", "")] + (versionID.map { [("versionId", $0)] } ?? [])
        let answer: HTTPAnswer
        do {
            answer = try await send(request)
        } catch {
            // AWS says NoSuchObjectLockConfiguration; Ceph RGW 16 says ObjectLockConfigurationNotFoundError.
            if error.code == "NoSuchObjectLockConfiguration" || error.code == "ObjectLockConfigurationNotFoundError" { return nil }
            throw error
        }
        let root = try Self.xml(answer, root: "Retention", operation: operation)
        guard let modeText = root.text(of: "Mode"), let mode = ObjectLockMode(rawValue: modeText),
              let untilText = root.text(of: "RetainUntilDate"), let until = S3Timestamp.parseISO8601(untilText) else {
            throw .invalidResponse(operation: operation, detail: "<Retention> without a valid <Mode> and <RetainUntilDate>")
        }
        return ObjectRetention(mode: mode, retainUntil: until)
    }

    /// PutObjectRetention: sets the version's retention, for servers that ignore lock headers
    /// on upload. S3 only lets a COMPLIANCE retention be extended, never shortened or
    /// removed; the server refuses (403 AccessDenied) otherwise.
    public func setObjectRetention(bucket: String, key: String, versionID: String? = nil,
                                   _ retention: ObjectRetention) async throws(S3Error) {
        let body = Data(("<Retention xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Mode>\(retention.mode.rawValue)</Mode>"
            + "<RetainUntilDate>\(S3Timestamp.iso8601(roundingUp: retention.retainUntil))</RetainUntilDate></Retention>").utf8)
        let digest = PayloadDigest(of: body)
        var request = Request(operation: "PutObjectRetention", method: "PUT", bucket: bucket, key: key)
        request.query = [("retention", "")] + (versionID.map { [("versionId", $0)] } ?? [])
        // S3 requires Content-MD5 (or a checksum) on this call.
        request.headers = [("content-type", "application/xml"), ("content-md5", digest.md5Base64)]
        request.body = .data(body)
        request.payloadSHA256 = digest.sha256Hex
        _ = try await send(request)
    }

    /// PutObjectLegalHold: turns the version's legal hold on or off.
    public func setObjectLegalHold(bucket: String, key: String, versionID: String? = nil, _ on: Bool) async throws(S3Error) {
        let body = Data(("<LegalHold xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Status>\(on ? "ON" : "OFF")</Status></LegalHold>").utf8)
        let digest = PayloadDigest(of: body)
        var request = Request(operation: "PutObjectLegalHold", method: "PUT", bucket: bucket, key: key)
        request.query = [("legal-hold", "")] + (versionID.map { [("versionId", $0)] } ?? [])
        // S3 requires Content-MD5 (or a checksum) on this call.
        request.headers = [("content-type", "application/xml"), ("content-md5", digest.md5Base64)]
        request.body = .data(body)
        request.payloadSHA256 = digest.sha256Hex
        _ = try await send(request)
    }

    /// Makes sure the version carries at least `lock`, and returns the HEAD that shows it.
    ///
    /// Servers differ in which uploads they apply lock headers to (moto 5.2 and Ceph RGW 16
    /// ignore them on CreateMultipartUpload), so after an upload: HEAD the version; set the
    /// retention when it is missing, ends earlier than asked, or is GOVERNANCE where
    /// COMPLIANCE was asked (a stronger lock already there is left alone); turn the legal
    /// hold on when asked and off; HEAD again. Throws `.invalidResponse` when the server
    /// still does not show the lock: such a copy must not be trusted to keep the evidence.
    /// Until this returns, a version uploaded without the lock applied is deletable.
    @discardableResult
    public func applyLock(_ lock: ObjectLockSettings, bucket: String, key: String, versionID: String?) async throws(S3Error) -> ObjectHead {
        func missing(_ head: ObjectHead) -> (retention: Bool, legalHold: Bool) {
            var retentionMissing = false
            if let wanted = lock.retention {
                let wantedUntil = Date(timeIntervalSince1970: wanted.retainUntil.timeIntervalSince1970.rounded(.up))
                if let have = head.retention {
                    retentionMissing = have.retainUntil < wantedUntil || (have.mode == .governance && wanted.mode == .compliance)
                } else {
                    retentionMissing = true
                }
            }
            return (retentionMissing, lock.legalHold && head.legalHold != true)
        }
        let before = try await headObject(bucket: bucket, key: key, versionID: versionID)
        let needed = missing(before)
        if !needed.retention && !needed.legalHold { return before }
        if needed.retention, let retention = lock.retention {
            try await setObjectRetention(bucket: bucket, key: key, versionID: versionID, retention)
        }
        if needed.legalHold { try await setObjectLegalHold(bucket: bucket, key: key, versionID: versionID, true) }
        let after = try await headObject(bucket: bucket, key: key, versionID: versionID)
        let still = missing(after)
        if still.retention || still.legalHold {
            throw .invalidResponse(operation: "ApplyLock", detail: "the server accepted the lock for \(key) but HEAD does not show it"
                + " (retention \(after.retention.map { "\($0.mode.rawValue) until \(S3Timestamp.iso8601(roundingUp: $0.retainUntil))" } ?? "none"),"
                + " legal hold \(after.legalHold.map { $0 ? "ON" : "OFF" } ?? "not reported"))")
        }
        return after
    }

    /// DeleteObject, of one version when `versionID` is given (otherwise a versioned bucket
    /// only gains a delete marker). A version under Object Lock retention is refused with
    /// 403 `AccessDenied`. There is deliberately no way to send
    /// `x-amz-bypass-governance-retention`.
    public func deleteObject(bucket: String, key: String, versionID: String? = nil) async throws(S3Error) -> DeletedObject {
        var request = Request(operation: "DeleteObject", method: "DELETE", bucket: bucket, key: key)
        request.query = versionID.map { [("versionId", $0)] } ?? []
        let answer = try await send(request)
        return DeletedObject(versionID: answer.header("x-amz-version-id"),
                             isDeleteMarker: answer.header("x-amz-delete-marker") == "true")
    }

    /// Whether an upload answer's ETag is the MD5 of the body: it has an MD5's shape, and no
    /// SSE-KMS or SSE-C header says the server made it otherwise.
    static func eTagIsMD5(_ answer: HTTPAnswer) -> Bool {
        guard let eTag = answer.header("etag") else { return false }
        let bare = unquoted(eTag)
        let sse = answer.header("x-amz-server-side-encryption")?.lowercased() ?? ""
        return bare.count == 32 && bare.allSatisfy(\.isHexDigit) && !sse.hasPrefix("aws:kms")
            && answer.header("x-amz-server-side-encryption-customer-algorithm") == nil
    }

    /// An ETag without its quotes, in lower case.
    static func unquoted(_ eTag: String) -> String {
        eTag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")).lowercased()
    }

    /// The checksum headers of an upload body: Content-MD5 for the servers that demand it
    /// (and verify it: AWS, Ceph), the SHA-256 for those that keep and report it (AWS, moto).
    static func checksumHeaders(_ digest: PayloadDigest) -> [(name: String, value: String)] {
        [("content-md5", digest.md5Base64),
         ("x-amz-sdk-checksum-algorithm", "SHA256"),
         ("x-amz-checksum-sha256", digest.sha256Base64)]
    }
}
