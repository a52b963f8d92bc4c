import Foundation

/// What a link has received, as the transport sees it, apart from what the host has read:
/// the evidence a request's timeout consults, so that a busy host is never taken for a silent
/// recorder.
///
/// The transport calls `arrived()` the moment an IN transfer completes (on libusb's event
/// thread, or in the simulated bus), and the link's `receive()` calls `read()` when it hands
/// that transfer to its caller. So `unread > 0` means a reply may be waiting for the host, and
/// `lastArrival` is when the device last said anything at all. Thread-safe.
public final class LinkActivity: @unchecked Sendable {
    private let lock = NSLock()
    private var last: ContinuousClock.Instant?
    private var unreadTransfers = 0

    public init() {}

    /// An IN transfer with data has completed.
    public func arrived() {
        let now = ContinuousClock.now
        lock.withLock {
            last = now
            unreadTransfers += 1
        }
    }

    /// One arrived transfer was handed to the host.
    public func read() {
        lock.withLock { unreadTransfers = max(0, unreadTransfers - 1) }
    }

    /// When data last arrived (nil: never), and how many transfers the host has not read yet.
    public var snapshot: (lastArrival: ContinuousClock.Instant?, unread: Int) {
        lock.withLock { (last, unreadTransfers) }
    }
}
