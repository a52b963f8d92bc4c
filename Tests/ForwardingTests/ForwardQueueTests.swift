import Evidence
import EvidenceStore
@testable import Forwarding
import Foundation
import GatewayCrypto
import Journal
import S3Store
import Testing

/// The forward queue's pure parts: what may be sent when, and what counts as the same copy.
@Suite struct ForwardScheduleTests {
    static func object(_ bag: String, _ path: String, _ ordinal: Int, _ state: Journal.ForwardState = .pending,
                       next: String? = nil) -> Journal.ForwardObject {
        Journal.ForwardObject(bagName: bag, path: path, ordinal: ordinal, size: 1, sha256: [], state: state, nextAttemptUTC: next)
    }

    /// A bag as `Forwarder.objects(ofBag:)` queues it.
    static func bag(_ name: String, payload: [Journal.ForwardState], tags: Journal.ForwardState = .pending) -> [Journal.ForwardObject] {
        var objects = payload.enumerated().map { object(name, "data/\($0.offset).MP4", $0.offset, $0.element) }
        let base = ForwardSchedule.tagOrdinalBase
        objects += [object(name, "report.json", base, tags), object(name, "bag-info.txt", base + 1, tags),
                    object(name, "custody.json", base + 2, tags), object(name, BagIt.declarationFileName, base + 3, tags),
                    object(name, BagIt.tagManifestFileName, base + 4, tags)]
        return objects
    }

    static func paths(_ objects: [Journal.ForwardObject]) -> [String] { objects.map(\.path) }

    @Test func payloadGoesFirstAndAllOfItAtOnce() {
        let start = ForwardSchedule.startable(Self.bag("b", payload: [.pending, .pending, .pending]), now: Date(), busy: [])
        #expect(Self.paths(start) == ["data/0.MP4", "data/1.MP4", "data/2.MP4"])
    }

    @Test func noTagFileStartsWhileAPayloadObjectIsUnverified() {
        // One payload object waits for its retry, one has failed for good: the tags wait either way.
        let later = UTCTimestamp.string(Date().addingTimeInterval(60))
        var queue = Self.bag("b", payload: [.verified, .pending, .verified])
        queue[1].nextAttemptUTC = later
        #expect(ForwardSchedule.startable(queue, now: Date(), busy: []).isEmpty)
        #expect(ForwardSchedule.nextDue(queue, busy: []).map { abs($0.timeIntervalSinceNow - 60) < 2 } == true)
        queue[1].state = .failed
        #expect(ForwardSchedule.startable(queue, now: Date(), busy: []).isEmpty)
        #expect(ForwardSchedule.nextDue(queue, busy: []) == nil, "a failed object waits for retry, not for a timer")
    }

    @Test func theDeclarationAndTheTagManifestComeLast() {
        var queue = Self.bag("b", payload: [.verified, .verified])
        #expect(Self.paths(ForwardSchedule.startable(queue, now: Date(), busy: [])) == ["report.json", "bag-info.txt", "custody.json"])
        for i in queue.indices where ["report.json", "bag-info.txt", "custody.json"].contains(queue[i].path) { queue[i].state = .verified }
        #expect(Self.paths(ForwardSchedule.startable(queue, now: Date(), busy: [])) == [BagIt.declarationFileName])
        queue[queue.firstIndex { $0.path == BagIt.declarationFileName }!].state = .verified
        #expect(Self.paths(ForwardSchedule.startable(queue, now: Date(), busy: [])) == [BagIt.tagManifestFileName])
    }

    @Test func bagsDoNotWaitForEachOtherAndBusyObjectsAreSkipped() {
        let queue = Self.bag("a", payload: [.pending, .pending]) + Self.bag("b", payload: [.verified])
        let start = ForwardSchedule.startable(queue, now: Date(), busy: ["a/data/0.MP4"])
        #expect(start.map(ForwardSchedule.id) == ["a/data/1.MP4", "b/report.json", "b/bag-info.txt", "b/custody.json"])
    }

    @Test func anObjectWaitsForItsRetryTime() {
        var queue = Self.bag("b", payload: [.pending])
        queue[0].nextAttemptUTC = UTCTimestamp.string(Date().addingTimeInterval(30))
        #expect(ForwardSchedule.startable(queue, now: Date(), busy: []).isEmpty)
        #expect(ForwardSchedule.startable(queue, now: Date().addingTimeInterval(31), busy: []).count == 1)
    }
}

@Suite struct RemoteCopyTests {
    static let bytes = Array("evidence".utf8)
    static let single = RemoteCopy(single: PayloadDigest(of: bytes))

    static func head(size: Int64 = 8, eTag: String, checksum: String? = nil, sse: String? = nil) -> ObjectHead {
        ObjectHead(contentLength: size, eTag: "\"\(eTag)\"", checksumSHA256: checksum, serverSideEncryption: sse)
    }

    @Test func aCopyWithOurChecksumAndETagIsTheSame() {
        let d = PayloadDigest(of: Self.bytes)
        #expect(Self.single.compare(Self.head(eTag: d.md5Hex, checksum: d.sha256Base64), size: 8) == .same)
        #expect(Self.single.compare(Self.head(eTag: d.md5Hex), size: 8) == .same, "Ceph keeps no checksum: the ETag suffices")
        #expect(Self.single.compare(Self.head(eTag: "opaque", checksum: d.sha256Base64), size: 8) == .same)
    }

    @Test func anyDifferingSignIsADifference() {
        let d = PayloadDigest(of: Self.bytes), other = PayloadDigest(of: Array("evidencf".utf8))
        guard case .differs(let why) = Self.single.compare(Self.head(eTag: other.md5Hex, checksum: d.sha256Base64), size: 8) else {
            Issue.record("a store that kept our checksum but got other bytes (moto) must not pass"); return
        }
        #expect(why.contains("ETag"))
        guard case .differs = Self.single.compare(Self.head(eTag: d.md5Hex, checksum: other.sha256Base64), size: 8) else {
            Issue.record("another SHA-256 must not pass"); return
        }
        guard case .differs(let size) = Self.single.compare(Self.head(size: 9, eTag: d.md5Hex), size: 8) else {
            Issue.record("another size must not pass"); return
        }
        #expect(size.contains("9 bytes"))
    }

    @Test func underKMSTheETagIsNoEvidence() {
        let d = PayloadDigest(of: Self.bytes)
        // An MD5-shaped ETag that is not our MD5: under SSE-KMS that is normal, not damage.
        let kmsETag = String(repeating: "ab", count: 16)
        #expect(Self.single.compare(Self.head(eTag: kmsETag, checksum: d.sha256Base64, sse: "aws:kms"), size: 8) == .same)
        guard case .unverifiable(let why) = Self.single.compare(Self.head(eTag: kmsETag, sse: "aws:kms"), size: 8) else {
            Issue.record("without a checksum a KMS object cannot be verified"); return
        }
        #expect(why.contains("aws:kms"))
        // SSE-S3 keeps the MD5.
        guard case .differs = Self.single.compare(Self.head(eTag: kmsETag, sse: "AES256"), size: 8) else {
            Issue.record("under AES256 the ETag is the MD5"); return
        }
    }

    @Test func multipartCopiesCompareTheirComposites() throws {
        let parts = [PayloadDigest(of: Array("part one".utf8)), PayloadDigest(of: Array("part two".utf8))]
        let copy = RemoteCopy(parts: parts)
        #expect(copy.eTag.hasSuffix("-2") && copy.checksum.hasSuffix("-2"))
        // moto reports the composite checksum without "-N".
        let moto = String(copy.checksum.split(separator: "-")[0])
        #expect(copy.compare(Self.head(size: 16, eTag: copy.eTag, checksum: moto), size: 16) == .same)
        guard case .differs = copy.compare(Self.head(size: 16, eTag: RemoteCopy(parts: parts.reversed()).eTag), size: 16) else {
            Issue.record("parts in another order make another object"); return
        }
    }

    @Test func expectedReadsTheFileAsTheQueueUploadsIt() throws {
        let path = NSTemporaryDirectory() + "remote-copy-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let data = (0..<(12 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(data).write(to: URL(fileURLWithPath: path))
        let whole = try RemoteCopy.expected(file: path, size: Int64(data.count), partSize: 64 << 20)
        #expect(whole.copy == RemoteCopy(single: PayloadDigest(of: data)) && whole.sha256 == SHA256Hasher.hash(data))
        let parts = try RemoteCopy.expected(file: path, size: Int64(data.count), partSize: 5 << 20)
        #expect(parts.sha256 == SHA256Hasher.hash(data))
        #expect(parts.copy == RemoteCopy(parts: [PayloadDigest(of: data[0..<(5 << 20)]), PayloadDigest(of: data[(5 << 20)..<(10 << 20)]),
                                            PayloadDigest(of: data[(10 << 20)...])]))
    }

    /// The part size a copy is checked with is the one it was uploaded with, not today's
    /// `part-size`: recorded in its metadata, or a single PUT by its ETag; an implausible
    /// recorded size is not believed.
    @Test func thePartSizeComesFromTheStoredCopy() {
        let mib: Int64 = 1 << 20
        func head(_ eTag: String, _ recorded: String? = nil) -> ObjectHead {
            ObjectHead(contentLength: 100 * mib, eTag: "\"\(eTag)\"", metadata: recorded.map { [RemoteCopy.partSizeMetadata: $0] } ?? [:])
        }
        #expect(RemoteCopy.partSize(of: head("abc-13", "\(8 * mib)"), size: 100 * mib, configured: 64 * mib) == 8 * mib)
        #expect(RemoteCopy.partSize(of: head("abc-2", "\(8 * mib)"), size: 100 * mib, configured: 64 * mib) == 64 * mib,
                "8 MiB parts would be 13, the ETag says 2")
        #expect(RemoteCopy.partSize(of: head("abc"), size: 100 * mib, configured: 16 * mib) == 100 * mib, "a single PUT stays single")
        #expect(RemoteCopy.partSize(of: head("abc-2"), size: 100 * mib, configured: 64 * mib) == 64 * mib, "nothing recorded")
        #expect(RemoteCopy.partSize(of: head("abc-2", "1"), size: 100 * mib, configured: 64 * mib) == 64 * mib, "below 5 MiB")
        #expect(RemoteCopy.partSize(of: head("abc-2", "lots"), size: 100 * mib, configured: 64 * mib) == 64 * mib)
        #expect(RemoteCopy.partSize(of: ObjectHead(contentLength: 0, eTag: "\"x-9\"", metadata: [RemoteCopy.partSizeMetadata: "\(5 * mib)"]),
                                    size: 100_000 * mib, configured: 64 * mib) == 64 * mib, "more than 10000 parts")
    }

    @Test func aShortRetentionIsALockProblem() {
        let until = Date().addingTimeInterval(86400 * 180)
        let lock = ObjectLockSettings(retention: ObjectRetention(mode: .compliance, retainUntil: until))
        func head(_ retention: ObjectRetention?) -> ObjectHead { ObjectHead(contentLength: 1, eTag: "x", retention: retention) }
        #expect(RemoteCopy.lockProblem(head(ObjectRetention(mode: .compliance, retainUntil: until)), lock: lock) == nil)
        #expect(RemoteCopy.lockProblem(head(nil), lock: lock) == "the store shows no retention")
        #expect(RemoteCopy.lockProblem(head(ObjectRetention(mode: .compliance, retainUntil: until.addingTimeInterval(-3600))), lock: lock) != nil)
        #expect(RemoteCopy.lockProblem(head(nil), lock: nil) == nil)
    }
}

/// The whole-file SHA-256 of a multipart upload, fed by parts that run concurrently.
@Suite struct PartOrderedDigestTests {
    static func file(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "ordered-\(UUID().uuidString)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static let bytes = (0..<(10 * 1000 + 7)).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
    static let ranges: [Range<Int64>] = stride(from: 0, to: Int64(bytes.count), by: 1000).map { $0..<min(Int64(bytes.count), $0 + 1000) }

    /// Parts started in order but feeding whenever they get to it come out as the file's hash;
    /// held parts (already in the store) are read from the file in their place.
    @Test func partsFeedInOrderWhateverOrderTheyRunIn() async throws {
        let path = try Self.file(Self.bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let held = Self.held([0, 4, 5, 10])
        let digest = PartOrderedDigest(path: path, ranges: Self.ranges, held: held)
        await withTaskGroup(of: Void.self) { group in
            for index in Self.ranges.indices where held[index] == nil {
                group.addTask {
                    // Later parts are ready first: each must still wait for its turn.
                    try? await Task.sleep(for: .milliseconds(5 * (Self.ranges.count - index)))
                    await digest.turn(index)
                    let range = Self.ranges[index]
                    Self.bytes[Int(range.lowerBound)..<Int(range.upperBound)].withUnsafeBytes { digest.feed(index, $0) }
                }
            }
        }
        #expect(try digest.result().get() == SHA256Hasher.hash(Self.bytes))
    }

    /// Parts "already in the store", listed as the store would for the file's bytes.
    static func held(_ indices: [Int], damaging damaged: Int? = nil) -> [Int: MultipartPart] {
        Dictionary(uniqueKeysWithValues: indices.map { index in
            var bytes = Array(Self.bytes[Int(ranges[index].lowerBound)..<Int(ranges[index].upperBound)])
            if index == damaged { bytes[0] ^= 1 }
            let digest = PayloadDigest(of: bytes)
            return (index, MultipartPart(partNumber: index + 1, eTag: "\"\(digest.md5Hex)\"", size: Int64(bytes.count),
                                         checksumSHA256: digest.sha256Base64))
        })
    }

    /// A part the store holds must be the file's bytes as read now: a store listing that does
    /// not match them (the file changed since that part was sent) voids the hash.
    @Test func aHeldPartThatIsNotTheFilesBytesIsNoticed() async throws {
        let path = try Self.file(Self.bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let digest = PartOrderedDigest(path: path, ranges: Self.ranges, held: Self.held([1, 10], damaging: 10))
        for index in Self.ranges.indices where ![1, 10].contains(index) {
            await digest.turn(index)
            Self.bytes[Int(Self.ranges[index].lowerBound)..<Int(Self.ranges[index].upperBound)].withUnsafeBytes { digest.feed(index, $0) }
        }
        guard case .failure(let why) = digest.result() else { Issue.record("a held part with other bytes must void the hash"); return }
        #expect(why.description.contains("part 11") && why.description.contains("ETag"), "\(why)")
    }

    /// Other bytes than the file's give another hash; a part that could not be read leaves no
    /// hash at all, and the parts after it are not held up.
    @Test func otherBytesOrAMissingPartAreNoticed() async throws {
        let path = try Self.file(Self.bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let changed = PartOrderedDigest(path: path, ranges: Self.ranges, held: [:])
        for index in Self.ranges.indices {
            await changed.turn(index)
            var part = Array(Self.bytes[Int(Self.ranges[index].lowerBound)..<Int(Self.ranges[index].upperBound)])
            if index == 3 { part[10] ^= 1 }
            part.withUnsafeBytes { changed.feed(index, $0) }
        }
        #expect(try changed.result().get() != SHA256Hasher.hash(Self.bytes))

        let missing = PartOrderedDigest(path: path, ranges: Self.ranges, held: [:])
        for index in Self.ranges.indices {
            await missing.turn(index)
            if index == 2 { missing.abandon(index, because: "bulk read failed"); continue }
            Self.bytes[Int(Self.ranges[index].lowerBound)..<Int(Self.ranges[index].upperBound)].withUnsafeBytes { missing.feed(index, $0) }
        }
        guard case .failure(let why) = missing.result() else { Issue.record("a part that was never read must void the hash"); return }
        #expect(why.description.contains("part 3") && why.description.contains("bulk read failed"))
    }
}
