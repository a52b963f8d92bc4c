import Foundation

extension S3Client {
    /// The smallest part S3 accepts, 5 MiB (the last part of an upload may be smaller).
    public static let minimumPartSize: Int64 = 5 << 20
    /// The largest part S3 accepts, 5 GiB.
    public static let maximumPartSize: Int64 = 5 << 30
    /// The most parts one upload may have.
    public static let maximumPartCount = 10_000

    /// CreateMultipartUpload, announcing SHA-256 part checksums (`x-amz-checksum-algorithm`)
    /// and carrying the lock headers from `lock` and `metadata` as `x-amz-meta-NAME` (names of
    /// a-z 0-9 and `-`, printable ASCII values; the object keeps them). Returns the upload id.
    public func createMultipartUpload(bucket: String, key: String, contentType: String = "application/octet-stream",
                                      lock: ObjectLockSettings? = nil, metadata: [String: String] = [:]) async throws(S3Error) -> String {
        let operation = "CreateMultipartUpload"
        for (name, value) in metadata {
            guard !name.isEmpty, name.utf8.allSatisfy({ (97...122).contains($0) || (48...57).contains($0) || $0 == 45 }),
                  value.utf8.allSatisfy({ (32...126).contains($0) }) else {
                throw .invalidRequest(operation: operation, detail: "metadata \(name)=\(value): names are a-z 0-9 -, values printable ASCII")
            }
        }
        var request = Request(operation: operation, method: "POST", bucket: bucket, key: key, query: [("uploads", "")])
        request.headers = [("content-type", contentType), ("x-amz-checksum-algorithm", "SHA256")] + (lock?.headers ?? [])
            + metadata.sorted { $0.key < $1.key }.map { ("x-amz-meta-" + $0.key, $0.value) }
        let answer = try await send(request)
        let root = try Self.xml(answer, root: "InitiateMultipartUploadResult", operation: operation)
        guard let uploadID = root.text(of: "UploadId"), !uploadID.isEmpty else {
            throw .invalidResponse(operation: operation, detail: "no <UploadId>")
        }
        return uploadID
    }

    /// UploadPart of bytes `range` of the file at `path`.
    ///
    /// The range is hashed (MD5 and SHA-256, one pass) just before the request is signed,
    /// then streamed from disk, the bytes sent checked against the SHA-256 signed as they go
    /// (`FileBody`: a range that changed in between aborts the request, `.invalidRequest`).
    /// Memory: a read buffer per call in flight, whatever the part size.
    ///
    /// Sends `Content-MD5`, `x-amz-sdk-checksum-algorithm: SHA256` and
    /// `x-amz-checksum-sha256`. The size limits are the caller's to respect (the server
    /// refuses a small part at CompleteMultipartUpload, `EntityTooSmall`).
    ///
    /// `reading`, when given, sees the body's bytes in order, a buffer at a time, as they are
    /// hashed before anything is sent (all `range.count` of them unless the read fails, which
    /// throws): the bytes sent are checked to be these, so the caller can hash exactly the
    /// bytes that go out. It must not keep the pointer.
    public func uploadPart(bucket: String, key: String, uploadID: String, partNumber: Int,
                           fileAt path: String, range: Range<Int64>,
                           reading observe: ((UnsafeRawBufferPointer) -> Void)? = nil) async throws(S3Error) -> (part: MultipartPart, digest: PayloadDigest) {
        let operation = "UploadPart"
        guard (1...Self.maximumPartCount).contains(partNumber) else {
            throw .invalidRequest(operation: operation, detail: "part number \(partNumber) is outside 1…\(Self.maximumPartCount)")
        }
        guard range.count <= Self.maximumPartSize else {
            throw .invalidRequest(operation: operation, detail: "a part of \(range.count) bytes is larger than 5 GiB")
        }
        let body = try FileBody(path: path, range: range, operation: operation, observing: observe)
        let digest = body.digest
        var request = Request(operation: operation, method: "PUT", bucket: bucket, key: key,
                              query: [("partNumber", String(partNumber)), ("uploadId", uploadID)])
        request.headers = [("content-type", "application/octet-stream")] + Self.checksumHeaders(digest)
        request.body = .file(body)
        request.payloadSHA256 = digest.sha256Hex
        let answer = try await send(request)
        if let echoed = answer.header("x-amz-checksum-sha256"), echoed != digest.sha256Base64 {
            throw .invalidResponse(operation: operation, detail: "the server reports SHA-256 \(echoed) for part \(partNumber), the bytes sent have \(digest.sha256Base64)")
        }
        guard let eTag = answer.header("etag") else {
            throw .invalidResponse(operation: operation, detail: "no ETag header for part \(partNumber)")
        }
        // A part's ETag is the MD5 of the bytes the server received, unless it encrypts with
        // KMS or a customer key. A server that skips the Content-MD5 check (moto) shows the
        // damage only here; the part is then sent again under the same number.
        if Self.eTagIsMD5(answer), Self.unquoted(eTag) != digest.md5Hex {
            throw .damagedInTransit(operation: operation, detail: "part \(partNumber) of \(key): ETag \(eTag), the MD5 of the bytes sent is \(digest.md5Hex)")
        }
        return (MultipartPart(partNumber: partNumber, eTag: eTag, size: digest.length, checksumSHA256: digest.sha256Base64), digest)
    }

    /// ListParts: every part the server holds for the upload, in part-number order, following
    /// the pages (`IsTruncated`, `NextPartNumberMarker`) to the end.
    public func listParts(bucket: String, key: String, uploadID: String) async throws(S3Error) -> [MultipartPart] {
        let operation = "ListParts"
        var parts: [MultipartPart] = []
        var marker: String?
        while true {
            var request = Request(operation: operation, method: "GET", bucket: bucket, key: key)
            request.query = [("uploadId", uploadID)] + (marker.map { [("part-number-marker", $0)] } ?? [])
            let answer = try await send(request)
            let root = try Self.xml(answer, root: "ListPartsResult", operation: operation)
            if let listed = root.text(of: "UploadId"), listed != uploadID {
                throw .invalidResponse(operation: operation, detail: "asked for upload \(uploadID), got \(listed)")
            }
            for element in root.children(named: "Part") {
                guard let number = element.text(of: "PartNumber").flatMap({ Int($0) }),
                      let eTag = element.text(of: "ETag"),
                      let size = element.text(of: "Size").flatMap({ Int64($0) }) else {
                    throw .invalidResponse(operation: operation, detail: "a <Part> lacks PartNumber, ETag or Size")
                }
                parts.append(MultipartPart(partNumber: number, eTag: eTag, size: size,
                                           checksumSHA256: element.text(of: "ChecksumSHA256")))
            }
            guard root.text(of: "IsTruncated") == "true" else { break }
            guard let next = root.text(of: "NextPartNumberMarker"), next != marker else {
                throw .invalidResponse(operation: operation, detail: "a truncated page without a new NextPartNumberMarker")
            }
            marker = next
        }
        return parts
    }

    /// CompleteMultipartUpload with `parts` (sorted by part number here), each with its ETag
    /// and SHA-256.
    ///
    /// S3 may answer 200 and then, having kept the connection alive with spaces, put an
    /// `<Error>` in the body: that is thrown as `.service` with status 200 (transient for
    /// `InternalError`, as AWS says to retry).
    public func completeMultipartUpload(bucket: String, key: String, uploadID: String,
                                        parts: [MultipartPart]) async throws(S3Error) -> CompletedUpload {
        let operation = "CompleteMultipartUpload"
        guard !parts.isEmpty else { throw .invalidRequest(operation: operation, detail: "no parts") }
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in parts.sorted(by: { $0.partNumber < $1.partNumber }) {
            xml += "<Part><PartNumber>\(part.partNumber)</PartNumber><ETag>\(XMLTree.escape(part.eTag))</ETag>"
            if let checksum = part.checksumSHA256 { xml += "<ChecksumSHA256>\(XMLTree.escape(checksum))</ChecksumSHA256>" }
            xml += "</Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let body = Data(xml.utf8)
        var request = Request(operation: operation, method: "POST", bucket: bucket, key: key, query: [("uploadId", uploadID)])
        request.headers = [("content-type", "application/xml")]
        request.body = .data(body)
        request.payloadSHA256 = PayloadDigest(of: body).sha256Hex
        let answer = try await send(request)
        guard let root = XMLTree.parse(answer.body) else {
            throw .invalidResponse(operation: operation, detail: "the body is not well-formed XML (\(answer.body.count) bytes)")
        }
        if root.name == "Error" { throw .service(Self.serviceError(operation: operation, answer: answer, root: root)) }
        try Self.requireRoot(root, "CompleteMultipartUploadResult", operation: operation)
        guard let eTag = root.text(of: "ETag") ?? answer.header("etag") else {
            throw .invalidResponse(operation: operation, detail: "no <ETag>")
        }
        return CompletedUpload(eTag: eTag, versionID: answer.header("x-amz-version-id"),
                               checksumSHA256: root.text(of: "ChecksumSHA256") ?? answer.header("x-amz-checksum-sha256"))
    }

    /// AbortMultipartUpload: the server drops the parts. A 404 (`NoSuchUpload`) means the
    /// upload is already gone, which is what was wanted, so it is not an error.
    public func abortMultipartUpload(bucket: String, key: String, uploadID: String) async throws(S3Error) {
        do {
            _ = try await send(Request(operation: "AbortMultipartUpload", method: "DELETE", bucket: bucket, key: key,
                                       query: [("uploadId", uploadID)]))
        } catch {
            if error.code == "NoSuchUpload" { return }
            throw error
        }
    }

    /// A whole multipart upload of the file at `path`: create, parts of `partSize` bytes (the
    /// last one smaller) uploaded one after another, complete, then `applyLock` when `lock`
    /// is given (else a plain HEAD), and a check that the object has the file's size.
    ///
    /// On any failure the upload is aborted (best effort) so no invisible parts are left
    /// occupying storage, and the failure is thrown. `partSize` must lie within
    /// `minimumPartSize…maximumPartSize` and give at most `maximumPartCount` parts.
    /// Memory as for `uploadPart`, one part at a time.
    public func putObjectMultipart(bucket: String, key: String, fileAt path: String, partSize: Int64,
                                   contentType: String = "application/octet-stream",
                                   lock: ObjectLockSettings? = nil) async throws(S3Error) -> MultipartUploadResult {
        let operation = "PutObjectMultipart"
        guard (Self.minimumPartSize...Self.maximumPartSize).contains(partSize) else {
            throw .invalidRequest(operation: operation, detail: "part size \(partSize) is outside 5 MiB…5 GiB")
        }
        let size = try LocalFile.size(of: path, operation: operation)
        let plan = PartPlan(size: size, partSize: partSize)
        // An empty file is still sent as one (empty) part.
        let count = max(1, plan.count)
        guard count <= Self.maximumPartCount else {
            throw .invalidRequest(operation: operation, detail: "\(size) bytes in parts of \(partSize) make \(count) parts, more than 10000")
        }
        let uploadID = try await createMultipartUpload(bucket: bucket, key: key, contentType: contentType, lock: lock)
        let upload: CompletedUpload
        let result: (parts: [MultipartPart], digests: [PayloadDigest])
        do throws(S3Error) {
            var parts: [MultipartPart] = []
            var digests: [PayloadDigest] = []
            for index in 0..<count {
                let (part, digest) = try await uploadPart(bucket: bucket, key: key, uploadID: uploadID, partNumber: index + 1,
                                                          fileAt: path, range: plan.range(ofPart: index))
                parts.append(part)
                digests.append(digest)
            }
            upload = try await completeMultipartUpload(bucket: bucket, key: key, uploadID: uploadID, parts: parts)
            result = (parts, digests)
        } catch {
            try? await abortMultipartUpload(bucket: bucket, key: key, uploadID: uploadID)
            throw error
        }
        // Completed: the object exists now, so there is nothing left to abort.
        let head = if let lock {
            try await applyLock(lock, bucket: bucket, key: key, versionID: upload.versionID)
        } else {
            try await headObject(bucket: bucket, key: key, versionID: upload.versionID)
        }
        guard head.contentLength == size else {
            throw .invalidResponse(operation: operation, detail: "\(key) holds \(head.contentLength) bytes, the file \(size)")
        }
        return MultipartUploadResult(upload: upload, parts: result.parts, partDigests: result.digests, head: head)
    }
}
