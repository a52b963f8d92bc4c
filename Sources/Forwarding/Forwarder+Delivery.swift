import Foundation
import GatewayCrypto
import Journal
import S3Store

extension Forwarder {
    /// How one attempt at an object ended when the store answered every request.
    enum Delivery: Sendable, Equatable {
        /// The store shows the object byte-exact and retention-locked.
        case verified
        /// The store shows other bytes than ours, or lacks the lock: send again later.
        case mismatch(String)
        /// The store gives nothing to compare the bytes with: never counts as verified.
        case unverifiable(String)
    }

    /// Puts one object in the store and checks what the store then shows.
    ///
    /// Runs off the actor (it reads and hashes files); only the slot bookkeeping goes back to it.
    /// Before sending anything it asks whether the store already holds the object byte-exact,
    /// which is what a lost answer leaves behind (the store took the upload, then the
    /// connection or this process died): then the object is only locked and checked, and the
    /// store gains no second version of the same bytes.
    nonisolated func deliver(_ object: Journal.ForwardObject, key: String, path: String,
                             lock: ObjectLockSettings?) async throws(S3Error) -> Delivery {
        let size = Int64(object.size)
        var uploadID = object.uploadID
        var held: [Int: MultipartPart] = [:]
        if let id = uploadID {
            do throws(S3Error) {
                for part in try await client.listParts(bucket: settings.bucket, key: key, uploadID: id) { held[part.partNumber] = part }
            } catch {
                // NoSuchUpload: completed before a crash, or aborted, or expired.
                guard error.isNotFound else { throw error }
                try? journal.setUploadID(bag: object.bagName, path: object.path, nil)
                uploadID = nil
            }
        }
        if uploadID == nil, let (head, expected) = try await storedCopy(object, key: key, path: path) {
            FileHandle.standardError.write(Data("recorder-gatewayd: \(key) is already in the store (version \(head.versionID ?? "-")): not sent again\n".utf8))
            return try await confirm(key: key, versionID: head.versionID, lock: lock, expected: expected, size: size)
        }
        if size <= settings.partSize {
            await acquireSlot()
            let outcome: Result<PutObjectResult, S3Error>
            do throws(S3Error) {
                outcome = .success(try await client.putObject(bucket: settings.bucket, key: key, fileAt: path, lock: lock,
                                                              expectedSHA256: object.sha256))
            } catch {
                outcome = .failure(error)
            }
            await releaseSlot()
            let put = try outcome.get()
            return try await confirm(key: key, versionID: put.versionID, lock: lock, expected: RemoteCopy(single: put.sent), size: size)
        }
        return try await deliverInParts(object, key: key, path: path, lock: lock, uploadID: uploadID, held: held)
    }

    /// A multipart upload that survives a restart: the upload id is in the journal before any
    /// part is sent; a restart keeps the parts the store already holds (ListParts) whose ETag
    /// is our MD5 of the same range, and sends only the rest, several at a time.
    private nonisolated func deliverInParts(_ object: Journal.ForwardObject, key: String, path: String, lock: ObjectLockSettings?,
                                            uploadID existing: String?, held: [Int: MultipartPart]) async throws(S3Error) -> Delivery {
        let size = Int64(object.size), partSize = settings.partSize
        let plan = PartPlan(size: size, partSize: partSize)
        let count = plan.count
        func range(_ index: Int) -> Range<Int64> { plan.range(ofPart: index) }
        // Continue an upload only when it holds parts cut at today's part size: the object will
        // carry the part size it was created with (its metadata), and verification recomputes
        // its checksums from that. One with no parts yet, or cut otherwise, starts over.
        var held = held
        var reuse = existing
        if let id = existing, held.isEmpty || held.contains(where: { $0.key < 1 || $0.key > count || $0.value.size != range($0.key - 1).count }) {
            try? await client.abortMultipartUpload(bucket: settings.bucket, key: key, uploadID: id)
            try? journal.setUploadID(bag: object.bagName, path: object.path, nil)
            held = [:]
            reuse = nil
        }
        let uploadID: String
        if let reuse {
            uploadID = reuse
        } else {
            uploadID = try await client.createMultipartUpload(bucket: settings.bucket, key: key, lock: lock,
                                                              metadata: [RemoteCopy.partSizeMetadata: String(partSize)])
            try? journal.setUploadID(bag: object.bagName, path: object.path, uploadID)
        }

        var done: [Int: (part: MultipartPart, digest: PayloadDigest)] = [:]
        var missing: [Int] = []
        for index in 0..<count {
            if let part = held[index + 1], part.size == range(index).count,
               let digest = try? PayloadDigest(file: path, range: range(index)),
               part.eTag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")).lowercased() == digest.md5Hex {
                done[index] = (part, digest)
            } else {
                missing.append(index)
            }
        }
        if !done.isEmpty {
            FileHandle.standardError.write(Data("recorder-gatewayd: resuming the multipart upload of \(key): \(done.count) of \(count) parts are already in the store\n".utf8))
        }
        // The file's SHA-256 over the very bytes sent (and those already in the store), checked
        // against the manifest before the object is completed.
        let sent = PartOrderedDigest(path: path, ranges: (0..<count).map(range), held: done.mapValues(\.part))

        // The missing parts, at most uploadsInFlight of this object at a time, each holding an
        // upload slot only while it is on the wire. The first failure stops the rest.
        var failure: S3Error?
        let limit = max(1, settings.uploadsInFlight)
        await withTaskGroup(of: (Int, Result<(part: MultipartPart, digest: PayloadDigest), S3Error>).self) { group in
            var queue = missing[...]
            var running = 0
            while true {
                while failure == nil, running < limit, let index = queue.popFirst() {
                    let bytes = range(index)
                    group.addTask {
                        // The turn before the slot: a part holding a slot never waits for one
                        // that has none.
                        await sent.turn(index)
                        await self.acquireSlot()
                        let result: Result<(part: MultipartPart, digest: PayloadDigest), S3Error>
                        do throws(S3Error) {
                            // Stopped: no part read and hashed only to be cancelled.
                            if Task.isCancelled {
                                throw S3Error.transport(operation: "UploadPart", url: key, code: URLError.cancelled.rawValue,
                                                        detail: "the forward queue was stopped")
                            }
                            let part = try await self.client.uploadPart(bucket: self.settings.bucket, key: key, uploadID: uploadID,
                                                                        partNumber: index + 1, fileAt: path, range: bytes,
                                                                        reading: { sent.feed(index, $0) })
                            result = .success(part)
                        } catch {
                            sent.abandon(index, because: "\(error)")
                            result = .failure(error)
                        }
                        await self.releaseSlot()
                        return (index, result)
                    }
                    running += 1
                }
                guard let (index, result) = await group.next() else { break }
                running -= 1
                switch result {
                case .success(let uploaded): done[index] = uploaded
                case .failure(let error):
                    if failure == nil { failure = error }
                }
            }
        }
        if let failure { throw failure }
        switch sent.result() {
        case .success(let sha256) where sha256 == object.sha256:
            break
        case .success(let sha256):
            // Permanent: the forward queue aborts the upload, so nothing of it stays in the store.
            throw .invalidRequest(operation: "CompleteMultipartUpload", detail: "\(path): the parts sent have SHA-256 \(hexString(sha256)), its manifest says \(hexString(object.sha256)): the file changed after the bag was sealed; the upload is not completed")
        case .failure(let why):
            throw .invalidRequest(operation: "CompleteMultipartUpload", detail: "\(path): no SHA-256 of the parts sent (\(why)); the upload is not completed")
        }
        let parts = (0..<count).map { done[$0]! }
        let completed = try await client.completeMultipartUpload(bucket: settings.bucket, key: key, uploadID: uploadID, parts: parts.map(\.part))
        try? journal.setUploadID(bag: object.bagName, path: object.path, nil)
        return try await confirm(key: key, versionID: completed.versionID, lock: lock,
                                 expected: RemoteCopy(parts: parts.map(\.digest)), size: size)
    }

    /// The version the store holds under `key` when it is this object byte-exact; nil when
    /// there is none (or it differs, or the store gives nothing to compare).
    private nonisolated func storedCopy(_ object: Journal.ForwardObject, key: String,
                                        path: String) async throws(S3Error) -> (ObjectHead, RemoteCopy)? {
        let head: ObjectHead
        do throws(S3Error) {
            head = try await client.headObject(bucket: settings.bucket, key: key)
        } catch {
            if error.isNotFound { return nil }
            throw error
        }
        // The size first: a fresh key or another file costs no read of ours.
        guard head.contentLength == Int64(object.size) else { return nil }
        let (expected, sha256) = try RemoteCopy.expected(file: path, size: Int64(object.size), as: head,
                                                         configuredPartSize: settings.partSize)
        guard expected.compare(head, size: Int64(object.size)) == .same else { return nil }
        // The store holds the file as it was just read; it counts only if those bytes are the
        // sealed file's. (If not, the upload that follows refuses it, naming the file.)
        guard sha256 == object.sha256 else { return nil }
        return (head, expected)
    }

    /// Applies the lock (confirmed by HEAD, as some stores ignore lock headers on upload) and
    /// checks the version against what was sent.
    private nonisolated func confirm(key: String, versionID: String?, lock: ObjectLockSettings?, expected: RemoteCopy,
                                     size: Int64) async throws(S3Error) -> Delivery {
        let head = if let lock {
            try await client.applyLock(lock, bucket: settings.bucket, key: key, versionID: versionID)
        } else {
            try await client.headObject(bucket: settings.bucket, key: key, versionID: versionID)
        }
        switch expected.compare(head, size: size) {
        case .same: break
        case .differs(let why): return .mismatch(why)
        case .unverifiable(let why): return .unverifiable(why)
        }
        if let problem = RemoteCopy.lockProblem(head, lock: lock) { return .mismatch(problem) }
        return .verified
    }
}
