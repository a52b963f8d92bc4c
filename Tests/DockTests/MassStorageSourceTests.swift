import Dock
import Evidence
import Foundation
import MassStorageFamily
import RecorderHAL
import RecorderSimulator
import Settings
import Testing
import TestSupport

/// A mass-storage recorder docked end to end over the simulated disk: its custody record's
/// source and runs, and verify-source counted in READ commands on the device.
@Suite struct MassStorageSourceTests {
    /// The disk's recorder as a dock sees it, with a readable clock (the mass-storage family has
    /// none; the dock of a clockless family is another change) and, when asked, release.
    final class Clocked: Recorder, SourceProvenance, @unchecked Sendable {
        let disk: MassStorageRecorder
        let info: RecorderInfo
        private let lock = NSLock()
        private var freed: [UInt32] = []
        init(_ disk: MassStorageRecorder, release: Bool) {
            self.disk = disk
            var info = disk.info
            info.capabilities.insert(.clockRead)
            if release { info.capabilities.insert(.release) }
            self.info = info
        }
        var released: [UInt32] { lock.withLock { freed } }
        func identity() async throws(RecorderError) -> RecorderIdentity { try await disk.identity() }
        func authenticate(password: String) async throws(RecorderError) {}
        func readClock() async throws(RecorderError) -> ClockSample {
            let now = Date()
            return ClockSample(device: DeviceTime(utcMilliseconds: Int64(now.timeIntervalSince1970 * 1000), zoneOffsetMinutes: 480),
                               hostSent: now, hostReceived: now)
        }
        func setClock(_ time: DeviceTime) async throws(RecorderError) {}
        func status() async throws(RecorderError) -> RecorderStatus { try await disk.status() }
        func catalog() async throws(RecorderError) -> [CatalogEntry] { try await disk.catalog() }
        func read(_ id: UInt32, range: Range<UInt64>) -> any RecordingStream { disk.read(id, range: range) }
        func release(_ id: UInt32, sha256: [UInt8]) async throws(RecorderError) { lock.withLock { freed.append(id) } }
        func statistics() async -> ExchangeStatistics { await disk.statistics() }
        func close() async { await disk.close() }
        func sourceMedium() async -> SourceMedium? { await disk.sourceMedium() }
        func sourceExtents(of id: UInt32) -> [SourceExtent]? { disk.sourceExtents(of: id) }
        func sourceVolume(of id: UInt32) -> Int? { disk.sourceVolume(of: id) }
    }

    struct Docked {
        var out: DockOutcome
        var custody: CustodyRecord
        var device: SimulatedMassStorage
        var recorder: Clocked
    }

    private func dock(_ image: URL, faults: [MassStorageFault] = [], release: Bool, verify: VerifySourcePolicy) async throws -> Docked {
        var storage = MassStorageScenario(imagePath: image.path)
        storage.faults = faults
        let device = try SimulatedMassStorage(storage, link: .unlimited, name: "disk")
        let opened = try await MassStorageDriver().open(.transfers(device.hostEnd), options: DriverOptions())
        let recorder = Clocked(try #require(opened as? MassStorageRecorder), release: release)
        let kiosk = try TestKiosk(release: release ? .releaseAfterVerified : .keep, verifySource: verify)
        await kiosk.gateway.dock(link: .stream(NoLink()), driver: PreparedDriver(recorder: recorder), port: "1-1.1")
        let out = try #require(await kiosk.gateway.waitUntilIdle().last)
        #expect(out.result == .completed, "\(out.result) \(out.anomalies)")
        let bag = try #require(out.bagPath)
        let custody = try CustodyRecord(json: Data(contentsOf: URL(fileURLWithPath: bag + "/custody.json")))
        return Docked(out: out, custody: custody, device: device, recorder: recorder)
    }

    /// How many READ commands covered the first block of each run.
    private func readsOfFirstBlocks(_ log: CommandLog, _ extents: [SourceExtent]) -> [Int] {
        let reads: [(lba: UInt64, blocks: UInt64)] = log.entries.compactMap { e in
            let b = e.commandBlock
            switch e.opcode {
            case 0x28: return (b[2...5].reduce(0) { $0 << 8 | UInt64($1) }, b[7...8].reduce(0) { $0 << 8 | UInt64($1) })
            case 0x88: return (b[2...9].reduce(0) { $0 << 8 | UInt64($1) }, b[10...13].reduce(0) { $0 << 8 | UInt64($1) })
            default: return nil
            }
        }
        return extents.map { e in reads.filter { ($0.lba ..< $0.lba + $0.blocks).contains(e.offset / 512) }.count }
    }

    @Test func beforeReleaseWithoutReleaseReadsEveryFileOnceAndRecordsItsRuns() async throws {
        try await withTemporaryDirectory("ms-dock-once") { dir in
            let image = try TestImage.make("fat32-s8", in: dir)
            let d = try await dock(image.url, release: false, verify: .beforeRelease)
            let files = d.custody.files.filter { $0.size > 0 }
            #expect(files.count > 10)
            #expect(d.custody.files.allSatisfy { $0.sourceVerification == "not-done" })
            for f in files {
                let extents = try #require(f.extents, "\(f.devicePath)")
                #expect(extents.map(\.length).reduce(0, +) == f.size)
                #expect(readsOfFirstBlocks(d.device.cdbLog, extents).allSatisfy { $0 == 1 }, "\(f.devicePath)")
            }
            let source = try #require(d.custody.source)
            #expect(source.volumes.first?.fileSystem == "FAT32" && source.disk?.vendor == "ZFYSIM")
        }
    }

    @Test func alwaysReadsEveryFileTwiceAndAgrees() async throws {
        try await withTemporaryDirectory("ms-dock-twice") { dir in
            let image = try TestImage.make("fat32-s8", in: dir)
            let d = try await dock(image.url, release: false, verify: .always)
            #expect(d.custody.files.allSatisfy { $0.sourceVerification == "second-read-agreed" })
            for f in d.custody.files where f.size > 0 {
                #expect(readsOfFirstBlocks(d.device.cdbLog, try #require(f.extents)).allSatisfy { $0 == 2 }, "\(f.devicePath)")
            }
            #expect(!d.out.anomalies.contains { DockSessionCodes.withholding.contains($0.code) })
        }
    }

    /// The simulator's volume changes after the first pass (as many READ commands as a dock
    /// without a second read sends): a file's bytes differ at the second read, nothing is
    /// released.
    @Test func aVolumeChangedBetweenTheReadsReleasesNothing() async throws {
        try await withTemporaryDirectory("ms-dock-changed") { dir in
            let image = try TestImage.make("fat32-s8", in: dir)
            let once = try await dock(image.url, release: false, verify: .beforeRelease)
            let firstPass = once.device.cdbLog.entries.filter { $0.opcode == 0x28 || $0.opcode == 0x88 }.count
            let victim = try #require(once.custody.files.first { $0.devicePath == "DCIM/100MEDIA/CLIP0001.MP4" })
            let run = try #require(victim.extents?.first)
            let d = try await dock(image.url, faults: [
                .volumeChanged(after: .reads(firstPass), to: .changes([ByteChange(offset: run.offset + 100, bytes: [0x00, 0xFF, 0x00])]))],
                release: true, verify: .beforeRelease)
            let changed = try #require(d.out.anomalies.first { $0.code == "source-changed" })
            let firstSHA = try #require(victim.sha256)
            #expect(changed.recordingId == victim.recordingId && changed.detail.contains(firstSHA))
            let differing = try #require(d.custody.files.first { $0.recordingId == victim.recordingId })
            #expect(differing.sourceVerification == "second-read-differs" && differing.quarantined && differing.sha256 == victim.sha256)
            #expect(d.custody.files.filter { $0.recordingId != victim.recordingId }.allSatisfy { $0.sourceVerification == "second-read-agreed" })
            #expect(d.out.released == 0 && d.recorder.released.isEmpty)
        }
    }
}
