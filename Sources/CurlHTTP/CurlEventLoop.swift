import CCurl
import Foundation

/// libcurl's multi interface driven by one thread for the whole process: every request of
/// every `HTTPClient` is a transfer on it, and the multi handle's connection cache keeps
/// connections alive between them and reuses them (per host, port and TLS settings).
///
/// Why one thread: transfers spend their time waiting on sockets; one `curl_multi_poll`
/// waits for all of them, and the reads of a file body (from the page cache, just hashed)
/// are short. The thread lives as long as the process.
final class CurlEventLoop: @unchecked Sendable {
    static let shared = CurlEventLoop()

    /// libcurl's `CURLM *`.
    private let multi: UnsafeMutableRawPointer
    private let lock = NSLock()
    /// Submitted, not yet added to the multi handle (guarded by `lock`).
    private var incoming: [CurlTransfer] = []
    /// The transfers in the multi handle, by easy handle (event-loop thread only).
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]

    private init() {
        // Thread-safe in this libcurl (its "threadsafe" feature); called before any handle.
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed: libcurl is unusable") }
        self.multi = multi
        let thread = Thread { [self] in run() }
        thread.name = "libcurl"
        thread.start()
    }

    /// Hands `transfer` to the loop, which finishes it exactly once.
    func submit(_ transfer: CurlTransfer) {
        lock.withLock { incoming.append(transfer) }
        curl_multi_wakeup(multi)
    }

    /// Makes the loop look at the cancellation flags now.
    func wake() { curl_multi_wakeup(multi) }

    private func run() {
        while true {
            let added = lock.withLock {
                defer { incoming = [] }
                return incoming
            }
            for transfer in added {
                if transfer.isCancelled {
                    transfer.finish(.failure(Self.cancelled))
                } else if curl_multi_add_handle(multi, transfer.easy) == CURLM_OK {
                    active[transfer.easy] = transfer
                } else {
                    transfer.finish(.failure(HTTPFailure(kind: .other, curlCode: 0, detail: "curl_multi_add_handle failed")))
                }
            }
            for (easy, transfer) in active where transfer.isCancelled {
                curl_multi_remove_handle(multi, easy)
                active[easy] = nil
                transfer.finish(.failure(Self.cancelled))
            }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var left: Int32 = 0
            while let message = curl_multi_info_read(multi, &left) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                      let transfer = active.removeValue(forKey: easy) else { continue }
                let code = rg_message_result(message)
                curl_multi_remove_handle(multi, easy)
                transfer.complete(code)
            }
            // Transfers paused for their client's send cap go on once bytes are due; the poll
            // below wakes in time for the next.
            let timeout = resumeRateLimited()
            // Returns on socket activity, a libcurl timer, a wakeup, or after a second.
            curl_multi_poll(multi, nil, 0, timeout, nil)
        }
    }

    /// Resumes, for each send cap, the first transfer waiting for its turn once bytes are due,
    /// and returns how long the loop may wait at most, in milliseconds (until the next is due,
    /// up to 1 s).
    private func resumeRateLimited() -> Int32 {
        var wait: UInt64 = 1_000_000_000
        var limits: [ObjectIdentifier: SendRateLimit] = [:]
        for transfer in active.values where transfer.pausedForRate {
            if let limit = transfer.rateLimit { limits[ObjectIdentifier(limit)] = limit }
        }
        let byIdentity = Dictionary(active.map { (ObjectIdentifier($0.value), $0) }, uniquingKeysWith: { a, _ in a })
        for limit in limits.values {
            guard let (id, delay) = limit.next() else { continue }
            guard let (easy, transfer) = byIdentity[id] else {
                limit.forget(id)   // ended without finish() (not expected): never block the rest
                wait = 0
                continue
            }
            if delay > 0 {
                wait = min(wait, delay)
                continue
            }
            // Resumed already, and libcurl has not asked it for bytes yet (its socket is not
            // writable): the poll wakes when it is.
            guard transfer.pausedForRate else { continue }
            transfer.pausedForRate = false
            // May call the read callback at once, which takes its bytes (or pauses the transfer
            // again). A failure here (the connection went away) ends the transfer through
            // curl_multi_info_read like any other.
            _ = curl_easy_pause(easy, rg_pause_cont)
            wait = 0
        }
        return Int32(min(1000, (wait + 999_999) / 1_000_000))
    }

    static let cancelled = HTTPFailure(kind: .cancelled, curlCode: 0, detail: "the request was cancelled")
}
