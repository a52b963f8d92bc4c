import Foundation
import MassStorageFamily
import MassStorageProtocol
import RecorderHAL
import RecorderSimulator
import Volumes
import Testing
import TestSupport

/// The whole mass-storage driver (BOT, SCSI, the volume readers, the catalog and the extent
/// streams) against the simulator's image-backed disk, with images made by mkfs.vfat, mtools
/// and sfdisk and The Sleuth Kit as the judge.
@Suite struct DriverOverSimulatedDiskTests {
    /// Opens the driver over an image and reads every file whole. `sha` is by path, with
    /// `volume-N/` first on a medium of several volumes (N from the recorder's `sourceVolume`).
    private func collect(_ image: TestImage) async throws -> (catalog: [CatalogEntry], sha: [String: String], log: CommandLog) {
        var storage = MassStorageScenario(imagePath: image.url.path)
        storage.vendor = "ZFYSIM"
        let device = try SimulatedMassStorage(storage, link: .unlimited, name: "disk")
        let recorder = try await MassStorageDriver().open(.transfers(device.hostEnd), options: DriverOptions())
        let catalog = try await recorder.catalog()
        let mass = try #require(recorder as? MassStorageRecorder)
        let several = mass.volumeCatalog.volumes.count > 1
        var sha: [String: String] = [:]
        for entry in catalog {
            let stream = recorder.read(entry.id, range: 0..<entry.size)
            var bytes: [UInt8] = []
            var expected: UInt64 = 0
            while let chunk = try await stream.next() {
                #expect(chunk.offset == expected)
                expected += UInt64(chunk.data.count)
                bytes += chunk.data
            }
            #expect(UInt64(bytes.count) == entry.size, "\(entry.path)")
            let volume = try #require(mass.sourceVolume(of: entry.id))
            sha[(several ? "volume-\(volume + 1)/" : "") + entry.path] = try sha256(bytes)
        }
        await recorder.close()
        return (catalog, sha, device.cdbLog)
    }

    /// Every file The Sleuth Kit finds is in the catalog with the same bytes, and nothing else
    /// is; over the whole conversation no command outside the allow-list reached the device.
    @Test(arguments: ["fat32-s8", "fat16-s4", "fat12"])
    func everyFileAsTheSleuthKitReadsIt(kind: String) async throws {
        try await withTemporaryDirectory("msd-\(kind)") { dir in
            let image = try TestImage.make(kind, in: dir)
            let tsk = try SleuthKit.files(image: image.url, sector: 0)
            let (catalog, sha, log) = try await collect(image)
            #expect(Set(catalog.map(\.path)) == Set(tsk.keys))
            for (path, inode) in tsk {
                #expect(sha[path] == (try SleuthKit.sha256(image: image.url, sector: 0, inode: inode)), "\(path)")
            }
            let allowed = Set(SCSICommand.Opcode.allCases.map(\.rawValue))
            let received = log.entries.map(\.opcode)
            #expect(!received.isEmpty)
            #expect(log.opcodes(notIn: allowed).isEmpty && log.rejectedWrappers.isEmpty)
            #expect(received.contains(SCSICommand.Opcode.read10.rawValue))
            // Nothing was ever to be written: no wrapper announced a data-OUT phase, the one
            // SERVICE ACTION IN asked READ CAPACITY(16), and the control pipe carried only
            // BOT's GET MAX LUN and reset.
            #expect(log.entries.allSatisfy { $0.dataIn || $0.dataTransferLength == 0 })
            #expect(log.entries.filter { $0.opcode == 0x9E }.allSatisfy { $0.commandBlock[1] & 0x1F == 0x10 })
            #expect(log.controlRequests.allSatisfy { ($0.requestType, $0.request) == (0xA1, 0xFE) || ($0.requestType, $0.request) == (0x21, 0xFF) })
        }
    }

    /// An exFAT volume made by mkfs.exfat and written through exfat-fuse (long Chinese names,
    /// a fragmented and a contiguous file): the same agreement with The Sleuth Kit.
    @Test func anExFATVolume() async throws {
        try await withTemporaryDirectory("msd-exfat") { dir in
            let path = dir.appendingPathComponent("exfat.img")
            let script = packageRoot.appendingPathComponent("Tests/volumes/make-exfat-image.sh").path
            let made = try run("/bin/bash", [script, "files", path.path], mergingErrors: true)
            try #require(made.status == 0, "make-exfat-image.sh: \(made.output)")
            let image = TestImage(url: path, volumeSectors: [0])
            let tsk = try SleuthKit.files(image: path, sector: 0)
            let (catalog, sha, _) = try await collect(image)
            #expect(tsk.count > 100)
            #expect(Set(catalog.map(\.path)) == Set(tsk.keys))
            for (p, inode) in tsk {
                #expect(sha[p] == (try SleuthKit.sha256(image: path, sector: 0, inode: inode)), "\(p)")
            }
        }
    }

    /// A medium with two partitions: both volumes are collected, each file at its path on its
    /// volume (the same paths on both: the dock seals one bag per volume), with distinct ids.
    @Test func bothVolumesOfAPartitionedMedium() async throws {
        try await withTemporaryDirectory("msd-mbr") { dir in
            let image = try TestImage.make("mbr", in: dir)
            let (catalog, sha, _) = try await collect(image)
            #expect(Set(catalog.map(\.id)).count == catalog.count && catalog.count == sha.count)
            #expect(!catalog.contains { $0.path.hasPrefix("volume-") })
            for (n, sector) in image.volumeSectors.enumerated() {
                let tsk = try SleuthKit.files(image: image.url, sector: sector)
                let prefix = "volume-\(n + 1)/"
                #expect(Set(sha.keys.filter { $0.hasPrefix(prefix) }) == Set(tsk.keys.map { prefix + $0 }))
                for (path, inode) in tsk {
                    #expect(sha[prefix + path] == (try SleuthKit.sha256(image: image.url, sector: sector, inode: inode)))
                }
            }
        }
    }

    /// Ids are the paths' and do not depend on the order of the directory; kinds follow the
    /// layout and the extension; a FAT time stamp is taken in the configured zone.
    @Test func catalogIdsKindsAndTimes() async throws {
        try await withTemporaryDirectory("msd-ids") { dir in
            let image = try TestImage.make("fat16-s1", in: dir)
            let (catalog, _, _) = try await collect(image)
            #expect(Set(catalog.map(\.id)).count == catalog.count)
            let byPath = Dictionary(uniqueKeysWithValues: catalog.map { ($0.path, $0) })
            #expect(byPath["DCIM/100MEDIA/CLIP0001.MP4"]?.kind == .video)
            #expect(byPath["GPS/track.txt"]?.kind == .gpsLog)
            #expect(byPath["Mixed Case Long Name.Jpeg"]?.kind == .photo)
            #expect(byPath["EMPTY.TXT"]?.kind == RecordingKind(rawValue: "file"))
            #expect(catalog.allSatisfy { $0.deviceSHA256 == nil && $0.startMilliseconds > 1_600_000_000_000 })
        }
    }

    /// A hostile time stamp (a year or zone no volume can hold) names no instant and traps
    /// nothing; a good one is taken in its own zone before the configured one.
    @Test func hostileAndZonedTimeStamps() throws {
        let identity = VolumeIdentity(fileSystem: .exfat, label: nil, serial: 1, scheme: .none, partitionNumber: nil, offset: 0,
                                      length: 1 << 20, bytesPerSector: 512, bytesPerCluster: 4096, clusterCount: 200)
        func file(_ name: String, _ t: VolumeTimestamp) -> VolumeFile {
            VolumeFile(path: [name], size: 0, modified: t, created: nil, firstCluster: 0, extents: [], complete: true)
        }
        let listing = VolumeListing(volume: identity, files: [
            file("year", VolumeTimestamp(year: Int.max, month: 1, day: 1, hour: 0, minute: 0, second: 0)),
            file("zone", VolumeTimestamp(year: 2024, month: 1, day: 1, hour: 0, minute: 0, second: 0, utcOffsetMinutes: Int.min)),
            file("east", VolumeTimestamp(year: 2024, month: 1, day: 1, hour: 8, minute: 0, second: 0, utcOffsetMinutes: 480)),
            file("plain", VolumeTimestamp(year: 2024, month: 1, day: 1, hour: 8, minute: 0, second: 0)),
        ], anomalies: [])
        let byName = Dictionary(uniqueKeysWithValues: VolumeCatalog(listings: [listing], utcOffsetMinutes: 60).items.map { ($0.entry.path, $0.entry) })
        #expect(byName["year"]?.startMilliseconds == 0 && byName["zone"]?.endMilliseconds == 0)
        let east = try #require(byName["east"]), plain = try #require(byName["plain"])
        let midnightUTC: Int64 = 1_704_067_200_000 // 2024-01-01T00:00Z
        #expect(east.startMilliseconds == midnightUTC)
        #expect(plain.startMilliseconds == midnightUTC + 7 * 3_600_000)
    }

    /// Kinds from the layout and the extension.
    @Test func kindsFromLayout() {
        #expect(VolumeCatalog.kind(path: ["GPS", "20240101.TXT"]) == .gpsLog)
        #expect(VolumeCatalog.kind(path: ["LOG", "SYS.LOG"]) == .eventLog)
        #expect(VolumeCatalog.kind(path: ["README"]) == RecordingKind(rawValue: "file"))
    }
}
