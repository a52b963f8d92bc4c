import Evidence
import Foundation
import GatewayCrypto
import Journal
import S3Store

/// The forward queue: sends every sealed bag to the remote evidence store, object by object,
/// and confirms each is there byte-exact and retention-locked before counting it.
///
/// Guarantees: the queue lives in the journal and survives restarts; within a bag, payload goes
/// first and the tag files last (bagit.txt and the tag manifest at the very end), so a reader
/// never sees a complete-looking bag with files missing; an object counts as verified only when
/// HEAD shows its size, its SHA-256 (or an ETag that matches our MD5 or the multipart
/// composite) and the retention asked for; transient failures are retried with exponential
/// backoff and jitter, permanent ones stop the object until `retry`, a full store pauses the
/// whole queue.
public actor Forwarder {
    public nonisolated let settings: ForwardSettings
    private let client: S3Client
    private let journal: Journal
    private let store: LocalStore
    private let audit: AuditLogFile
    private var worker: Task<Void, Never>?
    private var wake: CheckedContinuation<Void, Never>?
    private var wakeGeneration = 0
    private var pausedUntil: Date?
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// The last error, for `recorderctl queue`.
    public private(set) var lastProblem: String?

    public init(settings: ForwardSettings, credentials: S3Credentials, journal: Journal, store: LocalStore,
                audit: AuditLogFile) throws(ForwardError) {
        let endpoint: S3Endpoint
        do {
            endpoint = try S3Endpoint(url: settings.endpoint, region: settings.region,
                                      addressing: settings.virtualHost ? .virtualHost : .path, caBundlePath: settings.caBundle)
        } catch {
            throw ForwardError(reason: "\(error)")
        }
        self.settings = settings
        self.client = S3Client(endpoint: endpoint, credentials: credentials)
        self.journal = journal
        self.store = store
        self.audit = audit
    }

    /// Checks that the bucket is there and, when required, has Object Lock; refuses with a
    /// clear error otherwise (everything then stays local and nothing is released).
    public func checkBucket() async throws(ForwardError) {
        // A store that is busy (503, timeouts) is asked again, within forward-wait; a store that
        // refuses (wrong key, no such bucket) is not.
        let deadline = ContinuousClock.now + .milliseconds(Int64(max(settings.waitSeconds, 1) * 1000))
        var attempt = 0
        while true {
            let lock: BucketObjectLockConfiguration?
            do throws(S3Error) {
                // A GET first: unlike HEAD its refusal has a body, so a wrong key is named as such
                // (SignatureDoesNotMatch, InvalidAccessKeyId) rather than as a bare 403.
                lock = try await client.objectLockConfiguration(bucket: settings.bucket)
            } catch {
                if !error.isTransient || ContinuousClock.now >= deadline {
                    throw ForwardError(reason: "bucket \(settings.bucket) at \(settings.endpoint): \(error)")
                }
                try? await Task.sleep(for: .milliseconds(Int64(min(backoff(attempt), 2) * 1000)))
                attempt += 1
                continue
            }
            if settings.requireObjectLock && lock?.enabled != true {
                throw ForwardError(reason: "bucket \(settings.bucket) has no Object Lock, and the configuration requires it (require-object-lock = yes)")
            }
            return
        }
    }

    /// Starts working the queue in the background.
    public func start() {
        guard worker == nil else { return }
        worker = Task { await self.run() }
    }

    public func stop() {
        worker?.cancel()
        worker = nil
        wakeWorker()
    }

    /// Queues a sealed bag: every file listed by its manifests, plus the manifests.
    public func enqueue(bag name: String) throws {
        let bag = store.finalBag(name)
        var objects: [Journal.ForwardObject] = []
        func add(_ path: String, _ ordinal: Int) throws {
            let (sha, size) = try FileDigest.sha256(bag + "/" + path)
            objects.append(Journal.ForwardObject(bagName: name, path: path, ordinal: ordinal, size: size, sha256: sha))
        }
        let manifest = try String(contentsOfFile: bag + "/" + BagIt.manifestFileName, encoding: .utf8)
        for (i, line) in try BagIt.parseManifest(manifest).enumerated() { try add(line.path, i) }
        let tags = try BagIt.parseManifest(try String(contentsOfFile: bag + "/" + BagIt.tagManifestFileName, encoding: .utf8)).map(\.path)
        // Derived tag files, then the record, then what makes the bag look complete.
        let last = [BagIt.bagInfoFileName, BagIt.manifestFileName, "custody.json", "custody.json.sig", BagIt.declarationFileName]
        var ordinal = 1_000_000
        for path in tags where !last.contains(path) { try add(path, ordinal); ordinal += 1 }
        for path in last where tags.contains(path) { try add(path, ordinal); ordinal += 1 }
        try add(BagIt.tagManifestFileName, ordinal)
        try journal.enqueue(objects)
        wakeWorker()
    }

    /// Whether the queue is being worked (false when the store could not be checked at start).
    public var isRunning: Bool { worker != nil }

    /// Waits until the bag is verified in the store, or `timeout` passes. Returns whether it is.
    /// Returns at once when the queue is not being worked.
    public func waitFor(bag: String, timeout: Duration) async -> Bool {
        guard worker != nil else { return (try? journal.isForwarded(bag: bag)) == true }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? journal.isForwarded(bag: bag)) == true { return true }
            if Task.isCancelled { return false }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return (try? journal.isForwarded(bag: bag)) == true
    }

    /// Waits until nothing is pending (failed objects do not count), or `timeout` passes.
    public func drain(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let pending = ((try? journal.forwardObjects()) ?? []).filter { $0.state == .pending }
            if pending.isEmpty { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    /// Puts a bag's failed objects back in the queue; returns how many.
    public func retry(bag: String) throws -> Int {
        let n = try journal.retryForward(bag: bag)
        pausedUntil = nil
        wakeWorker()
        return n
    }

    // MARK: - The worker

    private func run() async {
        while !Task.isCancelled {
            if let until = pausedUntil, until > Date() {
                try? await Task.sleep(for: .milliseconds(Int64(min(until.timeIntervalSinceNow, 5) * 1000)))
                continue
            }
            let now = Date()
            let all = (try? journal.forwardObjects()) ?? []
            let due = all.first { $0.state == .pending && ($0.nextAttemptUTC.flatMap { ISO8601DateFormatter.utc.date(from: $0) } ?? .distantPast) <= now }
            guard let object = due else {
                // Nothing due: sleep until the next attempt or until new work arrives.
                let next = all.filter { $0.state == .pending }.compactMap { $0.nextAttemptUTC.flatMap { ISO8601DateFormatter.utc.date(from: $0) } }.min()
                let wait = next.map { max(0.05, $0.timeIntervalSinceNow) } ?? 5
                await sleepOrWake(seconds: min(wait, 5))
                continue
            }
            await send(object)
        }
    }

    private func sleepOrWake(seconds: Double) async {
        wakeGeneration += 1
        let generation = wakeGeneration
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            wake = c
            Task {
                try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                self.timerFired(generation)
            }
        }
    }

    private func timerFired(_ generation: Int) {
        guard generation == wakeGeneration, let w = wake else { return }
        wake = nil
        w.resume()
    }

    private func wakeWorker() {
        if let w = wake {
            wake = nil
            w.resume()
        }
    }

    /// What the store shows after an upload, and what it should show.
    private struct Uploaded {
        var head: ObjectHead
        var checksum: String
        var eTag: String?
    }

    private func upload(_ object: Journal.ForwardObject, key: String, path: String, lock: ObjectLockSettings?) async throws(S3Error) -> Uploaded {
        if Int64(object.size) <= settings.partSize {
            let put = try await client.putObject(bucket: settings.bucket, key: key, fileAt: path, lock: lock)
            let head: ObjectHead
            if let lock {
                // Some stores ignore lock headers: apply and confirm the lock explicitly.
                head = try await client.applyLock(lock, bucket: settings.bucket, key: key, versionID: put.versionID)
            } else {
                head = try await client.headObject(bucket: settings.bucket, key: key, versionID: put.versionID)
            }
            return Uploaded(head: head, checksum: put.sent.sha256Base64, eTag: put.sent.md5Hex)
        }
        return try await uploadMultipart(object, key: key, path: path, lock: lock)
    }

    /// A multipart upload that survives a restart: the upload id is in the journal before any
    /// part is sent, and a restart lists the parts the store already holds (ListParts), keeps
    /// those whose ETag matches our MD5 of the same range, and sends only the rest.
    private func uploadMultipart(_ object: Journal.ForwardObject, key: String, path: String,
                                 lock: ObjectLockSettings?) async throws(S3Error) -> Uploaded {
        let size = Int64(object.size), partSize = settings.partSize
        let count = Int((size + partSize - 1) / partSize)
        var uploadID = object.uploadID
        var held: [Int: MultipartPart] = [:]
        if let id = uploadID {
            do {
                for part in try await client.listParts(bucket: settings.bucket, key: key, uploadID: id) { held[part.partNumber] = part }
            } catch where error.isNotFound {
                uploadID = nil // the store forgot it (aborted, expired): start over
            }
        }
        if uploadID == nil {
            let id = try await client.createMultipartUpload(bucket: settings.bucket, key: key, lock: lock)
            try? journal.setUploadID(bag: object.bagName, path: object.path, id)
            uploadID = id
        }
        let id = uploadID!
        var parts: [MultipartPart] = []
        var sha256s: [[UInt8]] = []
        var md5s: [UInt8] = []
        var reused = 0
        for index in 0..<count {
            let range = Int64(index) * partSize..<min(size, Int64(index + 1) * partSize)
            if let part = held[index + 1], part.size == range.count, let digest = Self.rangeDigest(path, range),
               part.eTag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")).lowercased() == digest.md5Hex {
                parts.append(part)
                sha256s.append(digest.sha256)
                md5s += digest.md5
                reused += 1
                continue
            }
            let (part, digest) = try await client.uploadPart(bucket: settings.bucket, key: key, uploadID: id,
                                                             partNumber: index + 1, fileAt: path, range: range)
            parts.append(part)
            sha256s.append(digest.sha256)
            md5s += digest.md5
        }
        if reused > 0 {
            FileHandle.standardError.write(Data("recorder-gatewayd: resumed the multipart upload of \(key): \(reused) of \(count) parts were already in the store\n".utf8))
        }
        let done = try await client.completeMultipartUpload(bucket: settings.bucket, key: key, uploadID: id, parts: parts)
        try? journal.setUploadID(bag: object.bagName, path: object.path, nil)
        let head: ObjectHead
        if let lock {
            head = try await client.applyLock(lock, bucket: settings.bucket, key: key, versionID: done.versionID)
        } else {
            head = try await client.headObject(bucket: settings.bucket, key: key, versionID: done.versionID)
        }
        return Uploaded(head: head, checksum: compositeSHA256Checksum(partSHA256s: sha256s),
                        eTag: PayloadDigest(of: md5s).md5Hex + "-\(count)")
    }

    /// MD5 and SHA-256 of one part of a file (at most one part in memory).
    static func rangeDigest(_ path: String, _ range: Range<Int64>) -> PayloadDigest? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: UInt64(range.lowerBound))) != nil,
              let data = try? handle.read(upToCount: range.count), data.count == range.count else { return nil }
        return PayloadDigest(of: [UInt8](data))
    }

    private func send(_ object: Journal.ForwardObject) async {
        let key = settings.key(bag: object.bagName, path: object.path)
        let path = store.finalBag(object.bagName) + "/" + object.path
        let lock = settings.lockMode.map {
            ObjectLockSettings(retention: ObjectRetention(mode: $0, retainUntil: Date().addingTimeInterval(Double(settings.retentionDays) * 86400)),
                               legalHold: settings.legalHold)
        }
        let outcome: Result<Uploaded, S3Error>
        do throws(S3Error) {
            outcome = .success(try await upload(object, key: key, path: path, lock: lock))
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let uploaded):
            if let problem = Self.mismatch(head: uploaded.head, size: object.size, checksum: uploaded.checksum,
                                           eTag: uploaded.eTag, lock: lock) {
                // The store holds something other than what was sent: send it again.
                lastProblem = "\(key): \(problem)"
                try? journal.updateForward(bag: object.bagName, path: object.path, state: .pending, attempts: object.attempts + 1,
                                           nextAttemptUTC: UTCTimestamp.string(Date().addingTimeInterval(backoff(object.attempts))),
                                           lastError: "verification: \(problem)", verifiedUTC: nil)
                return
            }
            try? journal.updateForward(bag: object.bagName, path: object.path, state: .verified, attempts: object.attempts + 1,
                                       nextAttemptUTC: nil, lastError: nil, verifiedUTC: UTCTimestamp.string(Date()))
            if (try? journal.isForwarded(bag: object.bagName)) == true {
                _ = try? await audit.append(.bagForwarded, detail: ["bag": object.bagName, "bucket": settings.bucket,
                                                                    "prefix": settings.prefix, "endpoint": settings.endpoint])
            }
        case .failure(let error):
            lastProblem = "\(key): \(error)"
            if error.isOutOfStorage {
                pausedUntil = Date().addingTimeInterval(300)
                _ = try? await audit.append(.forwardFailed, detail: ["bag": object.bagName, "path": object.path,
                                                                     "reason": "store full, queue paused 5 min: \(error)"])
                return
            }
            let permanent = error.isPermanent
            try? journal.updateForward(bag: object.bagName, path: object.path, state: permanent ? .failed : .pending,
                                       attempts: object.attempts + 1,
                                       nextAttemptUTC: permanent ? nil : UTCTimestamp.string(Date().addingTimeInterval(backoff(object.attempts))),
                                       lastError: error.description, verifiedUTC: nil)
            if permanent {
                // An upload that will not be finished must not keep its parts in the store.
                if let id = ((try? journal.forwardObjects(bag: object.bagName)) ?? []).first(where: { $0.path == object.path })?.uploadID {
                    try? await client.abortMultipartUpload(bucket: settings.bucket, key: key, uploadID: id)
                    try? journal.setUploadID(bag: object.bagName, path: object.path, nil)
                }
                _ = try? await audit.append(.forwardFailed, detail: ["bag": object.bagName, "path": object.path, "reason": error.description])
            }
        }
    }

    /// 1 s, 2 s, 4 s … capped at 5 minutes, with ±25 % jitter so that many kiosks do not retry
    /// in step against a recovering store.
    private func backoff(_ attempts: Int) -> TimeInterval {
        let base = min(300, pow(2, Double(min(attempts, 12))))
        return base * Double.random(in: 0.75...1.25)
    }

    /// Why HEAD does not show the object we sent, or nil when it does.
    static func mismatch(head: ObjectHead, size: UInt64, checksum: String, eTag: String?, lock: ObjectLockSettings?) -> String? {
        if head.contentLength != Int64(size) { return "store holds \(head.contentLength) bytes, sent \(size)" }
        if let stored = head.checksumSHA256 {
            // moto leaves the "-N" off a composite checksum; compare what both carry.
            if stored.split(separator: "-").first != checksum.split(separator: "-").first {
                return "store's SHA-256 \(stored) is not \(checksum)"
            }
        }
        // The ETag too, when it has an MD5's shape: some stores keep the checksum they were sent
        // without checking it (moto), while the ETag is computed from the bytes they received.
        // (A bucket with SSE-KMS has non-MD5 ETags of the same shape: such stores verify the
        // checksum themselves; see Docs/configuration.md.)
        if let eTag {
            let stored = head.eTag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")).lowercased()
            let shaped = stored.count >= 32 && stored.prefix(32).allSatisfy(\.isHexDigit)
            if shaped && stored != eTag.lowercased() { return "store's ETag \(stored) is not \(eTag)" }
        }
        if let wanted = lock?.retention {
            guard let have = head.retention else { return "the store shows no retention" }
            if have.retainUntil.timeIntervalSince1970 + 1 < wanted.retainUntil.timeIntervalSince1970.rounded(.down) {
                return "retained until \(have.retainUntil), asked \(wanted.retainUntil)"
            }
        }
        return nil
    }

}

/// Forwarding cannot be set up: says why.
public struct ForwardError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}
