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

    /// A file body hashes its range once (the observer seeing the same bytes), then gives
    /// exactly those bytes while it is sent, in any buffer size, ends with 0, and starts over
    /// when rewound.
    @Test func fileBodyGivesItsRangeAndStartsOver() throws {
        let bytes = testBytes(3 * LocalFile.bufferSize / 2, seed: 8)
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("clip.bin").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let observed = SHA256Hasher()
            let body = try FileBody(path: path, range: 10..<Int64(bytes.count - 10), operation: "Test",
                                    observing: { observed.update($0) })
            let expected = Array(bytes[10..<bytes.count - 10])
            #expect(body.length == Int64(expected.count) && body.digest == PayloadDigest(of: expected))
            #expect(observed.finalize() == SHA256Hasher.hash(expected))
            for size in [4096, 65_537] {
                #expect(body.rewind())
                #expect(try Self.drain(body, bufferSize: size) == expected)
                #expect(body.failure == nil)
            }
            let empty = try FileBody(path: path, range: 5..<5, operation: "Test")
            #expect(try Self.drain(empty, bufferSize: 4096) == [] && empty.digest == PayloadDigest(of: [UInt8]()))
        }
    }

    /// A file that changes after it was hashed (and signed) is never sent whole: the read that
    /// would complete the body aborts instead, naming the change; one that shrinks likewise.
    @Test func aFileChangedAfterHashingAbortsBeforeItsLastByte() throws {
        let bytes = testBytes(LocalFile.bufferSize + 100, seed: 9)
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("clip.bin").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let body = try FileBody(path: path, operation: "Test")
            var changed = bytes
            changed[5] ^= 1
            try Data(changed).write(to: URL(fileURLWithPath: path))
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 16)
            defer { buffer.deallocate() }
            var given = 0
            while let count = body.read(into: buffer) {
                #expect(count > 0)
                given += count
            }
            #expect(given < bytes.count)
            guard case .invalidRequest(_, let detail)? = body.failure else {
                Issue.record("expected invalidRequest, got \(String(describing: body.failure))")
                return
            }
            #expect(detail.contains("changed") && detail.contains(path))

            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let shrinking = try FileBody(path: path, operation: "Test")
            try Data(bytes.prefix(1000)).write(to: URL(fileURLWithPath: path))
            #expect(shrinking.read(into: buffer) == 1000)
            #expect(shrinking.read(into: buffer) == nil)
            #expect(shrinking.failure?.description.contains("shrank") == true)
        }
    }

    /// Everything a body gives until it returns 0 (nil fails the test).
    static func drain(_ body: FileBody, bufferSize: Int) throws -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        var out: [UInt8] = []
        while true {
            let count = try #require(body.read(into: buffer))
            if count == 0 { return out }
            out += buffer[0..<count]
        }
    }

    @Test func rangesOutsideTheFileAndNonFilesAreRefusedAndNothingIsLeft() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("small.bin").path
            try Data(count: 100).write(to: URL(fileURLWithPath: path))
            #expect(throws: S3Error.invalidRequest(operation: "Test", detail: "bytes 50..<101 are outside \(path), which has 100 bytes")) {
                try FileBody(path: path, range: 50..<101, operation: "Test")
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
