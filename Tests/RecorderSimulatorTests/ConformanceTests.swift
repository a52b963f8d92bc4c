import Foundation
import GatewayCrypto
import ProtocolV1Family
import RecorderHAL
import RecorderProtocol
import Testing
@testable import RecorderSimulator

@Suite struct ConformanceTests {
    @Test func aClientRunsEveryOperationAndGetsTheDescribedContent() async throws {
        let s = try scenario()
        let expected = ScenarioDescription(s).recorders[0]
        let (device, recorder) = try await dock(s)
        #expect(recorder.info.maxInFlight == 8)
        #expect(recorder.info.capabilities.contains([.deviceHashes, .authenticationRequired, .release, .gpsLog, .timeLog]))

        let identity = try await recorder.identity()
        #expect(identity == s.recorders[0].identity)
        try await recorder.authenticate(password: "secret")

        let sample = try await recorder.readClock()
        #expect(sample.device.zoneOffsetMinutes == 480)
        // Exact up to where in the round trip the device read its clock (a busy host stretches it).
        #expect(abs(sample.offsetMilliseconds - 120_000) <= sample.roundTripMilliseconds / 2 + 2)

        let status = try await recorder.status()
        #expect(status.batteryPercent == 76 && status.charging && status.storageFreeBytes < status.storageTotalBytes)

        let catalog = try await recorder.catalog()
        #expect(catalog.map(\.id) == [1, 2, 3, 4])
        #expect(catalog[1].important && catalog[1].kind == .photo)
        for entry in catalog {
            let want = try #require(expected.files.first { $0.id == entry.id })
            #expect(entry.size == want.size)
            #expect(entry.deviceSHA256 == want.sha256)
            let (bytes, _) = try await readAll(recorder, entry.id, size: entry.size)
            #expect(SHA256Hasher.hash(bytes) == want.sha256, "file \(entry.id)")
        }

        // Set to the host's time: off by no more than the time from reading the host clock to
        // the reply of the next reading (however busy the machine is).
        let setAt = ContinuousClock.now
        try await recorder.setClock(DeviceTime(utcMilliseconds: Int64(Date().timeIntervalSince1970 * 1000), zoneOffsetMinutes: 480))
        let after = try await recorder.readClock()
        let elapsed = ContinuousClock.now - setAt
        #expect(abs(after.offsetMilliseconds) <= Double(elapsed.components.seconds * 1000) + Double(elapsed.components.attoseconds) / 1e15 + 2)

        for entry in catalog {
            try await recorder.release(entry.id, sha256: expected.files.first { $0.id == entry.id }!.sha256)
        }
        #expect(await device.releasedIds == [1, 2, 3, 4])
        #expect(try await recorder.catalog().isEmpty)
        let freed = try await recorder.status()
        #expect(freed.storageFreeBytes == freed.storageTotalBytes)
        await recorder.close()
    }

    @Test func severalReadsAreInFlightAtOnce() async throws {
        let s = try scenario()
        let (device, recorder) = try await dock(s, options: fastOptions(chunk: 64 * 1024))
        try await recorder.authenticate(password: "secret")
        _ = try await readAll(recorder, 1, size: 5_000_003)
        // 5 MB in 64 KiB chunks is 77 READs; they were requested up to 8 ahead.
        #expect(await device.requestCounts[.read] == 77)
        #expect(await recorder.statistics().peakInFlight == 8)
        await recorder.close()
    }

    @Test func theSameScenarioAlwaysYieldsTheSameBytes() throws {
        let a = ScenarioDescription(try scenario()), b = ScenarioDescription(try scenario())
        #expect(a.recorders[0].files.map(\.sha256) == b.recorders[0].files.map(\.sha256))
        #expect(a.json() == b.json())
    }

    @Test func operationsBeforeAuthenticationAreRefused() async throws {
        let (_, recorder) = try await dock(try scenario())
        _ = try await recorder.identity() // allowed
        await #expect { _ = try await recorder.catalog() } throws: { ($0 as? RecorderError)?.deviceStatus == .authRequired }
        await recorder.close()
    }

    @Test func aWrongPasswordGivesAttemptsLeftThenLockout() async throws {
        let (_, recorder) = try await dock(try scenario())
        var seen: [String] = []
        for _ in 0..<4 {
            do {
                try await recorder.authenticate(password: "wrong")
            } catch {
                if let status = error.deviceStatus, let refusal = error.refusal { seen.append("\(status)/\(refusal.value)") }
            }
        }
        // Three attempts allowed: two warnings, then the lockout (60 s), which also refuses the
        // right password; the fourth answer says the seconds left, which a busy machine may
        // already have counted down.
        #expect(Array(seen.prefix(3)) == ["PASSWORD_WRONG/2", "PASSWORD_WRONG/1", "LOCKED_OUT/60"])
        let left = seen.count == 4 && seen[3].hasPrefix("LOCKED_OUT/") ? Int(seen[3].dropFirst("LOCKED_OUT/".count)) : nil
        #expect(left.map { (1...60).contains($0) } == true, "\(seen)")
        await #expect { try await recorder.authenticate(password: "secret") } throws: { ($0 as? RecorderError)?.deviceStatus == .lockedOut }
        await recorder.close()
    }

    @Test func theDocumentedAuthVectorIsWhatTheSimulatorAccepts() {
        // Docs/protocol.md: auth-response-request carries HMAC-SHA256("000000", 00..1F).
        let mac = hmacSHA256(key: Array("000000".utf8), message: (0..<32).map { UInt8($0) })
        #expect(hexString(mac).count == 64)
        let spec = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Docs/protocol.md")
        let text = (try? String(contentsOf: spec, encoding: .utf8)) ?? ""
        let flat = text.uppercased().filter { !$0.isWhitespace }
        #expect(flat.contains(hexString(mac).uppercased()), "the spec's AUTH_RESPONSE vector carries the HMAC of the documented nonce")
    }
}
