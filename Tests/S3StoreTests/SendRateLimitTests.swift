@testable import CurlHTTP
import Foundation
import Synchronization
import Testing

/// `forward-rate-limit` in CurlHTTP: one token bucket shared by every upload of a client,
/// drawn from in libcurl's read callback. Times are the tests' own (injected clocks); no
/// speed is measured.
@Suite struct SendRateLimitTests {
    static let second: UInt64 = 1_000_000_000

    @Test func aBucketGrantsNoMoreThanItsRateAndBurstOverAnyWindow() {
        var bucket = TokenBucket(rate: 1 << 20)
        #expect(bucket.burst == 256 << 10 && bucket.minimumGrant == 16 << 10)
        // Two uploads asking for libcurl's 512 KiB buffer in turn, every 3 ms for 10 s.
        var granted: [(now: UInt64, bytes: Int)] = []
        var now: UInt64 = 5 * Self.second
        for _ in 0..<3334 {
            let n = bucket.take(upTo: 512 << 10, now: now)
            if n > 0 { granted.append((now, n)) }
            now += 3_000_000
        }
        // Over every window between two grants: at most rate × length + burst.
        for i in granted.indices {
            var sum = 0
            for j in i..<granted.count {
                sum += granted[j].bytes
                let window = Double(granted[j].now - granted[i].now) / 1e9
                #expect(Double(sum) <= Double(1 << 20) * window + Double(bucket.burst) + 1, "\(i)...\(j)")
            }
        }
        // The whole rate is used.
        let total = granted.reduce(0) { $0 + $1.bytes }
        #expect(total >= 10 * (1 << 20) - (32 << 10))
        // No grant is a trickle: each is at least the minimum.
        #expect(granted.allSatisfy { $0.bytes >= 16 << 10 })
    }

    @Test func anEmptyBucketSaysWhenItCanGrantAgain() {
        var bucket = TokenBucket(rate: 64 << 10)
        #expect(bucket.take(upTo: 1 << 20, now: 0) == 16 << 10)   // the whole burst: a quarter second, at least 16 KiB
        #expect(bucket.take(upTo: 1 << 20, now: 0) == 0)
        #expect(bucket.delay(now: 0) == Self.second / 4)
        #expect(bucket.take(upTo: 1 << 20, now: Self.second / 8) == 0)
        #expect(bucket.take(upTo: 1 << 20, now: Self.second / 4) == 16 << 10)
        bucket.giveBack(1000)
        #expect(bucket.take(upTo: 500, now: Self.second / 4) == 500)   // less than the minimum, when that is all that is wanted
    }

    /// A body that records, at each read, the time on the test's clock and how many bytes
    /// libcurl was given.
    final class RecordingSource: HTTPBodySource, @unchecked Sendable {
        let length: Int64
        let clock: @Sendable () -> UInt64
        private(set) var reads: [(now: UInt64, bytes: Int)] = []
        private var offset: Int64 = 0

        init(length: Int64, clock: @escaping @Sendable () -> UInt64) {
            self.length = length
            self.clock = clock
        }

        func read(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
            // The time libcurl asks, just after the bucket granted these bytes.
            let now = clock()
            let n = Int(min(Int64(buffer.count), length - offset))
            UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n]).initializeMemory(as: UInt8.self, repeating: 0x5A)
            offset += Int64(n)
            reads.append((now, n))
            return n
        }

        func rewind() -> Bool {
            offset = 0
            reads = []
            return true
        }
    }

    @Test func anUploadThroughTheClientKeepsToTheCap() async throws {
        let stub = try StrictServerTests.Stub()
        // The test's clock runs ten times as fast as the machine's: the 4 MiB at 1 MiB/s take
        // 4 s of it, about 0.4 s here. Only the clock's own readings are compared.
        let start = DispatchTime.now().uptimeNanoseconds
        let clock: @Sendable () -> UInt64 = { (DispatchTime.now().uptimeNanoseconds - start) * 10 }
        let rate: Int64 = 1 << 20
        let client = HTTPClient(settings: HTTPClient.Settings(idleTimeout: 30, sendBytesPerSecond: rate), clock: clock)
        let source = RecordingSource(length: 4 << 20, clock: clock)
        // Before the bucket's first reading: every window measured from here is at least as long
        // as the bucket's own.
        let first = clock()
        let response = try await client.send(HTTPRequest(method: "PUT", url: stub.endpoint + "/bucket/capped",
                                                         headers: [("x-amz-content-sha256", "UNSIGNED-PAYLOAD")],
                                                         body: .stream(source)))
        #expect(response.status == 200)
        #expect(try stub.requests().last?["length"] as? Int == 4 << 20)
        let reads = source.reads.filter { $0.bytes > 0 }
        var sent = 0
        let burst = TokenBucket(rate: rate).burst
        for read in reads {
            sent += read.bytes
            let allowed = Double(rate) * Double(read.now - first) / 1e9 + Double(burst)
            #expect(Double(sent) <= allowed + 1, "\(sent) bytes by \(Double(read.now - first) / 1e9) s")
        }
        #expect(sent == 4 << 20)
    }

    /// Two uploads at once share the one cap: together they keep to it, and each gets turns.
    @Test func twoUploadsAtOnceShareTheCap() async throws {
        let stub = try StrictServerTests.Stub()
        let start = DispatchTime.now().uptimeNanoseconds
        let clock: @Sendable () -> UInt64 = { (DispatchTime.now().uptimeNanoseconds - start) * 10 }
        let rate: Int64 = 1 << 20
        let client = HTTPClient(settings: HTTPClient.Settings(idleTimeout: 30, sendBytesPerSecond: rate), clock: clock)
        let sources = [RecordingSource(length: 2 << 20, clock: clock), RecordingSource(length: 2 << 20, clock: clock)]
        let first = clock()
        try await withThrowingTaskGroup(of: Int.self) { group in
            for (n, source) in sources.enumerated() {
                group.addTask {
                    try await client.send(HTTPRequest(method: "PUT", url: stub.endpoint + "/bucket/shared-\(n)",
                                                      headers: [("x-amz-content-sha256", "UNSIGNED-PAYLOAD")],
                                                      body: .stream(source))).status
                }
            }
            for try await status in group { #expect(status == 200) }
        }
        let reads = sources.flatMap(\.reads).filter { $0.bytes > 0 }.sorted { $0.now < $1.now }
        var sent = 0
        let burst = TokenBucket(rate: rate).burst
        for read in reads {
            sent += read.bytes
            #expect(Double(sent) <= Double(rate) * Double(read.now - first) / 1e9 + Double(burst) + 1)
        }
        #expect(sent == 4 << 20)
        // Each had turns while the other was under way: neither waited for the other to end.
        let ends = sources.map { $0.reads.last!.now }, starts = sources.map { $0.reads.first!.now }
        #expect(starts.max()! < ends.min()!)
    }
}
