import Foundation
import RecorderHAL
import RecorderProtocol
import Testing
@testable import RecorderSimulator

@Suite struct LinkModelTests {
    @Test func busTimeCountsWholePacketsAndTheZeroLengthPacket() throws {
        let m = LinkModel(bytesPerSecond: 512_000, latency: .zero, packetSize: 512)
        #expect(m.busTime(forTransferOf: 1) == .milliseconds(1))      // one packet
        #expect(m.busTime(forTransferOf: 511) == .milliseconds(1))
        #expect(m.busTime(forTransferOf: 512) == .milliseconds(2))    // full packet + ZLP
        #expect(m.busTime(forTransferOf: 513) == .milliseconds(2))
        #expect(LinkModel.unlimited.busTime(forTransferOf: 1 << 20) == nil)
    }

    @Test func usb2CapacityIsJustUnderTheBandwidthForLargeReads() throws {
        let capacity = try #require(LinkModel.usb2HighSpeed.capacity(chunk: 1 << 20))
        #expect(capacity > 42_900_000 && capacity < 43_000_000)
    }

    /// One small READ at a time pays the latency twice per round trip, so it gets a small share
    /// of the bus. (Only the upper bound is asserted: a busy machine can make it slower, never faster.)
    @Test func oneSmallTransferAtATimeSeesFarLessThanTheCapacity() async throws {
        var s = try scenario(recordings: #"[{"id": 1, "kind": "video", "path": "v", "size": "1MiB"}]"#)
        s.recorders[0].link = .usb2HighSpeed
        var options = fastOptions(chunk: 4096)
        options.readWindow = 1
        let (_, recorder) = try await dock(s, options: options)
        try await recorder.authenticate(password: "secret")
        let start = ContinuousClock.now
        _ = try await readAll(recorder, 1, size: 1 << 20)
        let rate = Double(1 << 20) / secondsSince(start)
        #expect(rate < 0.5 * LinkModel.usb2HighSpeed.capacity(chunk: 4096)!)
        await recorder.close()
    }
}
