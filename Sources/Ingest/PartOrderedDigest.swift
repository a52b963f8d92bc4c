import Foundation
import GatewayCrypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The SHA-256 of a whole file computed from the bodies of its multipart upload, in part order,
/// although the parts are read and sent several at a time.
///
/// Why: the manifest's SHA-256 is the evidence hash. Checking it against the bytes actually
/// sent, just before CompleteMultipartUpload, means a file that changed on disk after the bag
/// was sealed (or a read that returned other bytes) never becomes an object in the store, let
/// alone a verified one that lets the recorder free the original.
///
/// How: each part waits for its turn (`turn`) before it takes an upload slot, feeds the body it
/// has just read (`feed`), and so passes the turn on; a part that could not be read passes it
/// on too (`abandon`), which spoils the result. Parts the store already holds (a resumed
/// upload) are read from the file when their turn comes. Parts must be started in index order,
/// which the forward queue does, so the turn's holder always exists.
final class PartOrderedDigest: @unchecked Sendable {
    private let lock = NSLock()
    private let hasher = SHA256Hasher()
    private let path: String
    private let ranges: [Range<Int64>]
    private let held: Set<Int>
    /// The part whose bytes come next.
    private var next = 0
    /// Why the result is void, once it is.
    private var spoiled: String?
    private var waiting: [Int: CheckedContinuation<Void, Never>] = [:]

    /// - Parameters:
    ///   - ranges: each part's bytes of the file, in order.
    ///   - held: indices (0-based) of the parts already in the store, fed from the file.
    init(path: String, ranges: [Range<Int64>], held: Set<Int>) {
        self.path = path
        self.ranges = ranges
        self.held = held
        lock.lock()
        let resume = advancePastHeldParts()
        lock.unlock()
        resume?.resume()
    }

    /// Returns when part `index` may feed (at once when its turn has passed: then `feed` is
    /// ignored, and no part ever waits for a turn that will not come).
    func turn(_ index: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if next >= index {
                lock.unlock()
                continuation.resume()
            } else {
                waiting[index] = continuation
                lock.unlock()
            }
        }
    }

    /// Part `index`'s body, read and about to be sent; then the turn passes on. Only the turn's
    /// holder may call it (later calls for the same part are ignored).
    func feed(_ index: Int, _ bytes: UnsafeRawBufferPointer) {
        lock.lock()
        guard next == index else { lock.unlock(); return }
        if Int64(bytes.count) != ranges[index].count {
            spoiled = spoiled ?? "part \(index + 1) had \(bytes.count) bytes, not \(ranges[index].count)"
        }
        hasher.update(bytes)
        next += 1
        let resume = advancePastHeldParts()
        lock.unlock()
        resume?.resume()
    }

    /// Part `index` was not read (it failed first): the result is void, and the turn passes on.
    /// Does nothing when the part already fed.
    func abandon(_ index: Int, because why: String) {
        lock.lock()
        guard next == index else { lock.unlock(); return }
        spoiled = spoiled ?? "part \(index + 1) was not read: \(why)"
        next += 1
        let resume = advancePastHeldParts()
        lock.unlock()
        resume?.resume()
    }

    /// The SHA-256 of the bytes fed, once every part has fed; otherwise why there is none.
    func result() -> Result<[UInt8], DigestUnavailable> {
        lock.lock()
        defer { lock.unlock() }
        if let spoiled { return .failure(DigestUnavailable(reason: spoiled)) }
        guard next == ranges.count else { return .failure(DigestUnavailable(reason: "only \(next) of \(ranges.count) parts were fed")) }
        return .success(hasher.finalize())
    }

    struct DigestUnavailable: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    /// Feeds the held parts from the file while they are next, and takes out the waiter of
    /// the part whose turn it then is (resumed by the caller, outside the lock). Lock held.
    private func advancePastHeldParts() -> CheckedContinuation<Void, Never>? {
        while next < ranges.count, held.contains(next) {
            if spoiled == nil {
                let range = ranges[next]
                let fd = open(path, O_RDONLY | O_CLOEXEC)
                if fd < 0 {
                    spoiled = "part \(next + 1) (already in the store): cannot open \(path): \(String(cString: strerror(errno)))"
                } else {
                    do {
                        try FileDigest.feed(fd, from: UInt64(range.lowerBound), upTo: UInt64(range.upperBound), path: path, into: hasher)
                    } catch {
                        spoiled = "part \(next + 1) (already in the store): \(error)"
                    }
                    close(fd)
                }
            }
            next += 1
        }
        return waiting.removeValue(forKey: next)
    }
}
