import Foundation
import GatewayCrypto
import ProtocolV1Family
import RecorderHAL
import RecorderProtocol
import Testing
@testable import RecorderSimulator

/// Numbers a host sends that the simulated device must survive: any u32 cursor, any i64 time.
/// The gateway never sends these, but the simulator also serves other hosts (`recorder-sim
/// serve`, Tests/umockdev), and a device that crashes tells a host author nothing.
@Suite struct HostValueTests {
    /// A clock set beyond what a Double holds to the millisecond is refused (TIME_SET_FAILED);
    /// it used to be taken, and the next CLOCK_GET trapped converting it back to an Int64.
    @Test(arguments: [Int64.max, Int64.min, 9_007_199_254_740_993] as [Int64])
    func aClockSetNoClockHoldsIsRefusedAndTheClockStillReads(time: Int64) async throws {
        let (device, recorder) = try await dock(try scenario())
        try await recorder.authenticate(password: "secret")
        await #expect { try await recorder.setClock(DeviceTime(utcMilliseconds: time, zoneOffsetMinutes: 480)) } throws: {
            ($0 as? RecorderError)?.deviceStatus == .timeSetFailed && "\($0)".contains("9007199254740992")
        }
        // The device's clock, less its 120 s offset, lies between the host's instants around
        // the reading (give or take a second of rounding): bounds from the exchange itself, so
        // a busy host that takes seconds to read the reply changes nothing.
        let sample = try await recorder.readClock()
        let setting = Double(sample.device.utcMilliseconds) - 120_000
        #expect(setting >= sample.hostSent.timeIntervalSince1970 * 1000 - 1000
                && setting <= sample.hostReceived.timeIntervalSince1970 * 1000 + 1000, "the clock kept its setting")
        let before = Date().timeIntervalSince1970 * 1000
        let deviceNow = Double(await device.deviceNowMilliseconds()) - 120_000
        let after = Date().timeIntervalSince1970 * 1000
        #expect(deviceNow >= before - 1000 && deviceNow <= after + 1000)
        await recorder.close()
    }

    @Test func theLargestClockSetIsTaken() async throws {
        let (device, recorder) = try await dock(try scenario())
        try await recorder.authenticate(password: "secret")
        try await recorder.setClock(DeviceTime(utcMilliseconds: -9_007_199_254_740_992 + 10_000_000, zoneOffsetMinutes: 480))
        #expect(await device.deviceNowMilliseconds() < -9_007_199_244_000_000)
        await recorder.close()
    }

    /// A catalog that never ends names the next page after any cursor, even the last u32 ones
    /// (`cursor + entries` used to overflow a UInt32), and never the end marker.
    @Test(arguments: [UInt32.max - 1, UInt32.max - 3, 4_000_000_000] as [UInt32])
    func aNeverEndingCatalogPagesOnFromAnyCursor(cursor: UInt32) async throws {
        let s = try scenario(faults: #"[{"kind": "catalogNeverEnds"}]"#)
        let device = await SimulatedRecorder.dock(s.recorders[0])
        let client = ProtocolClient(link: device.bus.hostEnd)
        await client.start()
        let timeout = Duration.seconds(2)
        _ = try await client.exchange(.request(HelloRequest(maxPayload: 1 << 20, hostName: "test"), tag: 0), timeout: timeout)
        let challenge = try AuthChallengeReply(payload: try await client.exchange(.request(AuthChallengeRequest(), tag: 0), timeout: timeout).payload)
        let auth = try await client.exchange(.request(AuthResponseRequest(mac: hmacSHA256(key: Array("secret".utf8), message: challenge.nonce)), tag: 0),
                                             timeout: timeout)
        #expect(auth.status == .ok)
        let frame = try await client.exchange(.request(CatalogRequest(cursor: cursor, maxEntries: 10), tag: 0), timeout: timeout)
        #expect(frame.status == .ok)
        let page = try CatalogPage(payload: frame.payload)
        #expect(page.entries.count == 10 && page.nextCursor != CatalogPage.end)
        await client.close()
    }
}
