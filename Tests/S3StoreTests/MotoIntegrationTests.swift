import Foundation
import GatewayCrypto
import S3Store
import TestSupport
import Testing

/// The client against a real moto server (see `MotoServer`): signatures checked, Object Lock
/// enforced. What moto does differently from AWS is spelled out where a test relies on it.
@Suite(.serialized) struct MotoIntegrationTests {
    /// A retention date a day ahead, with a fraction of a second to show it is rounded up.
    static func retainUntil() -> Date {
        Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 86_400).rounded(.down) + 0.25)
    }

    /// A unique key per test, with a space to exercise the path encoding. Nothing else outside
    /// `A-Z a-z 0-9 - . _ ~ /`: moto 5.2 checks the signature against the DECODED path (it
    /// re-encodes only spaces), so it refuses every other escaped character, from boto3 too
    /// (see `keysMotoCannotVerifyFailForBoto3Too`).
    static func key(_ name: String) -> String { "bags/\(UUID().uuidString)/data/clip 01 \(name)" }

    @Test func bucketWithObjectLockIsSeenAndOneWithoutIsNot() async throws {
        let moto = try MotoServer.require()
        let client = try moto.client()
        _ = try await client.headBucket(moto.info.bucket)
        let lock = try await client.objectLockConfiguration(bucket: moto.info.bucket)
        #expect(lock?.enabled == true)
        #expect(try await client.objectLockConfiguration(bucket: moto.info.plainBucket) == nil)

        let error = await #expect(throws: S3Error.self) { try await client.headBucket("no-such-bucket-here") }
        #expect(error?.status == 404 && error?.isNotFound == true && error?.isPermanent == true)
    }

    /// PutObject with COMPLIANCE retention: HEAD reports the SHA-256, MD5 ETag, size and
    /// retention; boto3 downloads the same bytes; deleting the locked version is refused.
    @Test func smallObjectIsStoredExactlyAndLocked() async throws {
        let moto = try MotoServer.require()
        let client = try moto.client()
        let bytes = testBytes(100_003, seed: 1)
        try await withTemporaryDirectory { directory in
            let source = directory.appendingPathComponent("clip.mp4").path
            try Data(bytes).write(to: URL(fileURLWithPath: source))
            let key = Self.key("small.mp4")
            let until = Self.retainUntil()
            let put = try await client.putObject(bucket: moto.info.bucket, key: key, fileAt: source, contentType: "video/mp4",
                                                 lock: ObjectLockSettings(retention: ObjectRetention(mode: .compliance, retainUntil: until)))
            #expect(put.sent == PayloadDigest(of: bytes))
            #expect(put.eTag == "\"\(put.sent.md5Hex)\"")
            #expect(put.checksumSHA256 == put.sent.sha256Base64)
            let version = try #require(put.versionID, "an Object Lock bucket is versioned")

            let head = try await client.headObject(bucket: moto.info.bucket, key: key, versionID: version)
            #expect(head.contentLength == Int64(bytes.count))
            #expect(head.eTag == put.eTag)
            #expect(head.checksumSHA256 == Data(SHA256Hasher.hash(bytes)).base64EncodedString())
            #expect(head.versionID == version)
            #expect(head.contentType == "video/mp4")
            #expect(head.retention == ObjectRetention(mode: .compliance, retainUntil: until.rounded(.up)))

            let copy = directory.appendingPathComponent("downloaded").path
            try moto.download(key: key, versionID: version, to: copy)
            #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == Data(bytes))

            let refused = await #expect(throws: S3Error.self) {
                try await client.deleteObject(bucket: moto.info.bucket, key: key, versionID: version)
            }
            #expect(refused?.status == 403 && refused?.code == "AccessDenied" && refused?.isPermanent == true)
            // Still there, still locked.
            #expect(try await client.headObject(bucket: moto.info.bucket, key: key, versionID: version).retention != nil)
        }
    }

    /// Three 5 MiB parts and a remainder: ListParts shows each part's size and SHA-256,
    /// CompleteMultipartUpload gives the composite checksum and a "-4" ETag, and the
    /// download equals the file.
    @Test func multipartObjectIsStoredExactlyAndLocked() async throws {
        let moto = try MotoServer.require()
        let bytes = testBytes(3 * Int(S3Client.minimumPartSize) + 123_457, seed: 2)
        try await withTemporaryDirectory { directory in
            let client = try moto.client()
            let source = directory.appendingPathComponent("clip.mp4").path
            try Data(bytes).write(to: URL(fileURLWithPath: source))
            let key = Self.key("multipart.mp4")
            let until = Self.retainUntil()
            let lock = ObjectLockSettings(retention: ObjectRetention(mode: .compliance, retainUntil: until))
            let partSize = S3Client.minimumPartSize

            let uploadID = try await client.createMultipartUpload(bucket: moto.info.bucket, key: key, lock: lock,
                                                                  metadata: ["recorder-gateway-part-size": String(partSize)])
            var parts: [MultipartPart] = []
            var digests: [PayloadDigest] = []
            for index in 0..<4 {
                let start = Int64(index) * partSize
                let range = start..<min(Int64(bytes.count), start + partSize)
                let (part, digest) = try await client.uploadPart(bucket: moto.info.bucket, key: key, uploadID: uploadID,
                                                                 partNumber: index + 1, fileAt: source, range: range)
                #expect(digest == PayloadDigest(of: bytes[Int(range.lowerBound)..<Int(range.upperBound)]))
                #expect(part.eTag == "\"\(digest.md5Hex)\"")
                parts.append(part)
                digests.append(digest)
            }

            let listed = try await client.listParts(bucket: moto.info.bucket, key: key, uploadID: uploadID)
            #expect(listed.map(\.partNumber) == [1, 2, 3, 4])
            #expect(listed.map(\.size) == parts.map(\.size))
            #expect(listed.map(\.eTag) == parts.map(\.eTag))
            // moto 5.2 lists no part checksums; AWS lists the ones sent.
            for (part, digest) in zip(listed, digests) {
                #expect(part.checksumSHA256 == nil || part.checksumSHA256 == digest.sha256Base64)
            }

            let completed = try await client.completeMultipartUpload(bucket: moto.info.bucket, key: key, uploadID: uploadID, parts: parts)
            #expect(completed.eTag.hasSuffix("-4\""))
            let version = try #require(completed.versionID)
            let composite = compositeSHA256Checksum(partSHA256s: digests.map(\.sha256))

            // moto 5.2, like Ceph RGW 16, ignores the lock headers of CreateMultipartUpload: the
            // completed version is unlocked until applyLock sets the retention.
            let unlocked = try await client.headObject(bucket: moto.info.bucket, key: key, versionID: version)
            #expect(unlocked.retention == nil || unlocked.retention == lock.retention.map { ObjectRetention(mode: $0.mode, retainUntil: until.rounded(.up)) })
            let head = try await client.applyLock(lock, bucket: moto.info.bucket, key: key, versionID: version)
            #expect(head.contentLength == Int64(bytes.count))
            #expect(head.eTag == completed.eTag)
            #expect(head.metadata["recorder-gateway-part-size"] == String(partSize), "\(head.metadata)")
            // AWS reports "<base64>-4"; moto 5.2 leaves out the "-4".
            let reported = try #require(head.checksumSHA256, "moto stores the part checksums it was sent")
            #expect(reported == composite || composite.hasPrefix(reported + "-"))
            #expect(head.retention == ObjectRetention(mode: .compliance, retainUntil: until.rounded(.up)))

            let copy = directory.appendingPathComponent("downloaded").path
            try moto.download(key: key, versionID: version, to: copy)
            #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == Data(bytes))

            let refused = await #expect(throws: S3Error.self) {
                try await client.deleteObject(bucket: moto.info.bucket, key: key, versionID: version)
            }
            #expect(refused?.code == "AccessDenied")
        }
    }

    /// The one-call multipart upload gives the same object as the steps above.
    @Test func putObjectMultipartUploadsTheWholeFile() async throws {
        let moto = try MotoServer.require()
        let client = try moto.client()
        let bytes = testBytes(2 * Int(S3Client.minimumPartSize) + 1, seed: 3)
        try await withTemporaryDirectory { directory in
            let source = directory.appendingPathComponent("clip.mp4").path
            try Data(bytes).write(to: URL(fileURLWithPath: source))
            let key = Self.key("one-call.mp4")
            let result = try await client.putObjectMultipart(
                bucket: moto.info.bucket, key: key, fileAt: source, partSize: S3Client.minimumPartSize,
                lock: ObjectLockSettings(retention: ObjectRetention(mode: .governance, retainUntil: Self.retainUntil()), legalHold: true))
            #expect(result.parts.map(\.size) == [S3Client.minimumPartSize, S3Client.minimumPartSize, 1])
            #expect(result.head.versionID == result.upload.versionID)
            // Read back independently of what putObjectMultipart saw.
            let head = try await client.headObject(bucket: moto.info.bucket, key: key, versionID: result.upload.versionID)
            #expect(head == result.head)
            #expect(head.contentLength == Int64(bytes.count))
            #expect(head.retention?.mode == .governance)
            #expect(head.legalHold == true)
            let refused = await #expect(throws: S3Error.self) {
                try await client.deleteObject(bucket: moto.info.bucket, key: key, versionID: result.upload.versionID)
            }
            #expect(refused?.code == "AccessDenied")
            let copy = directory.appendingPathComponent("downloaded").path
            try moto.download(key: key, to: copy)
            #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == Data(bytes))
        }
    }

    @Test func abortedUploadIsGone() async throws {
        let moto = try MotoServer.require()
        let client = try moto.client()
        try await withTemporaryDirectory { directory in
            let source = directory.appendingPathComponent("part").path
            try Data(testBytes(1_000, seed: 4)).write(to: URL(fileURLWithPath: source))
            let key = Self.key("aborted.mp4")
            let uploadID = try await client.createMultipartUpload(bucket: moto.info.bucket, key: key)
            _ = try await client.uploadPart(bucket: moto.info.bucket, key: key, uploadID: uploadID, partNumber: 1,
                                            fileAt: source, range: 0..<1_000)
            try await client.abortMultipartUpload(bucket: moto.info.bucket, key: key, uploadID: uploadID)
            let error = await #expect(throws: S3Error.self) {
                try await client.listParts(bucket: moto.info.bucket, key: key, uploadID: uploadID)
            }
            #expect(error?.code == "NoSuchUpload" && error?.isPermanent == true)
            // Aborting again is not an error: the upload is gone either way.
            try await client.abortMultipartUpload(bucket: moto.info.bucket, key: key, uploadID: uploadID)
        }
    }

    /// A wrong secret: moto recomputes the signature and refuses with SignatureDoesNotMatch.
    @Test func wrongSecretIsSignatureDoesNotMatch() async throws {
        let moto = try MotoServer.require()
        let client = try moto.client(secret: "not-the-secret")
        let error = await #expect(throws: S3Error.self) { try await client.objectLockConfiguration(bucket: moto.info.bucket) }
        #expect(error?.status == 403)
        #expect(error?.code == "SignatureDoesNotMatch")
        #expect(error?.isPermanent == true)
        #expect(error?.requestID != nil)
    }

    /// Retention can be extended after upload, which is how the gateway completes the lock
    /// on servers that ignore lock headers on CreateMultipartUpload (Ceph RGW 16).
    @Test func retentionIsExtendedAndReadBack() async throws {
        let moto = try MotoServer.require()
        let client = try moto.client()
        try await withTemporaryDirectory { directory in
            let source = directory.appendingPathComponent("clip").path
            try Data(testBytes(10, seed: 5)).write(to: URL(fileURLWithPath: source))
            let key = Self.key("extended.mp4")
            let put = try await client.putObject(bucket: moto.info.bucket, key: key, fileAt: source,
                                                 lock: ObjectLockSettings(retention: ObjectRetention(mode: .compliance, retainUntil: Self.retainUntil())))
            let later = ObjectRetention(mode: .compliance, retainUntil: Self.retainUntil().addingTimeInterval(86_400).rounded(.up))
            try await client.setObjectRetention(bucket: moto.info.bucket, key: key, versionID: put.versionID, later)
            #expect(try await client.headObject(bucket: moto.info.bucket, key: key, versionID: put.versionID).retention == later)
            // GetObjectRetention: moto 5.2 serves GET ?retention as GetObject (200, the object's
            // bytes), which is not a <Retention> document; other servers return the retention.
            do throws(S3Error) {
                let retention = try await client.objectRetention(bucket: moto.info.bucket, key: key, versionID: put.versionID)
                #expect(retention == later)
            } catch {
                guard case .invalidResponse = error else {
                    Issue.record("GetObjectRetention: \(error)")
                    return
                }
                #expect(error.isPermanent)
            }
        }
    }

    /// Virtual-host addressing: `bucket.localhost:PORT`, which libcurl resolves to loopback
    /// by itself and moto reads the bucket from.
    @Test func virtualHostAddressingWorks() async throws {
        let moto = try MotoServer.require()
        let client = try moto.client(addressing: .virtualHost, host: "localhost")
        try await withTemporaryDirectory { directory in
            let source = directory.appendingPathComponent("clip").path
            try Data(testBytes(2_048, seed: 6)).write(to: URL(fileURLWithPath: source))
            let key = Self.key("virtual-host.mp4")
            let put = try await client.putObject(bucket: moto.info.bucket, key: key, fileAt: source,
                                                 lock: ObjectLockSettings(retention: ObjectRetention(mode: .compliance, retainUntil: Self.retainUntil())))
            let head = try await client.headObject(bucket: moto.info.bucket, key: key)
            #expect(head.versionID == put.versionID && head.contentLength == 2_048)
            #expect(try await client.objectLockConfiguration(bucket: moto.info.bucket)?.enabled == true)
        }
    }

    /// moto 5.2 verifies signatures against the decoded path, so keys with escaped characters
    /// (other than space) fail there. The signer is right if botocore's signature for the
    /// same key fares exactly as well: accepted by both, or refused by both.
    @Test(arguments: ["clip é.mp4", "clip+1.mp4", "clip$1.mp4", "clip,1.mp4"])
    func keysMotoCannotVerifyFailForBoto3Too(name: String) async throws {
        let moto = try MotoServer.require()
        let client = try moto.client()
        try await withTemporaryDirectory { directory in
            let source = directory.appendingPathComponent("clip").path
            try Data(testBytes(64, seed: 9)).write(to: URL(fileURLWithPath: source))
            let key = "quirks/\(UUID().uuidString)/\(name)"
            let boto3 = try moto.uploadWithBoto3(key: key + ".boto3", from: source)
            do throws(S3Error) {
                _ = try await client.putObject(bucket: moto.info.bucket, key: key, fileAt: source)
                #expect(boto3 == nil, "moto accepted this client's signature but not boto3's")
            } catch {
                #expect(error.code == "SignatureDoesNotMatch", "\(error)")
                #expect(boto3 == "SignatureDoesNotMatch", "moto refused this client's signature but not boto3's")
            }
        }
    }

    /// A missing object and a missing local file are both permanent, with what is missing named.
    @Test func missingThingsAreNamed() async throws {
        let moto = try MotoServer.require()
        let client = try moto.client()
        let missingObject = await #expect(throws: S3Error.self) {
            try await client.headObject(bucket: moto.info.bucket, key: "no/such/key")
        }
        #expect(missingObject?.isNotFound == true && missingObject?.isPermanent == true)
        let missingFile = await #expect(throws: S3Error.self) {
            try await client.putObject(bucket: moto.info.bucket, key: "k", fileAt: "/nonexistent/clip.mp4")
        }
        #expect(missingFile == .localFile(operation: "PutObject", path: "/nonexistent/clip.mp4", step: "open", errno: ENOENT))
    }
}

private extension Date {
    /// The date rounded to a whole second in `rule`'s direction.
    func rounded(_ rule: FloatingPointRoundingRule) -> Date {
        Date(timeIntervalSince1970: timeIntervalSince1970.rounded(rule))
    }
}
