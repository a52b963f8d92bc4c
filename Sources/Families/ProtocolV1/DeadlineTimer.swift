import Dispatch

/// One wake-up that can be moved: a Dispatch timer source that fires `fire` once at the instant
/// it was last armed for, and not at any instant it was armed for before.
///
/// Why not a `Task.sleep` per deadline: a cancelled `Task.sleep` throws at once, but the
/// runtime's wake job stays queued in Dispatch, with its task and timer, until the sleep's own
/// deadline (about 740 bytes a sleep with Swift 6.3 on Linux), so a sleep per request kept one
/// for every request of the last timeout period (#11). Moving this timer allocates nothing
/// that outlives it.
final class DeadlineTimer {
    private let source: DispatchSourceTimer

    /// A timer that is not armed yet; `fire` runs on a global queue each time an armed instant
    /// is reached.
    init(fire: @escaping @Sendable () -> Void) {
        source = DispatchSource.makeTimerSource(queue: .global())
        source.setEventHandler(handler: fire)
        source.schedule(deadline: .distantFuture)
        source.activate()
    }

    /// Fires once at `instant` (at once if it has passed), instead of at any instant set before.
    func arm(at instant: ContinuousClock.Instant) {
        // Dispatch counts time on its own clock: the distance from now carries over.
        let wait = max(.zero, instant - ContinuousClock.now)
        let (seconds, attoseconds) = wait.components
        let nanoseconds = seconds >= Int64.max / 1_000_000_000 - 1 ? Int.max : Int(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        source.schedule(deadline: .now() + .nanoseconds(nanoseconds), leeway: .milliseconds(1))
    }

    /// Stops the timer for good: no firing begins after this returns.
    func cancel() {
        source.cancel()
    }

    deinit {
        source.cancel()
    }
}
