import Dock
import Evidence
import Foundation
import Journal
import MassStorageFamily
import RecorderHAL
import RecorderSimulator
import Testing
import TestSupport

/// A medium with two partitions (Tests/volumes/make-image.sh `mbr`: sfdisk, a FAT16 and a FAT32
/// volume made by mkfs.vfat and filled by mtools with the same tree) docked through the
/// simulator: one bag per volume, each compared with The Sleuth Kit reading that partition.
@Suite struct MassStorageVolumesTests {
    private func dock(_ kiosk: TestKiosk, image: URL, faults: [MassStorageFault] = []) async throws -> DockOutcome {
        var storage = MassStorageScenario(imagePath: image.path)
        storage.serialNumber = "MSD0002"
        storage.faults = faults
        let device = try SimulatedMassStorage(storage, link: .unlimited, name: "disk")
        #expect(await kiosk.gateway.dock(link: .transfers(device.hostEnd), driver: MassStorageDriver(), port: "1-1.2"))
        return try #require(await kiosk.gateway.waitUntilIdle().last)
    }

    private func custody(_ bag: String) throws -> CustodyRecord {
        try CustodyRecord(json: Data(contentsOf: URL(fileURLWithPath: bag + "/custody.json")))
    }

    private func auditEntries(_ kiosk: TestKiosk) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: kiosk.config.store + "/audit/audit.jsonl", encoding: .utf8)
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// `bag` holds exactly the files The Sleuth Kit lists on the volume at `sector`, at their
    /// paths on that volume (no `volume-N/`), each verified with `icat`'s SHA-256, and its
    /// custody record's source is that volume alone, every run on it.
    private func expectBag(_ bag: String, isVolumeAt sector: UInt64, number: Int, of image: TestImage, scheme: String = "MBR") throws {
        let tsk = try SleuthKit.files(image: image.url, sector: sector)
        let record = try custody(bag)
        #expect(Set(record.files.map(\.devicePath)) == Set(tsk.keys), "\(bag)")
        #expect(record.files.count == tsk.count)
        for f in record.files {
            let inode = try #require(tsk[f.devicePath], "\(f.devicePath)")
            let want = try SleuthKit.sha256(image: image.url, sector: sector, inode: inode)
            #expect(f.verified && f.sha256 == want, "\(f.devicePath)")
            #expect(!f.bagPath.hasPrefix("data/volume-"))
        }
        let source = try #require(record.source)
        #expect(source.volumes.count == 1)
        let volume = try #require(source.volumes.first)
        #expect(volume.partitionScheme == scheme && volume.partitionNumber == number && volume.startBlock == sector)
        let blockSize = UInt64(try #require(source.disk?.blockSize))
        let volumeBytes = volume.startBlock * blockSize ..< (volume.startBlock + volume.blocks) * blockSize
        for f in record.files {
            let extents = try #require(f.extents)
            #expect(extents.allSatisfy { $0.volume == 0 && volumeBytes.contains($0.offset) }, "\(f.devicePath)")
            #expect(extents.map(\.length).reduce(0, +) == f.size)
        }
        let (status, output) = try run(["python3", "-m", "bagit", "--validate", bag])
        #expect(status == 0, "\(output)")
    }

    /// One dock, two bags: each holds its volume's files as The Sleuth Kit reads them from that
    /// partition and validates with bagit.py; the audit log names each bag with its volume; a
    /// second dock of the same medium finds nothing new. For an MBR and a GPT medium.
    @Test(arguments: ["mbr", "gpt"])
    func twoPartitionsAreSealedAsTwoBags(kind: String) async throws {
        try await withTemporaryDirectory("msd-two-volumes-\(kind)") { dir in
            let image = try TestImage.make(kind, in: dir)
            let scheme = kind.uppercased()
            try #require(image.volumeSectors.count == 2)
            let kiosk = try TestKiosk()
            let out = try await dock(kiosk, image: image.url)
            #expect(out.result == .completed, "\(out.result)")
            #expect(out.bags.count == 2 && out.bagPath == out.bags.first)
            let counts = try image.volumeSectors.map { try SleuthKit.files(image: image.url, sector: $0).count }
            #expect(out.files == counts.reduce(0, +) && out.verified == out.files && out.listed == out.files)
            #expect(out.bags[0].hasSuffix("_v1") && out.bags[1].hasSuffix("_v2"))
            for (n, bag) in out.bags.enumerated() {
                try expectBag(bag, isVolumeAt: image.volumeSectors[n], number: n + 1, of: image, scheme: scheme)
            }
            // The dock's own anomalies are in each bag's record, once.
            for bag in out.bags {
                #expect(try custody(bag).anomalies.filter { $0.code == "clock-not-read" }.count == 1)
            }

            let finalized = try auditEntries(kiosk).filter { $0["event"] as? String == "bag-finalized" }
                .compactMap { $0["detail"] as? [String: String] }
            #expect(finalized.map { $0["bag"] ?? "" } == out.bags.map { ($0 as NSString).lastPathComponent })
            #expect(finalized.compactMap { $0["volume"] }.map { String($0.prefix(6)) } == ["\(scheme)-1@", "\(scheme)-2@"])
            let sessions = try kiosk.gateway.context.journal.sessions().filter { $0.state == .finalized }
            #expect(Set(sessions.map(\.volume)) == Set(finalized.compactMap { $0["volume"] }))

            let again = try await dock(kiosk, image: image.url)
            #expect(again.result == .completed && again.bags.isEmpty && again.files == 0)
            #expect(again.alreadyIngested == out.files)
        }
    }

    /// The link lost while the second volume is being pulled: the first volume's bag is sealed
    /// and stays as it is; the next dock continues the second volume's session (its bag name,
    /// its staged files) and seals that bag alone, whole. And when the recorder comes back with
    /// a medium that no longer has that volume, its session is sealed as it stands.
    @Test func aLostLinkInTheSecondVolumeResumesThatVolumeOnly() async throws {
        try await withTemporaryDirectory("msd-two-volumes-resume") { dir in
            let image = try TestImage.make("mbr", in: dir)
            // A cut, in bytes the device sends, that leaves the first bag sealed and the second
            // volume's session open with a file staged: below the first coarse cut the dock
            // outlives (the volumes' allocation tables come first, most of the bytes), in 1 KiB steps.
            var whole: UInt64 = 0
            for cut in stride(from: UInt64(65536), through: 16 << 20, by: 65536) {
                let out = try await dock(try TestKiosk(), image: image.url, faults: [.disconnectAfterBytes(cut)])
                if out.result == .completed { whole = cut; break }
            }
            try #require(whole > 65536, "no cut let the dock complete")
            var found: (kiosk: TestKiosk, first: String, open: Journal.Session, cut: UInt64)?
            for cut in stride(from: whole - 65536, to: whole, by: 1024) {
                let kiosk = try TestKiosk()
                let out = try await dock(kiosk, image: image.url, faults: [.disconnectAfterBytes(cut)])
                let journal = kiosk.gateway.context.journal
                let open = try journal.unfinishedSessions(serial: "MSD0002")
                guard case .interrupted = out.result, out.bags.count == 1 else { continue }
                guard open.count == 1, let session = open.first, session.volume.hasPrefix("MBR-2@"),
                      try journal.files(session: session.id).contains(where: { $0.state == .staged }) else { continue }
                found = (kiosk, out.bags[0], session, cut)
                break
            }
            let (kiosk, firstBag, open, cut) = try #require(found, "no cut stopped the dock inside the second volume")
            #expect(firstBag.hasSuffix("_v1"))
            let firstRecord = try Data(contentsOf: URL(fileURLWithPath: firstBag + "/custody.json"))

            let out = try await dock(kiosk, image: image.url)
            #expect(out.result == .completed, "\(out.result)")
            #expect(out.anomalies.filter { $0.code == "resumed" }.count == 1)
            let counts = try image.volumeSectors.map { try SleuthKit.files(image: image.url, sector: $0).count }
            #expect(out.alreadyIngested == counts[0] && out.files == counts[1])
            #expect(out.bags.map { ($0 as NSString).lastPathComponent } == [open.bagName])
            try expectBag(try #require(out.bags.first), isVolumeAt: image.volumeSectors[1], number: 2, of: image)
            // The first bag is not redone, and is the only other bag.
            #expect(try Data(contentsOf: URL(fileURLWithPath: firstBag + "/custody.json")) == firstRecord)
            let bags = try FileManager.default.contentsOfDirectory(atPath: kiosk.config.store + "/bags")
            #expect(Set(bags) == [open.bagName, (firstBag as NSString).lastPathComponent])
            #expect(try kiosk.gateway.context.journal.unfinishedSessions(serial: "MSD0002").isEmpty)
            #expect(try custody(try #require(out.bags.first)).dock.attempts?.count == 2)

            // Cut off at the same place, then the recorder comes back with another card (one
            // volume): the second volume's session is sealed as it stands, its staged files
            // verified and the rest `vanished`, and the new card's files go into a bag of their own.
            let other = try TestKiosk()
            let cutAgain = try await dock(other, image: image.url, faults: [.disconnectAfterBytes(cut)])
            #expect(cutAgain.bags.count == 1)
            let orphan = try #require(try other.gateway.context.journal.unfinishedSessions(serial: "MSD0002").first)
            let staged = try other.gateway.context.journal.files(session: orphan.id)
            let card = try TestImage.make("small", in: dir.appendingPathComponent("card"))
            let swapped = try await dock(other, image: card.url)
            #expect(swapped.result == .completed, "\(swapped.result)")
            #expect(swapped.bags.count == 2 && swapped.bags.contains { ($0 as NSString).lastPathComponent == orphan.bagName })
            let sealedOrphan = try custody(try #require(swapped.bags.first { ($0 as NSString).lastPathComponent == orphan.bagName }))
            #expect(sealedOrphan.files.count == staged.count)
            #expect(sealedOrphan.files.filter(\.verified).count == staged.filter { $0.state == .staged }.count)
            #expect(sealedOrphan.anomalies.filter { $0.code == "vanished" }.count == staged.filter { $0.state == .pending }.count)
            let newCard = try custody(try #require(swapped.bags.first { ($0 as NSString).lastPathComponent != orphan.bagName }))
            #expect(Set(newCard.files.map(\.devicePath)) == Set(try SleuthKit.files(image: card.url, sector: 0).keys))
            #expect(try other.gateway.context.journal.unfinishedSessions(serial: "MSD0002").isEmpty)

            // The same cut under a session that has the empty key, as one opened before one bag
            // per volume (journal schema 5) would: it is sealed first, as it stands, and what it
            // staged is not read again into the second volume's new bag: every file of the
            // second volume is verified in exactly one bag.
            let older = try TestKiosk()
            _ = try await dock(older, image: image.url, faults: [.disconnectAfterBytes(cut)])
            let unkeyed = try #require(try older.gateway.context.journal.unfinishedSessions(serial: "MSD0002").first)
            let stagedUnkeyed = try older.gateway.context.journal.files(session: unkeyed.id).filter { $0.state == .staged }
            #expect(!stagedUnkeyed.isEmpty)
            let made = try run(["python3", "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(\"update session set volume = '' where id = ?\", (int(sys.argv[2]),)); c.commit()",
                                older.config.state + "/journal.sqlite", "\(unkeyed.id)"])
            try #require(made.0 == 0, "\(made.1)")
            let after = try await dock(older, image: image.url)
            #expect(after.result == .completed, "\(after.result)")
            #expect(after.bags.count == 2 && (after.bags.first.map { ($0 as NSString).lastPathComponent }) == unkeyed.bagName)
            var verified: [String: Int] = [:]
            for bag in after.bags {
                for f in try custody(bag).files where f.verified { verified[f.devicePath, default: 0] += 1 }
            }
            let second = try SleuthKit.files(image: image.url, sector: image.volumeSectors[1])
            #expect(Set(verified.keys) == Set(second.keys) && verified.values.allSatisfy { $0 == 1 }, "\(verified)")
            #expect(after.alreadyIngested == counts[0] + stagedUnkeyed.count)
        }
    }

    /// With a family that can release, recordings are released only once every volume's bag is
    /// sealed and every file read the same twice: every `released` entry of the audit log comes
    /// after both `bag-finalized` entries, and every file of both volumes is released.
    @Test func releaseWaitsForEveryVolumesBag() async throws {
        try await withTemporaryDirectory("msd-two-volumes-release") { dir in
            let image = try TestImage.make("mbr", in: dir)
            let device = try SimulatedMassStorage(MassStorageScenario(imagePath: image.url.path), link: .unlimited, name: "disk")
            let opened = try await MassStorageDriver().open(.transfers(device.hostEnd), options: DriverOptions())
            let recorder = MassStorageSourceTests.Clocked(try #require(opened as? MassStorageRecorder), release: true)
            let kiosk = try TestKiosk(release: .releaseAfterVerified, verifySource: .beforeRelease)
            await kiosk.gateway.dock(link: .stream(NoLink()), driver: PreparedDriver(recorder: recorder), port: "1-1.1")
            let out = try #require(await kiosk.gateway.waitUntilIdle().last)
            #expect(out.result == .completed, "\(out.result) \(out.anomalies)")
            #expect(out.bags.count == 2)
            for bag in out.bags {
                #expect(try custody(bag).files.allSatisfy { $0.sourceVerification == "second-read-agreed" })
            }
            #expect(out.released == out.files && Set(recorder.released).count == out.files)
            let events = try auditEntries(kiosk).compactMap { $0["event"] as? String }
            let lastSealed = try #require(events.lastIndex(of: "bag-finalized"))
            let firstReleased = try #require(events.firstIndex(of: "released"))
            #expect(events.filter { $0 == "bag-finalized" }.count == 2 && firstReleased > lastSealed)
        }
    }
}
