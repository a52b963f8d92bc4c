import Foundation
import MassStorageFamily
import RecorderHAL
import RecorderSimulator
import Testing
import TestSupport

/// A mass-storage recorder served by `recorder-sim serve` in a process of its own and reached
/// through `PipeTransferLink`, as `recorder-gatewayd --devices-out-of-process` (Tools/bench)
/// docks it: the driver reads a real image through the pipe as The Sleuth Kit reads it, and
/// as it reads the same image in process; the device's end is carried across.
@Suite struct OutOfProcessDiskTests {
    /// The `recorder-sim` built beside this test bundle.
    static var recorderSim: String {
        get throws {
            let bundle = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
            return URL(fileURLWithPath: bundle).deletingLastPathComponent().appendingPathComponent("recorder-sim").path
        }
    }

    /// A scenario file in `dir` with one mass-storage recorder serving `image`.
    private func scenarioFile(in dir: URL, image: URL, faults: String = "[]") throws -> URL {
        let url = dir.appendingPathComponent("scenario.json")
        try Data("""
        {"schema": 1, "recorders": [{"identity": {"serial": "M000001"}, "link": "unlimited",
          "storage": {"image": "\(image.lastPathComponent)", "faults": \(faults)}}]}
        """.utf8).write(to: url)
        return url
    }

    /// Every file's SHA-256 by path, read whole through `link`.
    private func collect(_ link: DeviceLink) async throws -> [String: String] {
        let recorder = try await MassStorageDriver().open(link, options: DriverOptions())
        var sha: [String: String] = [:]
        for entry in try await recorder.catalog() {
            let stream = recorder.read(entry.id, range: 0..<entry.size)
            var bytes: [UInt8] = []
            while let chunk = try await stream.next() { bytes += chunk.data }
            #expect(UInt64(bytes.count) == entry.size, "\(entry.path)")
            sha[entry.path] = try sha256(bytes)
        }
        await recorder.close()
        return sha
    }

    @Test func aRealImageReadsAsInProcessAndAsTheSleuthKitReadsIt() async throws {
        try await withTemporaryDirectory("oop-disk") { dir in
            let image = try TestImage.make("fat32-s8", in: dir)
            let scenario = try Scenario(contentsOf: try scenarioFile(in: dir, image: image.url).path)
            let device = try DeviceProcess(command: try Self.recorderSim, scenario: dir.appendingPathComponent("scenario.json").path,
                                           serial: "M000001")
            let outOfProcess = try await collect(.transfers(PipeTransferLink(device: device, model: .unlimited, name: "M000001")))
            let inProcess = try #require(try SimulatedMassStorage(scenario.recorders[0], name: "M000001"))
            let sameInProcess = try await collect(.transfers(inProcess.hostEnd))
            let tsk = try SleuthKit.files(image: image.url, sector: 0)
            #expect(!tsk.isEmpty)
            #expect(outOfProcess == sameInProcess)
            #expect(Set(outOfProcess.keys) == Set(tsk.keys))
            for (path, inode) in tsk {
                #expect(outOfProcess[path] == (try SleuthKit.sha256(image: image.url, sector: 0, inode: inode)), "\(path)")
            }
        }
    }

    /// A device unplugged at its fifth command: the host sees `.deviceGone` on that transfer
    /// and every later one, as from the in-process link; after `close()`, `.closed`.
    @Test func theDevicesEndCrossesThePipe() async throws {
        try await withTemporaryDirectory("oop-gone") { dir in
            let image = try TestImage.make("fat12", in: dir)
            let file = try scenarioFile(in: dir, image: image.url, faults: #"[{"kind": "disconnect", "command": 2}]"#)
            let device = try DeviceProcess(command: try Self.recorderSim, scenario: file.path, serial: "M000001")
            let link = PipeTransferLink(device: device, model: .unlimited, name: "M000001")
            // GET MAX LUN: one LUN.
            #expect(try await link.control(requestType: 0xA1, request: 0xFE, value: 0, index: 0, data: [], length: 1, timeout: .seconds(5)) == [0])
            // A TEST UNIT READY wrapper: accepted, and its CSW comes back with the tag.
            let tur: [UInt8] = [0x55, 0x53, 0x42, 0x43, 7, 0, 0, 0] + [0, 0, 0, 0, 0, 0, 6] + [UInt8](repeating: 0, count: 16)
            try await link.bulkOut(tur, timeout: .seconds(5))
            let csw = try await link.bulkIn(length: 13, timeout: .seconds(5))
            #expect(csw.count == 13 && Array(csw[0..<8]) == [0x55, 0x53, 0x42, 0x53, 7, 0, 0, 0])
            // Nothing to send: the device NAKs, which an unlimited link reports at once.
            await #expect(throws: LinkError.timedOut(direction: .bulkIn, milliseconds: 50)) {
                _ = try await link.bulkIn(length: 13, timeout: .milliseconds(50))
            }
            // The second command unplugs the device.
            await #expect(throws: LinkError.deviceGone) { try await link.bulkOut(tur, timeout: .seconds(5)) }
            await #expect(throws: LinkError.deviceGone) { try await link.clearHalt(.bulkIn, timeout: .seconds(5)) }
            await link.close()
            await #expect(throws: LinkError.closed) { _ = try await link.bulkIn(length: 13, timeout: .seconds(5)) }
        }
    }
}
