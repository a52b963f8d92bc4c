/// Lets one task at a time through a piece of asynchronous work, in the order they arrived.
///
/// An actor alone does not serialize work that suspends: another call runs at every `await`.
/// Local retention needs whole passes one after another (the periodic pass, the pass after
/// `--once` drains the queue and `recorderctl prune --now` could otherwise meet on one bag:
/// one withdraws it while the other takes it for a removal a stop cut short).
public actor Turnstile {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init() {}

    /// Runs `body` once every earlier caller's body has finished.
    public func pass<T: Sendable>(_ body: @Sendable () async -> T) async -> T {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            busy = true
        }
        defer {
            // Hand the turn straight to the next caller, so nobody arriving now overtakes it.
            if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
        }
        return await body()
    }
}
