import Foundation
import RecorderHAL
import RecorderProtocol

/// The host side of one protocol conversation over a link: tags requests, keeps several in
/// flight, matches replies to requests whatever order they come back in, and times each one.
///
/// Guarantees: every request ends exactly once (reply, timeout, cancellation or link failure);
/// a request times out only once the link has delivered nothing for the whole timeout since it
/// was sent, and never while a transfer the link received is still unread (a busy host is not a
/// silent recorder; links that cannot tell fall back to the time since sending);
/// at most `maxInFlight` requests are outstanding; a reply whose payload fails its check fails
/// only its own request; once the stream is out of step or the link fails, every outstanding
/// and later request fails with that error.
///
/// One timer serves every request of the client (`DeadlineTimer`), set for the earliest
/// instant a request is next due to be looked at; a reply only removes its request.
public actor ProtocolClient {
    private let link: any RecorderLink
    private var decoder = FrameDecoder()
    private var pending: [UInt32: Pending] = [:]
    private var nextTag: UInt32 = 1
    private var failure: RecorderError?
    private var pump: Task<Void, Never>?
    private var inFlight = 0
    private var permitWaiters: [CheckedContinuation<Void, Never>] = []

    /// Requests allowed at once; HELLO raises it to what the device accepts.
    public private(set) var maxInFlight = 1
    /// Replies that arrived for no outstanding request (late after a timeout, or unsolicited).
    public private(set) var strayReplies = 0
    /// Replies that failed their payload check.
    public private(set) var corruptReplies = 0
    private var stats = ExchangeStatistics()

    /// The one timer of the client's request deadlines, made at the first request.
    private var deadlineTimer: DeadlineTimer?
    /// The instant the timer is set for; nil when it is not set.
    private var timerSetFor: ContinuousClock.Instant?
    /// How many times the timer was set, for tests: once a timeout period when requests with
    /// the same timeout follow each other, not once a request.
    private(set) var timerSettings = 0

    private struct Pending {
        let opcode: Opcode
        let continuation: CheckedContinuation<Frame, any Error>
        let sent: ContinuousClock.Instant
        let timeout: Duration
        /// When the request is next looked at: `sent + timeout`, later when the link was not
        /// silent all that time.
        var due: ContinuousClock.Instant
    }

    public init(link: any RecorderLink) {
        self.link = link
    }

    /// Starts reading from the link. Call once before the first request.
    public func start() {
        guard pump == nil else { return }
        pump = Task { await self.runPump() }
    }

    /// Applies what HELLO negotiated.
    public func configure(maxPayload: Int, maxInFlight: Int) {
        decoder.maximumPayload = maxPayload
        self.maxInFlight = max(1, maxInFlight)
        grantPermits()
    }

    /// Sends `request` and returns the device's reply frame, whatever its status.
    ///
    /// - Throws: `RecorderError` with reason `.timedOut`, `.link`, `.framing`, `.corruptReply`,
    ///   `.unexpectedReply` or `.cancelled`.
    public func exchange(_ request: Frame, timeout: Duration) async throws(RecorderError) -> Frame {
        if let failure { throw failure }
        await acquirePermit()
        if let failure {
            releasePermit()
            throw failure
        }
        let tag = nextTag
        stats.requests += 1
        nextTag = nextTag == UInt32.max ? 1 : nextTag + 1
        var frame = request
        frame.tag = tag
        let bytes = frame.encoded()
        let opcode = frame.opcode
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Frame, any Error>) in
                    let sent = ContinuousClock.now
                    pending[tag] = Pending(opcode: opcode, continuation: continuation, sent: sent, timeout: timeout, due: sent + timeout)
                    wake(by: sent + timeout)
                    stats.peakInFlight = max(stats.peakInFlight, pending.count)
                    Task { await self.transmit(bytes, tag: tag, timeout: timeout) }
                }
            } onCancel: {
                Task { await self.finish(tag, with: .failure(RecorderError(.cancelled))) }
            }
        } catch let error as RecorderError {
            throw error.context("\(opcode) tag \(tag)")
        } catch {
            throw RecorderError(.cancelled, context: ["\(opcode) tag \(tag)"])
        }
    }

    /// Fails everything outstanding and closes the link.
    public func close() async {
        fail(RecorderError(.link(.closed)))
        deadlineTimer?.cancel()
        deadlineTimer = nil
        timerSetFor = nil
        pump?.cancel()
        await link.close()
    }

    /// Counters since the conversation started, for diagnostics.
    public func statistics() -> ExchangeStatistics {
        var s = stats
        s.corruptReplies = corruptReplies
        s.strayReplies = strayReplies
        return s
    }

    // MARK: - Internals

    /// Sets the timer to fire no later than `instant`. A timer set for an earlier instant stays
    /// as it is: when it fires, it is set again for the earliest request then due.
    private func wake(by instant: ContinuousClock.Instant) {
        if let timerSetFor, timerSetFor <= instant { return }
        let timer = deadlineTimer ?? DeadlineTimer { [weak self] in
            guard let self else { return }
            Task { await self.deadlinesReached() }
        }
        deadlineTimer = timer
        timer.arm(at: instant)
        timerSetFor = instant
        timerSettings += 1
    }

    /// Called when the timer fires: fails each request whose timeout ran out, gives more time
    /// to those the link was not silent for, and sets the timer for the next one due.
    private func deadlinesReached() {
        guard deadlineTimer != nil else { return }
        timerSetFor = nil
        let now = ContinuousClock.now
        let activity = link.activity?.snapshot
        for tag in Array(pending.keys) {
            guard let entry = pending[tag], entry.due <= now else { continue }
            if let more = moreTime(entry, now: now, activity: activity) {
                pending[tag]?.due = now + more
                continue
            }
            stats.timeouts += 1
            let timeout = entry.timeout.components
            let milliseconds = Int(timeout.seconds * 1000 + timeout.attoseconds / 1_000_000_000_000_000)
            finish(tag, with: .failure(RecorderError(.timedOut(milliseconds: milliseconds))))
        }
        if let next = pending.values.lazy.map(\.due).min() { wake(by: next) }
    }

    /// How much longer a request whose timeout ran out may wait because the link was not
    /// silent all that time; nil when it times out now.
    private func moreTime(_ entry: Pending, now: ContinuousClock.Instant,
                          activity: (lastArrival: ContinuousClock.Instant?, unread: Int)?) -> Duration? {
        guard let activity else { return nil }
        // A transfer arrived that the pump has not read yet: it may be this reply.
        if activity.unread > 0 { return max(.milliseconds(5), entry.timeout / 50) }
        let quietSince = max(entry.sent, activity.lastArrival ?? entry.sent)
        let silent = now - quietSince
        return silent < entry.timeout ? entry.timeout - silent : nil
    }

    private func transmit(_ bytes: [UInt8], tag: UInt32, timeout: Duration) async {
        do throws(LinkError) {
            try await link.send(bytes, timeout: timeout)
        } catch {
            if error == .deviceGone || error == .closed {
                fail(RecorderError(.link(error)))
            } else {
                finish(tag, with: .failure(RecorderError(.link(error))))
            }
        }
    }

    private func runPump() async {
        while failure == nil {
            let bytes: [UInt8]
            do throws(LinkError) {
                bytes = try await link.receive()
            } catch {
                fail(RecorderError(.link(error)))
                return
            }
            decoder.append(bytes)
            drainFrames()
        }
    }

    private func drainFrames() {
        while true {
            do throws(FrameError) {
                guard let frame = try decoder.next() else { return }
                guard frame.isResponse, let entry = pending[frame.tag] else {
                    strayReplies += 1
                    continue
                }
                if frame.opcode != entry.opcode {
                    finish(frame.tag, with: .failure(RecorderError(.unexpectedReply(
                        "tag \(frame.tag) was \(entry.opcode) but the reply is \(frame.opcode)"))))
                } else {
                    finish(frame.tag, with: .success(frame))
                }
            } catch {
                switch error {
                case .payloadCheckMismatch(_, let tag, _, _):
                    corruptReplies += 1
                    finish(tag, with: .failure(RecorderError(.corruptReply(String(describing: error)))))
                case .unknownOpcode(_, let tag, _):
                    finish(tag, with: .failure(RecorderError(.unexpectedReply(error.description))))
                default:
                    fail(RecorderError(.framing(String(describing: error))))
                    return
                }
            }
        }
    }

    private func finish(_ tag: UInt32, with result: Result<Frame, RecorderError>) {
        guard let entry = pending.removeValue(forKey: tag) else { return }
        releasePermit()
        switch result {
        case .success(let frame): entry.continuation.resume(returning: frame)
        case .failure(let error): entry.continuation.resume(throwing: error)
        }
    }

    private func fail(_ error: RecorderError) {
        if failure == nil { failure = error }
        let all = pending
        pending.removeAll()
        for (_, entry) in all {
            entry.continuation.resume(throwing: error)
        }
        inFlight = 0
        let waiters = permitWaiters
        permitWaiters.removeAll()
        for w in waiters { w.resume() }
    }

    private func acquirePermit() async {
        if inFlight < maxInFlight && permitWaiters.isEmpty {
            inFlight += 1
            return
        }
        await withCheckedContinuation { permitWaiters.append($0) }
    }

    private func releasePermit() {
        inFlight = max(0, inFlight - 1)
        grantPermits()
    }

    private func grantPermits() {
        while inFlight < maxInFlight, !permitWaiters.isEmpty {
            inFlight += 1
            permitWaiters.removeFirst().resume()
        }
    }
}
