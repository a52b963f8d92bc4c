import Foundation

/// The bytes of one PUT or part, read from disk (`LocalFile.load`) and handed to URLSession
/// exactly once.
///
/// Why a box rather than a `Data` passed along: URLSession copies an upload body into its own
/// buffer when the task is created. Taking the bytes out of the box there lets the loaded copy
/// be freed at once, so a request in flight holds one copy of its body, not two.
///
/// Why in memory at all rather than `uploadTask(with:fromFile:)`: FoundationNetworking
/// (swift-corelibs-foundation 6.3) reads a file body through DispatchIO and pauses libcurl
/// while it waits for the disk. When the connection drops in that pause (the store restarted,
/// a proxy reset it), the unpause meets a handle with no connection, libcurl answers
/// CURLE_BAD_FUNCTION_ARGUMENT and FoundationNetworking stops the process on a `try!`
/// (EasyHandle.swift:484). An in-memory body never pauses the send, and a lost connection
/// is then an ordinary transport error.
final class UploadBody: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: Data?
    /// Called once, when the bytes are taken or the body is dropped untaken.
    private var handedOver: (@Sendable () -> Void)?
    /// How many bytes the body has (also after it was taken).
    let count: Int

    init(_ bytes: Data) {
        self.bytes = bytes
        count = bytes.count
    }

    deinit { handedOver?() }

    /// Calls `action` once: when the bytes are taken, or when the body is dropped without
    /// being sent (a request refused before it went out).
    func onHandOver(_ action: @escaping @Sendable () -> Void) {
        lock.lock()
        handedOver = action
        lock.unlock()
    }

    /// Lets `body` look at the bytes while they are still here (before `take`).
    func withBytes(_ body: (UnsafeRawBufferPointer) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        bytes?.withUnsafeBytes(body)
    }

    /// Hands the bytes to `use` the first time (nil after: a body is sent once), drops this
    /// copy when `use` returns, and then signals the hand-over (`onHandOver`). `use` is where
    /// URLSession makes its own copy.
    func take<T>(_ use: (Data) -> T) -> T? {
        lock.lock()
        var taken = bytes
        bytes = nil
        let action = handedOver
        handedOver = nil
        lock.unlock()
        guard let bytes = taken else { return nil }
        taken = nil
        let result = use(bytes)
        _ = consume bytes
        action?()
        return result
    }
}
