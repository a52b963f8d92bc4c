import Foundation
import GatewayCrypto
import ProtocolV1Family
import RecorderHAL
import RecorderProtocol

/// A dress rehearsal of a dock: docks every recorder of a scenario on its own simulated bus and
/// drives it through the real HAL driver: HELLO, IDENTITY, AUTHENTICATE, CLOCK, CATALOG, READ of
/// every file with several READs in flight, and RELEASE of each file whose SHA-256 matches what
/// the scenario says the device holds. It stores nothing; the gateway's ingest does the real job.
public enum Rehearsal {
    /// What happened with one recorder.
    public struct Outcome: Sendable {
        public var serial: String
        public var port: String
        public var files = 0
        public var verified = 0
        public var released = 0
        public var bytes: UInt64 = 0
        public var seconds = 0.0
        public var clockOffsetMilliseconds: Double?
        public var rereads = 0
        /// One line per problem, each naming the file.
        public var problems: [String] = []
    }

    /// Runs every recorder at once. `progress` is called with (serial, bytes so far) as data arrives.
    public static func run(_ scenario: Scenario, expected: ScenarioDescription, options: DriverOptions = DriverOptions(),
                           progress: @escaping @Sendable (String, UInt64) -> Void = { _, _ in }) async -> [Outcome] {
        await withTaskGroup(of: (Int, Outcome).self) { group in
            for (i, r) in scenario.recorders.enumerated() {
                group.addTask { (i, await dock(r, expected: expected.recorders[i], options: options, progress: progress)) }
            }
            var outcomes = [Outcome?](repeating: nil, count: scenario.recorders.count)
            for await (i, o) in group { outcomes[i] = o }
            return outcomes.compactMap { $0 }
        }
    }

    static func dock(_ r: RecorderScenario, expected: ScenarioDescription.Recorder, options: DriverOptions,
                     progress: @escaping @Sendable (String, UInt64) -> Void) async -> Outcome {
        let started = ContinuousClock.now
        var out = await pull(r, expected: expected, options: options, progress: progress)
        out.seconds = secondsSince(started)
        return out
    }

    private static func pull(_ r: RecorderScenario, expected: ScenarioDescription.Recorder, options: DriverOptions,
                             progress: @escaping @Sendable (String, UInt64) -> Void) async -> Outcome {
        var out = Outcome(serial: r.identity.serial, port: expected.port)
        let device = await SimulatedRecorder.dock(r)
        let recorder: any Recorder
        do {
            recorder = try await ZFYBulkDriver().open(link: device.bus.hostEnd, options: options)
        } catch {
            out.problems.append("open: \(error)")
            return out
        }
        defer { Task { await recorder.close() } }
        do {
            let id = try await recorder.identity()
            if id.serial != r.identity.serial { out.problems.append("identity: serial \(id.serial), expected \(r.identity.serial)") }
            try await recorder.authenticate(password: r.password)
            var best: ClockSample?
            for _ in 0..<3 {
                let s = try await recorder.readClock()
                if best == nil || s.roundTripMilliseconds < best!.roundTripMilliseconds { best = s }
            }
            out.clockOffsetMilliseconds = best?.offsetMilliseconds
            let catalog = try await recorder.catalog()
            out.files = catalog.count
            for entry in catalog {
                let name = "file \(entry.id) (\(entry.path.prefix(60)))"
                guard let want = expected.files.first(where: { $0.id == entry.id }) else {
                    out.problems.append("\(name): not in the scenario")
                    continue
                }
                let hasher = SHA256Hasher()
                let reader = recorder.read(entry.id, range: 0..<entry.size)
                var got: UInt64 = 0
                do {
                    while let chunk = try await reader.next() {
                        hasher.update(chunk.data)
                        got += UInt64(chunk.data.count)
                        out.bytes += UInt64(chunk.data.count)
                        progress(r.identity.serial, out.bytes)
                    }
                } catch {
                    out.rereads += reader.rereads
                    out.problems.append("\(name): \(error)")
                    if error.isLinkLost { return out }
                    continue
                }
                out.rereads += reader.rereads
                let sha = hasher.finalize()
                guard sha == want.sha256, got == want.size else {
                    out.problems.append("\(name): got \(got) bytes with SHA-256 \(hexString(sha)), the device holds \(want.size) bytes with \(hexString(want.sha256))")
                    continue
                }
                if let claimed = entry.deviceSHA256, claimed != sha {
                    out.problems.append("\(name): SHA-256 \(hexString(sha)) differs from the device's own \(hexString(claimed)); not released")
                    continue
                }
                out.verified += 1
                do {
                    try await recorder.release(entry.id, sha256: sha)
                    out.released += 1
                } catch {
                    out.problems.append("\(name): \(error)")
                }
            }
        } catch {
            out.problems.append(error.description)
        }
        return out
    }
}

/// Seconds elapsed since `start` on the continuous clock.
public func secondsSince(_ start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}
