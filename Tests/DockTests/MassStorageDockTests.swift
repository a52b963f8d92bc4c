import Dock
import Foundation
import Journal
import MassStorageFamily
import MassStorageProtocol
import RecorderHAL
import RecorderSimulator
import Testing
import TestSupport

/// Whole docks of a family with no clock, no device hash and no release: the mass-storage
/// driver over the simulator's image-backed disk, the images made by mkfs.vfat and mtools
/// (Tests/volumes/make-image.sh) and read back by The Sleuth Kit.
@Suite struct MassStorageDockTests {
    /// Docks the image as a mass-storage recorder and waits for the dock to end.
    private func dock(_ kiosk: TestKiosk, image: URL, usbSerial: String? = "MSD0001", port: String = "1-1.2",
                      faults: [MassStorageFault] = [], shortDataPhase: ShortDataPhase = .shortPacket)
        async throws -> (DockOutcome, SimulatedMassStorage) {
        var storage = MassStorageScenario(imagePath: image.path)
        storage.serialNumber = usbSerial
        storage.faults = faults
        storage.shortDataPhase = shortDataPhase
        let device = try SimulatedMassStorage(storage, link: .unlimited, name: "disk")
        #expect(await kiosk.gateway.dock(link: .transfers(device.hostEnd), driver: MassStorageDriver(), port: port))
        let outcome = try #require(await kiosk.gateway.waitUntilIdle().last)
        return (outcome, device)
    }

    private func custody(_ bag: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: bag + "/custody.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func auditEvents(_ kiosk: TestKiosk) throws -> [String] {
        let text = try String(contentsOfFile: kiosk.config.store + "/audit/audit.jsonl", encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["event"] as? String
        }
    }

    /// The dock completes with every file as The Sleuth Kit reads it, in a valid bag whose
    /// custody record has no clock; the anomalies say the clock was not read and the verified
    /// files stay on the recorder; nothing was asked of the recorder that it cannot do, and no
    /// command outside the write blocker's allow-list reached it.
    @Test func aDockWithoutClockHashOrRelease() async throws {
        try await withTemporaryDirectory("msd-dock") { dir in
            let image = try TestImage.make("fat12", in: dir)
            let tsk = try SleuthKit.files(image: image.url, sector: 0)
            let kiosk = try TestKiosk(release: .releaseAfterVerified)
            let (out, device) = try await dock(kiosk, image: image.url)

            #expect(out.result == .completed)
            #expect(out.serial == "MSD0001")
            #expect(out.listed == tsk.count && out.files == tsk.count && out.verified == tsk.count && out.allVerified)
            #expect(out.clockOffsetMilliseconds == nil)
            #expect(out.released == 0)
            let codes = out.anomalies.map(\.code)
            #expect(codes.filter { $0 == "clock-not-read" }.count == 1)
            let kept = out.anomalies.filter { $0.code == "verified-not-released" }
            #expect(kept.count == 1 && kept.first?.detail.hasPrefix("\(tsk.count) verified recordings stay on the recorder") == true)
            #expect(!codes.contains("clock-set-failed") && !codes.contains("release-refused") && !codes.contains("protocol-error"))

            let bag = try #require(out.bagPath)
            let (status, output) = try run(["python3", "-m", "bagit", "--validate", bag])
            #expect(status == 0, "\(output)")
            let record = try custody(bag)
            #expect(record["clock"] == nil)
            let recordCodes = (record["anomalies"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            #expect(recordCodes.contains("clock-not-read"))
            let bagInfo = try String(contentsOfFile: bag + "/bag-info.txt", encoding: .utf8)
            #expect(!bagInfo.contains("Clock-Offset-Ms"))
            let files = record["files"] as? [[String: Any]] ?? []
            #expect(files.count == tsk.count)
            for f in files {
                let path = try #require(f["devicePath"] as? String)
                let inode = try #require(tsk[path], "\(path) is not on the image")
                #expect(f["sha256"] as? String == (try SleuthKit.sha256(image: image.url, sector: 0, inode: inode)), "\(path)")
                #expect(f["correctedStartUTC"] == nil && f["deviceSha256"] == nil)
            }
            let report = try String(contentsOfFile: bag + "/report.txt", encoding: .utf8)
            #expect(report.contains("not read"))
            let svg = try String(contentsOfFile: bag + "/timeline.svg", encoding: .utf8)
            #expect(svg.contains("clock-not-read"))

            // No clock reading, no setting, no release: the audit log says none happened.
            let events = try auditEvents(kiosk)
            #expect(events.contains("bag-finalized"))
            #expect(!events.contains("clock-offset") && !events.contains("clock-set") && !events.contains("released"))

            let log = device.cdbLog
            let allowed = Set(SCSICommand.Opcode.allCases.map(\.rawValue))
            #expect(!log.entries.isEmpty && log.opcodes(notIn: allowed).isEmpty && log.rejectedWrappers.isEmpty)
            #expect(log.entries.allSatisfy { $0.dataIn || $0.dataTransferLength == 0 })
        }
    }

    /// Docked again, unchanged: nothing is pulled, every file is already collected.
    /// A device that halts bulk IN after a data phase shorter than asked (BOT §6.7.2 case 5,
    /// as many real ones do, e.g. MODE SENSE's 4 bytes for a larger allocation) is read as
    /// completely as one that ends it with a short packet: no reset recovery, same files.
    @Test func aDeviceThatHaltsAfterShortDataIsReadAsWhole() async throws {
        try await withTemporaryDirectory("msd-short-stall") { dir in
            let image = try TestImage.make("fat12", in: dir)
            let tsk = try SleuthKit.files(image: image.url, sector: 0)
            let kiosk = try TestKiosk(release: .keep)
            let (out, device) = try await dock(kiosk, image: image.url, shortDataPhase: .stall)
            #expect(out.result == .completed)
            #expect(out.files == tsk.count && out.verified == tsk.count && out.allVerified)
            #expect(!out.anomalies.map(\.code).contains("protocol-error"))
            // Halts were met (MODE SENSE(6) gets fewer bytes than it allocates) and cleared
            // with CLEAR_FEATURE, never a Bulk-Only Mass Storage Reset (class request 0xFF).
            #expect(await device.device.haltsAfterShortData > 0)
            #expect(await device.device.isHalted(.bulkIn) == false)
            #expect(!device.cdbLog.controlRequests.contains { $0.requestType == 0x21 && $0.request == 0xFF })
        }
    }

    @Test func aSecondDockPullsNothing() async throws {
        try await withTemporaryDirectory("msd-redock") { dir in
            let image = try TestImage.make("fat12", in: dir)
            let kiosk = try TestKiosk()
            let (first, _) = try await dock(kiosk, image: image.url)
            #expect(first.result == .completed && first.files > 0)
            let (second, _) = try await dock(kiosk, image: image.url)
            #expect(second.result == .completed)
            #expect(second.files == 0 && second.bytes == 0 && second.bagPath == nil)
            #expect(second.alreadyIngested == first.files && second.listed == first.listed)
        }
    }

    /// Replaces the file at `path` on the image by `bytes` (same size, other content) with
    /// mtools, stamped with another time.
    private func replace(_ path: String, on image: URL, with bytes: [UInt8], in dir: URL) throws {
        let other = dir.appendingPathComponent("other-\(bytes.count).bin")
        try Data(bytes).write(to: other)
        let touched = try TestSupport.run("/usr/bin/touch", ["-d", "2021-03-04 05:06:08", other.path], mergingErrors: true)
        try #require(touched.status == 0, "\(touched.output)")
        let copied = try TestSupport.run("/usr/bin/mcopy", ["-o", "-m", "-i", image.path, other.path, "::" + path],
                                         environment: ["MTOOLS_SKIP_CHECK": "1", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PATH": "/usr/bin:/bin"],
                                         mergingErrors: true)
        try #require(copied.status == 0, "mcopy: \(copied.output)")
    }

    /// A dock cut off part way through a file, that file then replaced on the recorder by
    /// another of the same path and size: the continuing dock reads the new file from byte 0
    /// and never appends its bytes to the old one's staged prefix (with no device hash, nothing
    /// else would notice the mix). Every file in the bag is then what The Sleuth Kit reads, and
    /// the old prefix, all that is left of the old file, is kept beside it as an incomplete copy.
    @Test func aResumedDockDoesNotAppendAReplacedFileToTheOldPrefix() async throws {
        try await withTemporaryDirectory("msd-resume") { dir in
            let image = try TestImage.make("fat12", in: dir)
            // Find where a disconnect leaves a file partly staged: the first cut, in data bytes,
            // that does (the fragmented large file is read one extent per READ).
            var found: (kiosk: TestKiosk, file: Journal.File)?
            for cut in stride(from: UInt64(4096), through: 200_000, by: 1024) {
                let kiosk = try TestKiosk()
                let (out, _) = try await dock(kiosk, image: image.url, faults: [.disconnectAfterBytes(cut)])
                guard case .interrupted = out.result else { continue }
                let journal = kiosk.gateway.context.journal
                guard let session = try journal.unfinishedSession(serial: "MSD0001") else { continue }
                if let partial = try journal.files(session: session.id).first(where: { $0.state == .pending && $0.durableOffset > 0 && $0.durableOffset < $0.size }) {
                    found = (kiosk, partial)
                    break
                }
            }
            let (kiosk, partial) = try #require(found, "no cut left a file partly staged")
            let tskBefore = try SleuthKit.files(image: image.url, sector: 0)
            let path = try #require(tskBefore.keys.first { "data/" + $0 == partial.bagPath }, "\(partial.bagPath)")
            var generator = SplitMix64(seed: 29)
            let bytes = (0..<partial.size).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            try replace(path, on: image.url, with: bytes, in: dir)

            let (out, _) = try await dock(kiosk, image: image.url)
            #expect(out.result == .completed && out.anomalies.contains { $0.code == "resumed" })
            let bag = try #require(out.bagPath)
            #expect(try run(["python3", "-m", "bagit", "--validate", bag]).0 == 0)
            let tsk = try SleuthKit.files(image: image.url, sector: 0)
            // Every file as it is on the recorder now, and the old file's staged prefix kept
            // beside it, under an id of its own, never mixed with the new bytes.
            let files = try custody(bag)["files"] as? [[String: Any]] ?? []
            #expect(files.count == tsk.count + 1)
            let kept = try #require(out.anomalies.first { $0.code == "replaced-on-recorder" })
            let keptId = try #require(kept.recordingId)
            #expect(kept.recordingId != partial.recordingId)
            #expect(out.anomalies.contains { $0.code == "vanished" && $0.recordingId == keptId })
            for f in files {
                let p = try #require(f["devicePath"] as? String)
                let inode = try #require(tsk[p])
                let id = try #require(f["recordingId"] as? Int)
                if UInt32(id) == keptId {
                    #expect(f["bagPath"] as? String == partial.bagPath && f["size"] as? Int == Int(partial.durableOffset))
                    #expect(f["verified"] as? Bool == false)
                    continue
                }
                #expect(f["sha256"] as? String == (try SleuthKit.sha256(image: image.url, sector: 0, inode: inode)), "\(p)")
            }
            let fresh = files.filter { $0["devicePath"] as? String == path && ($0["recordingId"] as? Int).map(UInt32.init) != keptId }
            let want = try sha256(bytes)
            #expect(fresh.count == 1 && fresh.first?["sha256"] as? String == want)
            #expect(fresh.first?["bagPath"] as? String != partial.bagPath)
        }
    }

    /// A file replaced by another of the same path and size (mtools overwriting it with other
    /// bytes and another time stamp) is pulled again; the rest is not.
    @Test func aReplacedFileIsPulledAgain() async throws {
        try await withTemporaryDirectory("msd-replaced") { dir in
            let image = try TestImage.make("fat12", in: dir)
            let kiosk = try TestKiosk()
            let (first, _) = try await dock(kiosk, image: image.url)
            #expect(first.result == .completed && first.files > 1)

            let path = "DCIM/100MEDIA/CLIP0001.MP4"
            var generator = SplitMix64(seed: 13)
            let bytes = (0..<5000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            try replace(path, on: image.url, with: bytes, in: dir)
            let tsk = try SleuthKit.files(image: image.url, sector: 0)
            let inode = try #require(tsk[path])
            #expect(try SleuthKit.sha256(image: image.url, sector: 0, inode: inode) == (try sha256(bytes)))

            let (second, _) = try await dock(kiosk, image: image.url)
            #expect(second.result == .completed)
            #expect(second.files == 1 && second.verified == 1)
            #expect(second.alreadyIngested == first.files - 1)
            let files = try custody(try #require(second.bagPath))["files"] as? [[String: Any]] ?? []
            #expect(files.count == 1 && files.first?["devicePath"] as? String == path)
            #expect(files.first?["sha256"] as? String == (try sha256(bytes)))
        }
    }

    /// Without a usable USB serial number the recorder is named by its volume's serial, as before.
    @Test func withoutAUSBSerialTheVolumeSerialNamesIt() async throws {
        try await withTemporaryDirectory("msd-serial") { dir in
            let image = try TestImage.make("small", in: dir)
            let kiosk = try TestKiosk()
            let (out, _) = try await dock(kiosk, image: image.url, usbSerial: "../\u{7}")
            #expect(out.result == .completed)
            let serial = try #require(out.serial)
            #expect(serial.count == 8 && serial.allSatisfy(\.isHexDigit))
        }
    }
}
