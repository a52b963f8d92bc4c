import Foundation
import GatewayCrypto
@testable import S3Store
import TestSupport
import Testing

@Suite struct LocalFileTests {
    /// Hashing a range reads across buffer boundaries and matches hashing the bytes in memory.
    @Test func digestOfRangesMatchesTheBytes() throws {
        let bytes = testBytes(LocalFile.bufferSize * 2 + 777, seed: 7)
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("clip.bin").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let (whole, range) = try LocalFile.digest(of: path, operation: "Test")
            #expect(range == 0..<Int64(bytes.count))
            #expect(whole == PayloadDigest(of: bytes))
            let slice: Range<Int64> = 1000..<Int64(LocalFile.bufferSize + 5000)
            let (part, _) = try LocalFile.digest(of: path, range: slice, operation: "Test")
            #expect(part == PayloadDigest(of: bytes[Int(slice.lowerBound)..<Int(slice.upperBound)]))
            #expect(part.sha256Hex == hexString(SHA256Hasher.hash(bytes[Int(slice.lowerBound)..<Int(slice.upperBound)])))
        }
    }

    /// A loaded range holds exactly those bytes (across buffer boundaries), its digest is
    /// theirs, and the bytes can be taken out once only.
    @Test func loadedRangeHoldsExactlyThoseBytesOnce() throws {
        let bytes = testBytes(3 * LocalFile.bufferSize / 2, seed: 8)
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("clip.bin").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let (body, digest) = try LocalFile.load(path, range: 10..<Int64(bytes.count - 10), operation: "Test")
            #expect(body.count == bytes.count - 20)
            #expect(digest == PayloadDigest(of: bytes[10..<bytes.count - 10]))
            let handedOver = Counter()
            body.onHandOver { handedOver.add() }
            #expect(body.take { $0 } == Data(bytes[10..<bytes.count - 10]))
            #expect(handedOver.value == 1)
            #expect(body.take { $0 } == nil)
            #expect(handedOver.value == 1, "handed over once")
            let (whole, wholeDigest) = try LocalFile.load(path, operation: "Test")
            #expect(whole.take { $0 } == Data(bytes) && wholeDigest == PayloadDigest(of: bytes))
            let (empty, emptyDigest) = try LocalFile.load(path, range: 5..<5, operation: "Test")
            #expect(empty.take { $0 } == Data() && emptyDigest == PayloadDigest(of: [UInt8]()))
            // A body dropped unsent hands over too, so the next body is not kept waiting.
            do {
                let (unsent, _) = try LocalFile.load(path, range: 0..<10, operation: "Test")
                unsent.onHandOver { handedOver.add() }
            }
            #expect(handedOver.value == 2)
        }
    }

    @Test func rangesOutsideTheFileAndNonFilesAreRefusedAndNothingIsLeft() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("small.bin").path
            try Data(count: 100).write(to: URL(fileURLWithPath: path))
            #expect(throws: S3Error.invalidRequest(operation: "Test", detail: "bytes 50..<101 are outside \(path), which has 100 bytes")) {
                try LocalFile.load(path, range: 50..<101, operation: "Test")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["small.bin"])
            #expect(throws: S3Error.invalidRequest(operation: "Test", detail: "\(directory.path) is not a regular file")) {
                try LocalFile.digest(of: directory.path, operation: "Test")
            }
            let missing = directory.appendingPathComponent("missing").path
            #expect(throws: S3Error.localFile(operation: "Test", path: missing, step: "open", errno: ENOENT)) {
                try LocalFile.digest(of: missing, operation: "Test")
            }
        }
    }

    /// AWS's composite checksum: SHA-256 over the raw part digests, base64, "-N".
    @Test func compositeChecksumOfParts() {
        let parts = [Array("part one".utf8), Array("part two".utf8)].map { SHA256Hasher.hash($0) }
        let expected = Data(SHA256Hasher.hash(parts[0] + parts[1])).base64EncodedString() + "-2"
        #expect(compositeSHA256Checksum(partSHA256s: parts) == expected)
    }
}

/// A count that closures may bump from any thread.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
    func add() { lock.lock(); count += 1; lock.unlock() }
}
