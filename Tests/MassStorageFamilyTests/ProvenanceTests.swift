import Foundation
import MassStorageFamily
import MassStorageProtocol
import RecorderHAL
import RecorderSimulator
import Testing
import TestSupport

/// Provenance for the custody record: the medium's description and every file's runs on it,
/// checked the way an examiner would use them, by cutting the runs out of the image with `dd`
/// and comparing with what The Sleuth Kit's `icat` reads.
@Suite struct ProvenanceTests {
    private func open(_ image: URL, faults: [MassStorageFault] = []) async throws -> (MassStorageRecorder, SimulatedMassStorage) {
        var storage = MassStorageScenario(imagePath: image.path)
        storage.vendor = "ZFYSIM"
        storage.product = "DSJ-TEST"
        storage.revision = "2.10"
        storage.faults = faults
        let device = try SimulatedMassStorage(storage, link: .unlimited, name: "disk")
        let recorder = try await MassStorageDriver().open(.transfers(device.hostEnd), options: DriverOptions())
        return (try #require(recorder as? MassStorageRecorder), device)
    }

    /// The SHA-256 of the runs cut from the image with dd, one after another, as an examiner
    /// would: `{ dd …; dd …; } | sha256sum`.
    private func cutSHA256(_ image: URL, _ extents: [SourceExtent]) throws -> String {
        let cuts = extents.map { "dd if='\(image.path)' iflag=skip_bytes,count_bytes skip=\($0.offset) count=\($0.length) bs=65536 status=none" }
        let script = "set -eo pipefail; { true; " + cuts.map { $0 + "; " }.joined() + "} | sha256sum"
        let result = try run("/bin/bash", ["-c", script])
        try #require(result.status == 0, "dd: \(result.errorOutput)")
        return String(result.output.prefix(64))
    }

    private func checkEveryFile(_ image: URL, volumeSectors: [UInt64]) async throws -> [String: [SourceExtent]] {
        let (recorder, _) = try await open(image)
        let catalog = try await recorder.catalog()
        var runs: [String: [SourceExtent]] = [:]
        for (v, sector) in volumeSectors.enumerated() {
            let prefix = volumeSectors.count > 1 ? "volume-\(v + 1)/" : ""
            let tsk = try SleuthKit.files(image: image, sector: sector)
            #expect(!tsk.isEmpty)
            for (path, inode) in tsk {
                let entry = try #require(catalog.first { $0.path == path && recorder.sourceVolume(of: $0.id) == v }, "\(path)")
                let extents = try #require(recorder.sourceExtents(of: entry.id), "\(path)")
                #expect(extents.allSatisfy { $0.volume == v })
                #expect(extents.map(\.length).reduce(0, +) == entry.size, "\(path)")
                #expect(try cutSHA256(image, extents) == (try SleuthKit.sha256(image: image, sector: sector, inode: inode)), "\(path)")
                runs[prefix + path] = extents
            }
        }
        #expect(recorder.sourceExtents(of: catalog.map(\.id).max()! &+ 1) == nil || catalog.count == 0)
        await recorder.close()
        return runs
    }

    @Test func fat32RunsCutWithDDAreWhatICatReads() async throws {
        try await withTemporaryDirectory("prov-fat32") { dir in
            let image = try TestImage.make("fat32-s8", in: dir)
            let runs = try await checkEveryFile(image.url, volumeSectors: image.volumeSectors)
            // The file written into the holes of deleted ones is in several runs, each with its
            // clusters, and empty files have none.
            let big = try #require(runs["DCIM/100MEDIA/执法记录仪_20240101_第一段视频.MP4"])
            #expect(big.count >= 3)
            #expect(big.allSatisfy { $0.firstCluster >= 2 && $0.clusterCount >= 1 && $0.length <= UInt64($0.clusterCount) * 4096 })
            #expect(runs["EMPTY.TXT"] == [])

            let (recorder, _) = try await open(image.url)
            let medium = try #require(await recorder.sourceMedium())
            let size = try FileManager.default.attributesOfItem(atPath: image.url.path)[.size] as! UInt64
            #expect(medium.disk == .init(vendor: "ZFYSIM", product: "DSJ-TEST", revision: "2.10", blockSize: 512, blockCount: size / 512))
            let volume = try #require(medium.volumes.first)
            #expect(medium.volumes.count == 1)
            #expect(volume.fileSystem == "FAT32" && volume.label == "RECORDER" && volume.serial == "1234ABCD")
            #expect(volume.partitionScheme == "none" && volume.partitionNumber == nil && volume.startBlock == 0)
            #expect(volume.bytesPerSector == 512 && volume.bytesPerCluster == 4096 && volume.clusterCount > 0)
            await recorder.close()
        }
    }

    @Test func partitionedMediumRunsAndStartBlocks() async throws {
        try await withTemporaryDirectory("prov-mbr") { dir in
            let image = try TestImage.make("mbr", in: dir)
            _ = try await checkEveryFile(image.url, volumeSectors: image.volumeSectors)
            let (recorder, _) = try await open(image.url)
            let medium = try #require(await recorder.sourceMedium())
            #expect(medium.volumes.map(\.startBlock) == image.volumeSectors)
            #expect(medium.volumes.allSatisfy { $0.partitionScheme == "MBR" && $0.blocks > 0 })
            #expect(medium.volumes.map(\.partitionNumber) == Array(1...medium.volumes.count).map { Optional($0) })
            await recorder.close()
        }
    }

    @Test func exFATRunsCutWithDDAreWhatICatReads() async throws {
        try await withTemporaryDirectory("prov-exfat") { dir in
            let path = dir.appendingPathComponent("exfat.img")
            let script = packageRoot.appendingPathComponent("Tests/volumes/make-exfat-image.sh").path
            let made = try run("/bin/bash", [script, "files", path.path], mergingErrors: true)
            try #require(made.status == 0, "make-exfat-image.sh: \(made.output)")
            let runs = try await checkEveryFile(path, volumeSectors: [0])
            #expect(runs.values.contains { $0.count > 1 }, "a fragmented file")
            let (recorder, _) = try await open(path)
            #expect(await recorder.sourceMedium()?.volumes.first?.fileSystem == "exFAT")
            await recorder.close()
        }
    }

    /// Every catalog after the first reads the volumes again from the medium: more READ
    /// commands reach the device, and a medium changed in between is listed as it now is.
    @Test func aLaterCatalogReadsTheMediumAfresh() async throws {
        try await withTemporaryDirectory("prov-relist") { dir in
            let image = try TestImage.make("fat32-s8", in: dir)
            let (probe, probeDevice) = try await open(image.url)
            let opening = probeDevice.cdbLog.entries.filter { $0.opcode == 0x28 }.count
            let entry = try #require(try await probe.catalog().first { $0.path == "EXACT.BIN" })
            #expect(probeDevice.cdbLog.entries.filter { $0.opcode == 0x28 }.count == opening, "the first listing is the one read at open")
            let run = try #require(probe.sourceExtents(of: entry.id)?.first)
            await probe.close()

            // After the open's reads the file's first bytes differ on the medium.
            let (recorder, device) = try await open(image.url, faults: [
                .volumeChanged(after: .reads(opening), to: .changes([ByteChange(offset: run.offset, bytes: [0xFF, 0xFE])]))])
            let first = try await recorder.catalog()
            let before = device.cdbLog.entries.filter { $0.opcode == 0x28 }.count
            let second = try await recorder.catalog()
            #expect(device.cdbLog.entries.filter { $0.opcode == 0x28 }.count > before)
            #expect(first == second, "file data changed, not the listing")
            let stream = recorder.read(entry.id, range: 0..<2)
            #expect(try await stream.next()?.data == [0xFF, 0xFE])
            await recorder.close()
        }
    }
}
