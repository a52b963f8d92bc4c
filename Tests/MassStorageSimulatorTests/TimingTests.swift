import Foundation
import MassStorageProtocol
import RecorderHAL
import TestSupport
import Testing
@testable import RecorderSimulator

@Suite struct BulkOnlyTimingTests {
    /// USB 2.0, 1 MiB READs: CBW and CSW are one packet each, the data 2049 packets (a
    /// zero-length one included), and each of the three transfers waits 200 µs of latency.
    @Test func bulkOnlyCapacityOnUSB2() throws {
        let model = LinkModel.usb2HighSpeed
        let t = try #require(model.bulkOnlyCommandTime(dataBytes: 1 << 20))
        let expected = Double(2049 * 512 + 2 * 512) / 43_000_000 + 3 * 0.000_2
        let seconds = Double(t.components.seconds) + Double(t.components.attoseconds) / 1e18
        #expect(abs(seconds - expected) < 1e-8)
        let capacity = try #require(model.bulkOnlyCapacity(readBytes: 1 << 20))
        #expect(capacity > 41.9e6 && capacity < 42.0e6)
        #expect(LinkModel.unlimited.bulkOnlyCapacity(readBytes: 1 << 20) == nil)
    }

    /// A command on a timed link takes at least what the model says (never less: a lower
    /// bound, not a speed).
    @Test func aCommandTakesAtLeastItsModelledTime() async throws {
        try await withTemporaryDirectory("ms-time") { dir in
            _ = try randomImage(in: dir, blocks: 128)
            let slow = LinkModel(bytesPerSecond: 2_000_000, latency: .milliseconds(1), packetSize: 512)
            let scenario = try Scenario(json: Data("""
                {"schema": 1, "recorders": [{"identity": {"serial": "M000001"},
                  "link": {"bytesPerSecond": 2000000, "latencyMicroseconds": 1000, "packetSize": 512},
                  "storage": {"image": "disk.img"}}]}
                """.utf8), relativeTo: dir.path)
            let ms = try #require(try SimulatedMassStorage(scenario.recorders[0], name: "slow"))
            #expect(ms.model == slow)
            var host = RawHost(link: ms.hostEnd)
            let clock = ContinuousClock()
            let start = clock.now
            let o = try await host.run(.read10(lba: 0, blocks: 128, blockLength: 512))
            let elapsed = clock.now - start
            #expect(o.data.count == 65536)
            #expect(elapsed >= (try #require(slow.bulkOnlyCommandTime(dataBytes: 65536))))
        }
    }
}
