import Foundation
import GatewayCrypto
import ProtocolV1Family
import RecorderHAL
import RecorderProtocol
import Testing
@testable import RecorderSimulator

/// Each fault the simulator offers, seen from the host side through the real driver.
@Suite struct FaultTests {
    func authenticated(_ s: Scenario, options: DriverOptions = fastOptions()) async throws -> (SimulatedRecorder, any Recorder) {
        let (device, recorder) = try await dock(s, options: options)
        try await recorder.authenticate(password: "secret")
        return (device, recorder)
    }

    @Test func disconnectEndsTheReadWithDeviceGone() async throws {
        let s = try scenario(faults: #"[{"kind": "disconnect", "afterBytes": 1000000}]"#)
        let (device, recorder) = try await authenticated(s)
        do {
            _ = try await readAll(recorder, 1, size: 5_000_003)
            Issue.record("read completed although the device was unplugged")
        } catch let error as RecorderError {
            #expect(error.isDeviceGone, "\(error)")
            #expect(error.description.contains("recording 1 at offset"))
        }
        #expect(await device.bus.isGone)
        await #expect { _ = try await recorder.status() } throws: { ($0 as? RecorderError)?.isDeviceGone == true }
        await recorder.close()
    }

    @Test func corruptionInTransitIsCaughtByTheFrameCheckAndHealedByARereead() async throws {
        let s = try scenario(faults: #"[{"kind": "corrupt", "recording": 1, "offset": 3000000, "where": "transit", "times": 2}]"#)
        let want = ScenarioDescription(s).recorders[0].files[0].sha256
        let (_, recorder) = try await authenticated(s)
        let (bytes, rereads) = try await readAll(recorder, 1, size: 5_000_003)
        #expect(rereads == 2)
        #expect(SHA256Hasher.hash(bytes) == want)
        #expect(await recorder.statistics().corruptReplies == 2)
        await recorder.close()
    }

    @Test func corruptionInTransitBeyondTheRereadLimitFailsTheRead() async throws {
        let s = try scenario(faults: #"[{"kind": "corrupt", "recording": 2, "offset": 10, "where": "transit", "times": 50}]"#)
        let (_, recorder) = try await authenticated(s)
        await #expect { _ = try await readAll(recorder, 2, size: 70000) } throws: { error in
            guard let e = error as? RecorderError, case .corruptReply = e.reason else { return false }
            return e.description.contains("after 3 re-reads")
        }
        await recorder.close()
    }

    @Test func corruptionInStorageShowsOnlyAsAHashMismatch() async throws {
        let s = try scenario(faults: #"[{"kind": "corrupt", "recording": 1, "offset": 12345, "where": "storage"}]"#)
        let file = ScenarioDescription(s).recorders[0].files[0]
        let (_, recorder) = try await authenticated(s)
        let entry = try await recorder.catalog()[0]
        let (bytes, rereads) = try await readAll(recorder, 1, size: entry.size)
        let sha = SHA256Hasher.hash(bytes)
        #expect(rereads == 0)
        #expect(sha == file.sha256)                  // what the device serves
        #expect(entry.deviceSHA256 != sha)           // differs from what it recorded
        #expect(entry.deviceSHA256 == file.deviceSHA256)
        await #expect { try await recorder.release(1, sha256: sha) } throws: { ($0 as? RecorderError)?.deviceStatus == .hashMismatch }
        await recorder.close()
    }

    @Test func aStallLongerThanTheTimeoutTimesTheRequestOut() async throws {
        let s = try scenario(faults: #"[{"kind": "stall", "afterBytes": 0, "milliseconds": 1500}]"#)
        let (_, recorder) = try await authenticated(s, options: fastOptions(timeout: .milliseconds(300)))
        await #expect { _ = try await readAll(recorder, 2, size: 70000) } throws: { error in
            guard let e = error as? RecorderError, case .timedOut(300) = e.reason else { return false }
            return e.description.contains("recording 2 at offset 0: READ tag") && e.description.contains("no reply within 300 ms")
        }
        #expect(await recorder.statistics().timeouts >= 1)
        await recorder.close()
    }

    @Test func aStallShorterThanTheTimeoutOnlyDelays() async throws {
        let s = try scenario(faults: #"[{"kind": "stall", "afterBytes": 0, "milliseconds": 200}]"#)
        let (_, recorder) = try await authenticated(s)
        let (bytes, _) = try await readAll(recorder, 2, size: 70000)
        #expect(SHA256Hasher.hash(bytes) == ScenarioDescription(s).recorders[0].files[1].sha256)
        await recorder.close()
    }

    @Test func aWrongDeviceHashDisagreesWithTheContentAndBlocksRelease() async throws {
        let s = try scenario(faults: #"[{"kind": "wrongDeviceHash", "recording": 2}]"#)
        let (device, recorder) = try await authenticated(s)
        let entry = try await recorder.catalog()[1]
        let (bytes, _) = try await readAll(recorder, 2, size: entry.size)
        let sha = SHA256Hasher.hash(bytes)
        #expect(entry.deviceSHA256 != nil && entry.deviceSHA256 != sha)
        await #expect { try await recorder.release(2, sha256: sha) } throws: { ($0 as? RecorderError)?.deviceStatus == .hashMismatch }
        #expect(await device.releasedIds.isEmpty)
        await recorder.close()
    }

    @Test func refusedAuthenticationRejectsEvenTheRightPassword() async throws {
        let s = try scenario(faults: #"[{"kind": "refuseAuthentication"}]"#)
        let (_, recorder) = try await dock(s)
        await #expect { try await recorder.authenticate(password: "secret") } throws: { ($0 as? RecorderError)?.deviceStatus == .passwordWrong }
        await recorder.close()
    }

    @Test func aSizeThatLiesUpwardEndsInRangeInvalid() async throws {
        let s = try scenario(faults: #"[{"kind": "sizeLies", "recording": 2, "reportedSize": 80000}]"#)
        let (_, recorder) = try await authenticated(s)
        let entry = try await recorder.catalog()[1]
        #expect(entry.size == 80000)
        await #expect { _ = try await readAll(recorder, 2, size: entry.size) } throws: { ($0 as? RecorderError)?.deviceStatus == .rangeInvalid }
        await recorder.close()
    }

    @Test func aSizeThatLiesDownwardGivesAHashMismatch() async throws {
        let s = try scenario(faults: #"[{"kind": "sizeLies", "recording": 2, "reportedSize": 60000}]"#)
        let (_, recorder) = try await authenticated(s)
        let entry = try await recorder.catalog()[1]
        let (bytes, _) = try await readAll(recorder, 2, size: entry.size)
        #expect(bytes.count == 60000)
        #expect(entry.deviceSHA256 != SHA256Hasher.hash(bytes))
        await recorder.close()
    }

    @Test func hostilePathsArriveByteForByte() async throws {
        let long = String(repeating: "A", count: 10_000)
        let recordings = """
        [{"id": 1, "kind": "video", "path": "../../etc/passwd", "size": 10},
         {"id": 2, "kind": "video", "path": "/etc/shadow", "size": 10},
         {"id": 3, "kind": "video", "path": "DCIM/A\\u0000B.MP4", "size": 10},
         {"id": 4, "kind": "video", "path": {"repeat": "A", "times": 10000}, "size": 10}]
        """
        let (_, recorder) = try await authenticated(try scenario(recordings: recordings))
        let paths = try await recorder.catalog().map(\.pathBytes)
        #expect(paths == [Array("../../etc/passwd".utf8), Array("/etc/shadow".utf8), Array("DCIM/A\u{0}B.MP4".utf8), Array(long.utf8)])
        await recorder.close()
    }

    @Test func aCatalogThatNeverEndsIsRefused() async throws {
        let s = try scenario(faults: #"[{"kind": "catalogNeverEnds"}]"#)
        var options = fastOptions()
        options.maxCatalogEntries = 2000
        let (_, recorder) = try await authenticated(s, options: options)
        await #expect { _ = try await recorder.catalog() } throws: { error in
            guard let e = error as? RecorderError, case .protocolViolation(let text) = e.reason else { return false }
            return text.contains("does not end")
        }
        await recorder.close()
    }

    @Test func aClockFarOffIsMeasuredAsSuch() async throws {
        let s = try scenario(extra: "") // offset 120 s
        var far = s
        far.recorders[0].clock.offsetSeconds = -3 * 365 * 86400
        let (_, recorder) = try await authenticated(far)
        let sample = try await recorder.readClock()
        #expect(abs(sample.offsetMilliseconds + 3 * 365 * 86_400_000) <= sample.roundTripMilliseconds / 2 + 2)
        await recorder.close()
    }

    @Test func aRefusedClockSetGivesTimeSetFailed() async throws {
        var s = try scenario()
        s.recorders[0].clock.refuseSet = true
        let (_, recorder) = try await authenticated(s)
        await #expect { try await recorder.setClock(DeviceTime(utcMilliseconds: 0, zoneOffsetMinutes: 480)) } throws: {
            ($0 as? RecorderError)?.deviceStatus == .timeSetFailed
        }
        await recorder.close()
    }
}
