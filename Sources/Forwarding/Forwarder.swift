import Evidence
import EvidenceStore
import Foundation
import GatewayCrypto
import Journal
import S3Store
import Settings

/// The forward queue: sends every sealed bag to the remote evidence store, object by object,
/// and confirms each is there byte-exact and retention-locked before counting it.
///
/// Guarantees: the queue lives in the journal and survives restarts; within a bag, payload goes
/// first and the tag files only once every payload object is verified (bagit.txt and the tag
/// manifest after all the rest: `ForwardSchedule`), so a reader never sees a complete-looking
/// bag with files missing; an object counts as verified only when HEAD shows its size, its
/// SHA-256 and/or an MD5 ETag matching ours (`RemoteCopy`), and the retention asked for; an
/// object already in the store byte-exact (an answer lost to a crash or a dropped connection)
/// is not sent again; transient failures are retried with exponential backoff and jitter,
/// permanent ones stop the object until `retry`, a full store pauses the whole queue.
///
/// Concurrency: up to `uploadsInFlight` objects are worked at once, and at most that many
/// uploads (PUTs and parts) are on the wire together, across all of them.
public actor Forwarder {
    public nonisolated let settings: ForwardSettings
    let client: S3Client
    let journal: Journal
    let store: LocalStore
    private let audit: AuditLogFile
    private var worker: Task<Void, Never>?
    private var wake: CheckedContinuation<Void, Never>?
    private var wakeGeneration = 0
    private var pausedUntil: Date?
    /// Objects being sent now (`ForwardSchedule.id`), with their tasks.
    private var sending: [String: Task<Void, Never>] = [:]
    /// Upload slots free, and the part uploads waiting for one.
    private var freeSlots: Int
    private var slotWaiters: [CheckedContinuation<Void, Never>] = []
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
        self.freeSlots = max(1, settings.uploadsInFlight)
        self.journal = journal
        self.store = store
        self.audit = audit
    }

    /// Checks that the bucket is there and, when required, has Object Lock; refuses with a
    /// clear error otherwise (everything then stays local and nothing is released).
    public func checkBucket() async throws(ForwardError) {
        // A store that is busy (503, timeouts) is asked again, within forward-wait; a store that
        // refuses (wrong key, no such bucket) is not.
        let deadline = ContinuousClock.now + max(settings.wait, .seconds(1))
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

    /// Stops working the queue; uploads in flight are cancelled and stay pending.
    public func stop() {
        worker?.cancel()
        worker = nil
        for task in sending.values { task.cancel() }
        wakeWorker()
    }

    /// Queues a sealed bag: every file listed by its manifests, plus the tag manifest itself.
    ///
    /// The SHA-256 queued for each file is its manifest's, the sealed record, and the bytes
    /// are checked against it when they are read for sending (a single PUT before it is sent,
    /// a multipart upload before it is completed), not here: a file that changed after the
    /// bag was sealed, however long the store was away, never becomes an object in the store.
    public nonisolated func enqueue(bag name: String) async throws {
        let objects = try Self.objects(ofBag: name, at: store.finalBag(name))
        try await add(objects)
    }

    private func add(_ objects: [Journal.ForwardObject]) throws {
        try journal.enqueue(objects)
        wakeWorker()
    }

    /// Every object of the bag at `bag`, in upload order, with its size and the SHA-256 its
    /// manifest gives (the tag manifest's own is computed: no manifest lists it). Throws, naming
    /// the file, when a listed file is missing or not a regular file.
    static func objects(ofBag name: String, at bag: String) throws -> [Journal.ForwardObject] {
        var objects: [Journal.ForwardObject] = []
        func add(_ path: String, _ ordinal: Int, manifest: [UInt8]?) throws {
            let file = bag + "/" + path
            let sha: [UInt8], size: UInt64
            if let manifest {
                var info = stat()
                guard stat(file, &info) == 0 else { throw StorageError(operation: "stat", path: file, errno: errno) }
                guard info.st_mode & S_IFMT == S_IFREG else {
                    throw ForwardError(reason: "bag \(name): \(path) is not a regular file; the bag is not forwarded")
                }
                (sha, size) = (manifest, UInt64(info.st_size))
            } else {
                (sha, size) = try FileDigest.sha256(file)
            }
            objects.append(Journal.ForwardObject(bagName: name, path: path, ordinal: ordinal, size: size, sha256: sha))
        }
        let payload = try BagIt.parseManifest(try String(contentsOfFile: bag + "/" + BagIt.manifestFileName, encoding: .utf8))
        for (i, line) in payload.enumerated() { try add(line.path, i, manifest: line.sha256) }
        let tags = try BagIt.parseManifest(try String(contentsOfFile: bag + "/" + BagIt.tagManifestFileName, encoding: .utf8))
        let tagDigest = Dictionary(tags.map { ($0.path, $0.sha256) }, uniquingKeysWith: { a, _ in a })
        // Derived tag files, then the record, then what makes the bag look complete (the order
        // within a phase is only a preference: ForwardSchedule says what waits for what).
        let last = [BagIt.bagInfoFileName, BagIt.manifestFileName, "custody.json", "custody.json.sig", BagIt.declarationFileName]
        var ordinal = ForwardSchedule.tagOrdinalBase
        for line in tags where !last.contains(line.path) { try add(line.path, ordinal, manifest: line.sha256); ordinal += 1 }
        for path in last where tagDigest[path] != nil { try add(path, ordinal, manifest: tagDigest[path]); ordinal += 1 }
        try add(BagIt.tagManifestFileName, ordinal, manifest: nil)
        return objects
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
            let pending = ((try? journal.forwardObjects(unfinishedOnly: true)) ?? []).filter { $0.state == .pending }
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
            let all = (try? journal.forwardObjects(unfinishedOnly: true)) ?? []
            let busy = Set(sending.keys)
            if sending.count < max(1, settings.uploadsInFlight),
               let object = ForwardSchedule.startable(all, now: Date(), busy: busy).first {
                let id = ForwardSchedule.id(object)
                sending[id] = Task {
                    await self.send(object)
                    self.finished(id)
                }
                continue
            }
            // Nothing to start: sleep until a send ends or new work arrives (both wake us), or
            // the next retry is due (when a send could start).
            let full = sending.count >= max(1, settings.uploadsInFlight)
            let wait = full ? 5 : ForwardSchedule.nextDue(all, busy: busy).map { max(0.05, $0.timeIntervalSinceNow) } ?? 5
            await sleepOrWake(seconds: min(wait, 5))
        }
    }

    private func finished(_ id: String) {
        sending[id] = nil
        wakeWorker()
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

    /// Waits for an upload slot (see the type's concurrency note).
    func acquireSlot() async {
        if freeSlots > 0 {
            freeSlots -= 1
            return
        }
        await withCheckedContinuation { slotWaiters.append($0) }
    }

    func releaseSlot() {
        if slotWaiters.isEmpty {
            freeSlots += 1
        } else {
            slotWaiters.removeFirst().resume()
        }
    }

    private func send(_ object: Journal.ForwardObject) async {
        let key = settings.key(bag: object.bagName, path: object.path)
        let path = store.finalBag(object.bagName) + "/" + object.path
        let lock = settings.lockMode.map {
            ObjectLockSettings(retention: ObjectRetention(mode: ObjectLockMode($0), retainUntil: Date().addingTimeInterval(Double(settings.retentionDays) * 86400)),
                               legalHold: settings.legalHold)
        }
        let outcome: Result<Delivery, S3Error>
        do throws(S3Error) {
            outcome = .success(try await deliver(object, key: key, path: path, lock: lock))
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(.verified):
            try? journal.updateForward(bag: object.bagName, path: object.path, state: .verified, attempts: object.attempts + 1,
                                       nextAttemptUTC: nil, lastError: nil, verifiedUTC: UTCTimestamp.string(Date()))
            if (try? journal.isForwarded(bag: object.bagName)) == true {
                _ = try? await audit.append(.bagForwarded, detail: ["bag": object.bagName, "bucket": settings.bucket,
                                                                    "prefix": settings.prefix, "endpoint": settings.endpoint])
            }
        case .success(.mismatch(let problem)):
            // The store shows something other than what was sent: send it again.
            lastProblem = "\(key): \(problem)"
            try? journal.updateForward(bag: object.bagName, path: object.path, state: .pending, attempts: object.attempts + 1,
                                       nextAttemptUTC: UTCTimestamp.string(Date().addingTimeInterval(backoff(object.attempts))),
                                       lastError: "verification: \(problem)", verifiedUTC: nil)
        case .success(.unverifiable(let problem)):
            // Sending again would not help: the store's answers cannot prove the copy.
            lastProblem = "\(key): \(problem)"
            try? journal.updateForward(bag: object.bagName, path: object.path, state: .failed, attempts: object.attempts + 1,
                                       nextAttemptUTC: nil, lastError: "verification: \(problem)", verifiedUTC: nil)
            _ = try? await audit.append(.forwardFailed, detail: ["bag": object.bagName, "path": object.path, "reason": problem])
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
}

/// Forwarding cannot be set up: says why.
public struct ForwardError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}

extension ObjectLockMode {
    /// The S3 mode of the configured one (the same header value; Settings does not link S3Store).
    init(_ mode: ForwardSettings.LockMode) {
        switch mode {
        case .compliance: self = .compliance
        case .governance: self = .governance
        }
    }
}
