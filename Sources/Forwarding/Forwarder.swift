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
    let audit: AuditLogFile
    var worker: Task<Void, Never>?
    var wake: CheckedContinuation<Void, Never>?
    var wakeGeneration = 0
    var pausedUntil: Date?
    /// Objects being sent now (`ForwardSchedule.id`), with their tasks.
    var sending: [String: Task<Void, Never>] = [:]
    /// Upload slots free, and the part uploads waiting for one.
    var freeSlots: Int
    var slotWaiters: [CheckedContinuation<Void, Never>] = []
    /// The log says forwarding is paused outside `forward-hours` (`noteWindow`).
    var windowClosedNoted = false
    /// The last error, for `recorderctl queue`.
    public internal(set) var lastProblem: String?

    public init(settings: ForwardSettings, credentials: S3Credentials, journal: Journal, store: LocalStore,
                audit: AuditLogFile) throws(ForwardError) {
        let endpoint: S3Endpoint
        do {
            endpoint = try settings.s3Endpoint()
        } catch {
            throw ForwardError(reason: "\(error)")
        }
        self.settings = settings
        self.client = S3Client(endpoint: endpoint, credentials: credentials, sendBytesPerSecond: settings.rateLimit)
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

    /// Whether the queue is being worked (false when the store could not be checked at start).
    public var isRunning: Bool { worker != nil }

    /// Waits until the bag is verified in the store, or `timeout` passes. Returns whether it is.
    /// Returns at once when the queue is not being worked.
    /// Returns at once when the queue is not being worked, or (soon after) when outside
    /// `forward-hours`: nothing will be uploaded before the window opens.
    public func waitFor(bag: String, timeout: Duration) async -> Bool {
        guard worker != nil else { return (try? journal.isForwarded(bag: bag)) == true }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? journal.isForwarded(bag: bag)) == true { return true }
            if !window().open { return false }
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

    /// The bags still to forward (an object of each not verified), in forwarding order, each
    /// with why it has its place (`ForwardOrder.Reason`'s raw value), for `recorderctl queue`.
    public nonisolated func order() throws -> [(bag: String, reason: String)] {
        let open = Set(try journal.forwardObjects(unfinishedOnly: true).map(\.bagName))
        var known = Set<String>()
        var places: [(bag: String, reason: String)] = []
        for bag in ForwardOrder.sorted(try journal.forwardBags()) where open.contains(bag.bagName) {
            known.insert(bag.bagName)
            places.append((bag.bagName, ForwardOrder.reason(bag).rawValue))
        }
        // A bag without its place recorded (none should be) is worked last: said so, by name.
        for bag in open.subtracting(known).sorted() { places.append((bag, ForwardOrder.Reason.age.rawValue)) }
        return places
    }

    /// What `moveToFront` did.
    public enum FrontMove: Sendable, Equatable {
        /// The bag is now first of the bags still to forward.
        case moved
        /// Every object of the bag is verified in the store already: there is nothing to move.
        case alreadyForwarded
        /// The queue holds no such bag.
        case unknown
    }

    /// Moves `bag` ahead of every other bag still to forward (`ForwardOrder`); the journal keeps
    /// the order across restarts. Uploads already on the wire finish; the bag's objects are the
    /// next to start.
    public func moveToFront(bag: String) throws -> FrontMove {
        guard try journal.forwardBags().contains(where: { $0.bagName == bag }) else { return .unknown }
        if try journal.isForwarded(bag: bag) { return .alreadyForwarded }
        guard try journal.moveForwardBagToFront(bag) else { return .unknown }
        wakeWorker()
        return .moved
    }

    /// Puts a bag's failed objects back in the queue; returns how many.
    public func retry(bag: String) throws -> Int {
        let n = try journal.retryForward(bag: bag)
        pausedUntil = nil
        wakeWorker()
        return n
    }
}
