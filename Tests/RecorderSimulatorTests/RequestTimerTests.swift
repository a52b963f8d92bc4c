import Foundation
@testable import ProtocolV1Family
import RecorderHAL
import RecorderProtocol
import Testing
import RecorderSimulator

/// The client times its requests with one timer, not one per request: a cancelled
/// `Task.sleep` keeps its wake job queued until its deadline, so a timer per request held one
/// for every request of the last timeout period (#11).
@Suite struct RequestTimerTests {
    /// Requests with the same timeout, one after the other, are each due after the one before:
    /// the timer set for the first serves them all, and a reply sets nothing.
    @Test func oneTimerSettingServesRequestsOfTheSameTimeout() async throws {
        let s = try scenario()
        let device = await SimulatedRecorder.dock(s.recorders[0])
        let client = ProtocolClient(link: device.bus.hostEnd)
        await client.start()
        // Far longer than the test runs, so the timer never fires while it runs.
        let timeout = Duration.seconds(600)
        _ = try await client.exchange(.request(HelloRequest(maxPayload: 1 << 20, hostName: "test"), tag: 0), timeout: timeout)
        for _ in 0..<199 {
            let reply = try await client.exchange(.request(AuthChallengeRequest(), tag: 0), timeout: timeout)
            #expect(reply.status == .ok)
        }
        #expect(await client.statistics().requests == 200)
        #expect(await client.timerSettings == 1)
        await client.close()
    }

    /// A request with a short timeout sent while one with a long timeout is outstanding times out
    /// after its own timeout, and only it does: the timer is set earlier for it.
    @Test func aShorterTimeoutIsKeptWhileALongerOneIsOutstanding() async throws {
        let link = SilentLink()
        let client = ProtocolClient(link: link)
        await client.start()
        await client.configure(maxPayload: 1 << 16, maxInFlight: 2)
        let long = Task { () async throws(RecorderError) -> Frame in
            try await client.exchange(.request(AuthChallengeRequest(), tag: 0), timeout: .seconds(3600))
        }
        // The long request is outstanding before the short one is sent.
        while await link.sent < 1 { await Task.yield() }
        await #expect { try await client.exchange(.request(AuthChallengeRequest(), tag: 0), timeout: .milliseconds(200)) } throws: {
            guard let e = $0 as? RecorderError, case .timedOut(200) = e.reason else { return false }
            return "\(e)".contains("no reply within 200 ms")
        }
        // Had the short request waited for the long one's timer, both would have timed out.
        #expect(await client.statistics().timeouts == 1)
        await client.close()
        let result = await long.result
        #expect(throws: RecorderError.self) { try result.get() }
        #expect(await client.statistics().timeouts == 1)
    }

    /// Once its timeout has passed a request times out, and the requests after it still do.
    @Test func requestsTimeOutOneAfterAnother() async throws {
        let client = ProtocolClient(link: SilentLink())
        await client.start()
        for n in 1...3 {
            await #expect { try await client.exchange(.request(AuthChallengeRequest(), tag: 0), timeout: .milliseconds(50)) } throws: {
                guard let e = $0 as? RecorderError, case .timedOut(50) = e.reason else { return false }
                return true
            }
            #expect(await client.statistics().timeouts == n)
        }
        await client.close()
    }
}

/// A recorder that takes every request and never answers.
private actor SilentLink: RecorderLink {
    nonisolated let description = "silent test link"
    private(set) var sent = 0
    private var receiver: CheckedContinuation<Void, Never>?
    private var closed = false

    func send(_ bytes: [UInt8], timeout: Duration) async throws(LinkError) {
        if closed { throw .closed }
        sent += 1
    }

    func receive() async throws(LinkError) -> [UInt8] {
        if !closed { await withCheckedContinuation { receiver = $0 } }
        throw .closed
    }

    func close() async {
        closed = true
        receiver?.resume()
        receiver = nil
    }
}
