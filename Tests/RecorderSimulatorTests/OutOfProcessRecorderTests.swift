import Foundation
import GatewayCrypto
import ProtocolV1Family
import RecorderHAL
import Testing
@testable import RecorderSimulator

/// A protocol-v1 recorder served by `recorder-sim serve` in a process of its own and reached
/// through `PipeRecorderLink`, as `recorder-gatewayd --devices-out-of-process` docks it: the
/// driver's whole ingest (identity, authentication, catalog, every file, release) goes as it
/// goes in process, with the same bytes; the device's unplugging crosses the pipe.
@Suite struct OutOfProcessRecorderTests {
    /// The `recorder-sim` built beside this test bundle.
    static var recorderSim: String {
        get throws {
            let bundle = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
            return URL(fileURLWithPath: bundle).deletingLastPathComponent().appendingPathComponent("recorder-sim").path
        }
    }

    /// A scenario file of the Support scenario with `faults`; removed by the caller.
    private func scenarioFile(faults: String = "[]") throws -> (URL, Scenario) {
        let json = """
        {"schema": 1, "recorders": [{
          "identity": {"serial": "T000001", "officerNumber": "123456"}, "password": "secret", "link": "unlimited",
          "recordings": \(defaultRecordings), "faults": \(faults)}]}
        """
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("oop-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: url)
        return (url, try Scenario(json: Data(json.utf8)))
    }

    /// Identity, catalog and every file's SHA-256, then every file released.
    private func ingest(_ link: any RecorderLink) async throws -> (RecorderIdentity, [CatalogEntry], [UInt32: [UInt8]]) {
        let recorder = try await ZFYBulkDriver().open(link: link, options: fastOptions())
        let identity = try await recorder.identity()
        try await recorder.authenticate(password: "secret")
        let catalog = try await recorder.catalog()
        var hashes: [UInt32: [UInt8]] = [:]
        for entry in catalog {
            let (bytes, _) = try await readAll(recorder, entry.id, size: entry.size)
            hashes[entry.id] = SHA256Hasher.hash(bytes)
            try await recorder.release(entry.id, sha256: hashes[entry.id]!)
        }
        await recorder.close()
        return (identity, catalog, hashes)
    }

    @Test func itIngestsAsInProcess() async throws {
        let (file, scenario) = try scenarioFile()
        defer { try? FileManager.default.removeItem(at: file) }
        let device = try DeviceProcess(command: try Self.recorderSim, scenario: file.path, serial: "T000001")
        let (identity, catalog, hashes) = try await ingest(PipeRecorderLink(device: device, model: .unlimited, name: "T000001"))
        let inProcess = await SimulatedRecorder.dock(scenario.recorders[0])
        let (identity2, catalog2, hashes2) = try await ingest(inProcess.bus.hostEnd)
        #expect(identity == identity2 && identity.serial == "T000001")
        #expect(catalog.map(\.path) == catalog2.map(\.path) && catalog.map(\.size) == catalog2.map(\.size))
        #expect(catalog.count == 4)
        #expect(hashes == hashes2)
        for entry in catalog { #expect(entry.deviceSHA256 == hashes[entry.id], "file \(entry.id)") }
    }

    /// Unplugged after 100,000 file bytes: the read fails as a lost device, not a hang.
    @Test func anUnpluggedDeviceIsGone() async throws {
        let (file, _) = try scenarioFile(faults: #"[{"kind": "disconnect", "afterBytes": 100000}]"#)
        defer { try? FileManager.default.removeItem(at: file) }
        let device = try DeviceProcess(command: try Self.recorderSim, scenario: file.path, serial: "T000001")
        let link = PipeRecorderLink(device: device, model: .unlimited, name: "T000001")
        let recorder = try await ZFYBulkDriver().open(link: link, options: fastOptions())
        try await recorder.authenticate(password: "secret")
        let first = try #require(try await recorder.catalog().first)
        await #expect(throws: RecorderError.self) { _ = try await readAll(recorder, first.id, size: first.size) }
        await #expect(throws: LinkError.deviceGone) { _ = try await link.receive() }
        await recorder.close()
    }

    /// The device gets its standard input, output and error and no other descriptor of ours: a
    /// pipe the caller opened for something else (here without close-on-exec, as Foundation's
    /// Pipe and a test server's socket are) must not be held open by the device, or that pipe's
    /// reader never sees the end of its input (a whole test run once hung on such a cycle).
    @Test func theDeviceInheritsNoOtherDescriptor() async throws {
        let (file, _) = try scenarioFile()
        defer { try? FileManager.default.removeItem(at: file) }
        var other: [Int32] = [-1, -1]
        try #require(pipe(&other) == 0)
        defer { close(other[0]); close(other[1]) }
        let device = try DeviceProcess(command: try Self.recorderSim, scenario: file.path, serial: "T000001")
        defer { device.finish() }
        let pipes = { (pid: pid_t) -> Set<String> in
            let dir = "/proc/\(pid)/fd"
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            return Set(entries.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: dir + "/" + $0) })
        }
        let ours = try #require(try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(other[1])"))
        // The device's descriptors, once it has started: it answers HELLO only after exec.
        let link = PipeRecorderLink(device: device, model: .unlimited, name: "T000001")
        let recorder = try await ZFYBulkDriver().open(link: link, options: fastOptions())
        let held = pipes(device.pid)
        #expect(!held.isEmpty, "the device's descriptors could not be read")
        #expect(!held.contains(ours), "the device holds \(ours), a pipe of the caller's: \(held.sorted())")
        await recorder.close()
    }
}
