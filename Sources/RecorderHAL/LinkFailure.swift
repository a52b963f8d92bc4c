import Foundation

/// How a link ended, kept for every later call: a link whose device vanished, that was closed,
/// or whose transport failed answers each call after that with the same error.
///
/// Guarantees: the first `record` wins and every later one is ignored, so `current` is nil
/// until a failure is recorded and then never changes; `record` returns the error that counts
/// (the first). Thread-safe: any thread may record or read at any time, also while holding a
/// lock of its own (this one is taken last and calls nothing while held).
public final class LinkFailure: @unchecked Sendable {
    private let lock = NSLock()
    private var first: LinkError?

    public init() {}

    /// The first failure recorded, or nil while the link works.
    public var current: LinkError? {
        lock.withLock { first }
    }

    /// Records `error` unless a failure was recorded already; returns the first one.
    @discardableResult
    public func record(_ error: LinkError) -> LinkError {
        lock.withLock {
            if let first { return first }
            first = error
            return error
        }
    }
}
