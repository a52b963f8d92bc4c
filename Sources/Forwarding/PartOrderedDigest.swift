import EvidenceStore
import Foundation
import GatewayCrypto
import S3Store
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
/// How: a part waits for its turn (`turn`, before it takes an upload slot), feeds the body as
/// it hashes it before sending (`feed`, a buffer at a time; the upload checks that the bytes
/// it sends are these), and passes the turn on once the whole part has been fed; a part that could not be read passes it
/// on too (`abandon`), which spoils the result. Parts the store already holds (a resumed
/// upload) are read from the file by the next part in its `turn`, or by `result` for the last
/// ones, and those very bytes must also match what the store lists for the part (its ETag as
/// an MD5, its SHA-256 when listed): otherwise the result is spoiled. Parts must be started in
/// index order, which the forward queue does, so the turn's holder always exists.
final class PartOrderedDigest: @unchecked Sendable {
    private let lock = NSLock()
    private let hasher = SHA256Hasher()
    private let path: String
    private let ranges: [Range<Int64>]
    private let held: [Int: MultipartPart]
    /// Every part before this one has been fed (or read, if held).
    private var fedUpTo = 0
    /// How many bytes of part `fedUpTo` have been fed so far.
    private var fedBytes: Int64 = 0
    /// Why the result is void, once it is.
    private var spoiled: String?
    private var waiting: [Int: CheckedContinuation<Void, Never>] = [:]

    /// - Parameters:
    ///   - ranges: each part's bytes of the file, in order.
    ///   - held: the parts already in the store, by index (0-based), as ListParts gave them.
    init(path: String, ranges: [Range<Int64>], held: [Int: MultipartPart]) {
        self.path = path
        self.ranges = ranges
        self.held = held
    }

    /// Returns when part `index` may feed: every part before it has fed, and the held parts
    /// just before it have been read here (at once when its turn has passed: then `feed` is
    /// ignored, and no part waits for a turn that will not come).
    func turn(_ index: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if index < fedUpTo || firstUnheld(from: fedUpTo) >= index {
                lock.unlock()
                continuation.resume()
            } else {
                waiting[index] = continuation
                lock.unlock()
            }
        }
        readHeldParts(upTo: index)
    }

    /// The next bytes of part `index`'s body, read and about to be sent; once the part's
    /// whole range has been fed, the turn passes on. Only the turn's holder may call it (other
    /// calls are ignored). Hashes outside the lock: the turn gives its holder the hasher to
    /// itself.
    func feed(_ index: Int, _ bytes: UnsafeRawBufferPointer) {
        lock.lock()
        let holder = fedUpTo == index
        lock.unlock()
        guard holder else { return }
        let total = fedBytes + Int64(bytes.count)
        if total > ranges[index].count {
            spoil("part \(index + 1) had more than \(ranges[index].count) bytes")
        }
        hasher.update(bytes)
        fedBytes = total
        if total >= ranges[index].count { pass(index) }
    }

    /// Part `index` was not read (it failed first): the result is void, and the turn passes on.
    /// Does nothing unless the part holds the turn.
    func abandon(_ index: Int, because why: String) {
        lock.lock()
        let holder = fedUpTo == index
        lock.unlock()
        guard holder else { return }
        spoil("part \(index + 1) was not read: \(why)")
        pass(index)
    }

    /// The SHA-256 of the bytes fed, once every part has fed (the held parts at the end are
    /// read here); otherwise why there is none.
    func result() -> Result<[UInt8], DigestUnavailable> {
        readHeldParts(upTo: ranges.count)
        lock.lock()
        defer { lock.unlock() }
        if let spoiled { return .failure(DigestUnavailable(reason: spoiled)) }
        guard fedUpTo == ranges.count else { return .failure(DigestUnavailable(reason: "only \(fedUpTo) of \(ranges.count) parts were fed")) }
        return .success(hasher.finalize())
    }

    struct DigestUnavailable: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    // MARK: Inside

    /// The first index from `start` on that is not held (`ranges.count` when none). Lock held.
    private func firstUnheld(from start: Int) -> Int {
        var index = start
        while index < ranges.count, held[index] != nil { index += 1 }
        return index
    }

    private func spoil(_ why: String) {
        lock.lock()
        if spoiled == nil { spoiled = why }
        lock.unlock()
    }

    /// Part `index` is done: the turn goes to the next part that is not held (which reads the
    /// held ones in between itself, in `turn`).
    private func pass(_ index: Int) {
        lock.lock()
        fedUpTo = index + 1
        fedBytes = 0
        let next = waiting.removeValue(forKey: firstUnheld(from: fedUpTo))
        lock.unlock()
        next?.resume()
    }

    /// Feeds the held parts from `fedUpTo` up to `end` from the file, checking each against
    /// what the store lists for it. Only the turn's holder (or `result`, when every part has
    /// fed) gets here with held parts to read.
    private func readHeldParts(upTo end: Int) {
        lock.lock()
        let start = fedUpTo
        let stop = min(end, firstUnheld(from: start))
        lock.unlock()
        guard start < stop else { return }
        for index in start..<stop {
            if let problem = readHeldPart(index) { spoil(problem) }
        }
        lock.lock()
        fedUpTo = stop
        lock.unlock()
    }

    /// Reads held part `index` once, feeding the whole-file hash and hashing the part itself;
    /// the reason it does not match the store's listing, or nil.
    private func readHeldPart(_ index: Int) -> String? {
        guard let part = held[index] else { return nil }
        let range = ranges[index]
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "part \(index + 1) (already in the store): cannot open \(path): \(String(cString: strerror(errno)))" }
        defer { close(fd) }
        let partSHA256 = SHA256Hasher(), partMD5 = TransportMD5()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: FileDigest.readSize, alignment: 16)
        defer { buffer.deallocate() }
        var offset = UInt64(range.lowerBound)
        while offset < UInt64(range.upperBound) {
            let want = Int(min(UInt64(buffer.count), UInt64(range.upperBound) - offset))
            let got: Int
            do {
                got = try FileIO.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]), at: offset, path: path)
            } catch {
                return "part \(index + 1) (already in the store): \(error)"
            }
            if got == 0 { return "part \(index + 1) (already in the store): \(path) ends before byte \(range.upperBound)" }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<got])
            hasher.update(chunk)
            partSHA256.update(chunk)
            partMD5.update(chunk)
            offset += UInt64(got)
        }
        let md5Hex = hexString(partMD5.finalize())
        let eTag = part.eTag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")).lowercased()
        if eTag != md5Hex {
            return "part \(index + 1) (already in the store) has ETag \(eTag), the file's bytes there have MD5 \(md5Hex)"
        }
        let sha256 = Data(partSHA256.finalize()).base64EncodedString()
        if let listed = part.checksumSHA256, listed != sha256 {
            return "part \(index + 1) (already in the store) has SHA-256 \(listed), the file's bytes there have \(sha256)"
        }
        return nil
    }
}
