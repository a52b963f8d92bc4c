import Foundation

/// A token bucket, pure: `rate` bytes a second, at most `burst` saved up. Times are
/// nanoseconds on any monotonic clock the caller chooses.
///
/// Guarantees: over any interval of length T from the first call on, `take` grants at most
/// `rate × T + burst` bytes in all, whoever asks.
public struct TokenBucket: Sendable, Equatable {
    public let rate: Int64
    public let burst: Int64
    private var tokens: Double
    private var last: UInt64?

    /// `rate` bytes a second (at least 1); `burst` defaults to a quarter second's worth, at
    /// least 16 KiB (so that a read hands libcurl a useful amount) and never more than a second's.
    public init(rate: Int64, burst: Int64? = nil) {
        self.rate = max(1, rate)
        self.burst = max(1, burst ?? min(self.rate, max(16 << 10, self.rate / 4)))
        tokens = Double(self.burst)
    }

    private mutating func refill(_ now: UInt64) {
        if let last, now > last {
            tokens = min(Double(burst), tokens + Double(now - last) * Double(rate) / 1e9)
        }
        if last == nil || now > last! { last = now }
    }

    /// The least a `take` grants (unless less is wanted): 16 KiB, or the whole burst when that
    /// is smaller, so that a trickle of tokens is not handed out a few bytes at a time.
    public var minimumGrant: Int64 { min(burst, 16 << 10) }

    /// Takes up to `wanted` bytes' worth at `now`; returns how many were granted: 0 while the
    /// bucket holds less than `minimumGrant` (or than `wanted`, when that is less).
    public mutating func take(upTo wanted: Int, now: UInt64) -> Int {
        refill(now)
        let granted = min(Int64(wanted), Int64(tokens.rounded(.down)))
        guard granted > 0, granted >= min(Int64(wanted), minimumGrant) else { return 0 }
        tokens -= Double(granted)
        return Int(granted)
    }

    /// Gives back bytes taken and not sent (the source had fewer).
    public mutating func giveBack(_ bytes: Int) {
        tokens = min(Double(burst), tokens + Double(max(0, bytes)))
    }

    /// Nanoseconds from `now` until `minimumGrant` can be taken (0: now).
    public func delay(now: UInt64) -> UInt64 {
        var copy = self
        copy.refill(now)
        let needed = Double(minimumGrant) - copy.tokens
        guard needed > 0 else { return 0 }
        return UInt64((needed * 1e9 / Double(rate)).rounded(.up))
    }
}

/// The cap on the bytes a second that every request body of one `HTTPClient` sends, together:
/// one `TokenBucket` shared by all its transfers, drawn from by libcurl's read callback.
///
/// Why a bucket in the read callback rather than `CURLOPT_MAX_SEND_SPEED_LARGE`: that option
/// caps each transfer on its own, so holding a total means dividing the cap by the most
/// transfers that could be in flight (`uploads-in-flight`), and then a lone upload (the usual
/// case late in a bag, or with one large video) gets only that fraction of the uplink the
/// kiosk was allowed. The shared bucket holds the total however many transfers there are, a
/// lone one getting all of it, and its clock can be injected, so a test counts bytes per
/// window without timing anything.
///
/// A transfer finding the bucket empty is paused (`CURL_READFUNC_PAUSE`) and joins a queue;
/// the event loop resumes the queue's first once bytes are due, and while anyone waits, no
/// other transfer may take ahead of it. So transfers take turns and none is starved (a
/// transfer whose socket is always writable would otherwise take every byte as it accrues):
/// the settings keep the cap at 64 KiB/s or more, so even 32 transfers each move 16 KiB
/// every 8 s, well inside the idle timeout.
///
/// Threads: used by the event-loop thread only (the read callbacks and the loop itself).
final class SendRateLimit: @unchecked Sendable {
    private var bucket: TokenBucket
    private let clock: @Sendable () -> UInt64
    /// The transfers paused for want of bytes, first come first.
    private var waiting: [ObjectIdentifier] = []

    init(bytesPerSecond: Int64, clock: @escaping @Sendable () -> UInt64) {
        bucket = TokenBucket(rate: bytesPerSecond)
        self.clock = clock
    }

    /// Up to `wanted` bytes for `transfer` now; 0 when it must wait (it is then queued).
    func take(upTo wanted: Int, for transfer: ObjectIdentifier) -> Int {
        if let first = waiting.first, first != transfer {
            if !waiting.contains(transfer) { waiting.append(transfer) }
            return 0
        }
        let granted = bucket.take(upTo: wanted, now: clock())
        if granted == 0 {
            if waiting.isEmpty { waiting.append(transfer) }
        } else if waiting.first == transfer {
            waiting.removeFirst()
        }
        return granted
    }

    func giveBack(_ bytes: Int) { bucket.giveBack(bytes) }

    /// The transfer to resume next, and in how many nanoseconds (0: now); nil when none waits.
    func next() -> (transfer: ObjectIdentifier, delay: UInt64)? {
        waiting.first.map { ($0, bucket.delay(now: clock())) }
    }

    /// Forgets a transfer that ended (done, failed or cancelled) while it waited.
    func forget(_ transfer: ObjectIdentifier) { waiting.removeAll { $0 == transfer } }

    /// The monotonic clock in nanoseconds.
    static let monotonic: @Sendable () -> UInt64 = { DispatchTime.now().uptimeNanoseconds }
}
