import Foundation

/// Lets one upload body at a time be read into memory and handed over to URLSession.
///
/// Why: URLSession copies a body when its task is created, so during the hand-over a body
/// exists twice. With several uploads starting together, every one of them could be doubled
/// at once; through this gate at most one is, and the memory for bodies stays near one copy
/// per upload on the wire plus one. Reading and hashing a part takes a small fraction of the
/// time it takes to send it, so the gate costs no throughput worth measuring.
final class HandOverGate: @unchecked Sendable {
    private let lock = NSLock()
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Returns when the caller may read its body; `leave` (exactly once) lets the next one in.
    func enter() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if busy {
                waiting.append(continuation)
                lock.unlock()
            } else {
                busy = true
                lock.unlock()
                continuation.resume()
            }
        }
    }

    func leave() {
        lock.lock()
        if waiting.isEmpty {
            busy = false
            lock.unlock()
        } else {
            let next = waiting.removeFirst()
            lock.unlock()
            next.resume()
        }
    }
}
