import Foundation
import MassStorageProtocol
import RecorderHAL
import TestSupport
import Testing
@testable import RecorderSimulator

@Suite struct SCSITargetTests {
    /// A FAT image made by mkfs.vfat and mtools is served byte for byte, with INQUIRY, capacity
    /// and mode data as the scenario says.
    @Test func servesAFATImageMadeByRealTools() async throws {
        try await withTemporaryDirectory("ms-fat") { dir in
            let image = dir.appendingPathComponent("fat.img")
            let mkfs = try run("/usr/sbin/mkfs.vfat", ["-C", image.path, "4096"])
            #expect(mkfs.status == 0, "\(mkfs.errorOutput)")
            let payload = dir.appendingPathComponent("clip.mp4")
            _ = try randomImage(in: dir, name: "clip.mp4", blocks: 300, seed: 7)
            let mcopy = try run("/usr/bin/mcopy", ["-i", image.path, payload.path, "::/CLIP.MP4"])
            #expect(mcopy.status == 0, "\(mcopy.errorOutput)")
            let before = try sha256(ofFile: image)

            let ms = try dock("""
                {"image": "fat.img", "inquiry": {"vendor": "AMBA", "product": "Body Camera X1", "revision": "2.10"}}
                """, in: dir)
            var host = RawHost(link: ms.hostEnd)

            let tur = try await host.run(.testUnitReady)
            #expect(tur.csw.status == .passed && tur.csw.dataResidue == 0 && tur.csw.tag == host.tag)

            let inquiry = try await host.run(.inquiry(allocationLength: 36))
            #expect(inquiry.csw.status == .passed && inquiry.data.count == 36)
            #expect(inquiry.data[0] == 0x00 && inquiry.data[1] & 0x80 != 0) // direct access, removable
            #expect(String(decoding: inquiry.data[8..<16], as: UTF8.self) == "AMBA    ")
            #expect(String(decoding: inquiry.data[16..<32], as: UTF8.self) == "Body Camera X1  ")
            #expect(String(decoding: inquiry.data[32..<36], as: UTF8.self) == "2.10")

            let blocks = 4096 * 1024 / 512
            let cap10 = try await host.run(.readCapacity10)
            #expect(cap10.data == [0, 0, 0x1F, 0xFF, 0, 0, 0x02, 0x00]) // last LBA 8191, 512 bytes
            let cap16 = try await host.run(.readCapacity16)
            #expect(cap16.data.count == 32 && Array(cap16.data[0..<12]) == [0, 0, 0, 0, 0, 0, 0x1F, 0xFF, 0, 0, 0x02, 0x00])

            let mode = try await host.run(.modeSense6(allocationLength: 192))
            #expect(mode.csw.status == .passed && mode.data.count == 4 && mode.data[2] & 0x80 != 0)
            #expect(mode.csw.dataResidue == 188)

            // The whole medium in 1 MiB READ(10)s, then a READ(16) in the middle.
            var served: [UInt8] = []
            for lba in stride(from: 0, to: blocks, by: 2048) {
                let o = try await host.run(.read10(lba: UInt32(lba), blocks: 2048, blockLength: 512))
                #expect(o.csw.status == .passed && o.csw.dataResidue == 0)
                served += o.data
            }
            #expect(served == [UInt8](try Data(contentsOf: image)))
            let mid = try await host.run(.read16(lba: 4000, blocks: 3, blockLength: 512))
            #expect(try mid.data == (fileBytes(image, 4000 * 512..<4003 * 512)))
            #expect(try sha256(ofFile: image) == before)
            #expect(ms.cdbLog.opcodes(notIn: Set(SCSICommand.Opcode.allCases.map(\.rawValue))).isEmpty)
        }
    }

    @Test func writeProtectBitFollowsTheScenarioAndBlockSizeMayBe4096() async throws {
        try await withTemporaryDirectory("ms-wp") { dir in
            let image = try randomImage(in: dir, blocks: 16, blockSize: 4096)
            let ms = try dock(#"{"image": "disk.img", "writeProtected": false, "blockSize": 4096}"#, in: dir)
            var host = RawHost(link: ms.hostEnd)
            let mode = try await host.run(.modeSense6(allocationLength: 4))
            #expect(mode.data == [3, 0, 0, 0])
            let cap = try await host.run(.readCapacity10)
            #expect(cap.data == [0, 0, 0, 15, 0, 0, 0x10, 0x00])
            let read = try await host.run(.read10(lba: 15, blocks: 1, blockLength: 4096))
            #expect(try read.data == (fileBytes(image, 15 * 4096..<16 * 4096)))
        }
    }

    /// WRITE(10) built by hand, with and without its data phase, and other opcodes outside
    /// the allow-list: CHECK CONDITION, 05/20/00, logged, the image untouched.
    @Test func anOpcodeOutsideTheAllowListIsRefusedLoggedAndChangesNothing() async throws {
        try await withTemporaryDirectory("ms-write") { dir in
            let image = try randomImage(in: dir, blocks: 64)
            let before = try sha256(ofFile: image)
            let ms = try dock(#"{"image": "disk.img", "writeProtected": false}"#, in: dir)
            var host = RawHost(link: ms.hostEnd)
            let write10: [UInt8] = [0x2A, 0, 0, 0, 0, 5, 0, 0, 1, 0]

            // With the data phase the host would send (case 9: the OUT pipe halts, nothing taken).
            let withData = try await host.run(.testUnitReady, cdb: write10, length: 512, dataIn: false)
            #expect(withData.stalled)
            #expect(withData.csw.status == .failed && withData.csw.dataResidue == 512 && withData.csw.tag == host.tag)
            var sense = try await host.sense()
            #expect(sense.key == 0x5 && sense.code == 0x20 && sense.qualifier == 0x00)

            // Without data, and a few other forbidden opcodes: SYNCHRONIZE CACHE, START STOP UNIT
            // (eject), PREVENT ALLOW MEDIUM REMOVAL, FORMAT UNIT, a vendor opcode.
            for cdb: [UInt8] in [write10, [0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0x1B, 0, 0, 0, 0x02, 0], [0x1E, 0, 0, 0, 1, 0],
                                 [0x04, 0, 0, 0, 0, 0], [0xC7, 1, 2, 3, 4, 5]] {
                let o = try await host.run(.testUnitReady, cdb: cdb)
                #expect(o.csw.status == .failed && o.data.isEmpty)
                sense = try await host.sense()
                #expect(sense.key == 0x5 && sense.code == 0x20, "opcode \(cdb[0])")
            }
            let read = try await host.run(.read10(lba: 5, blocks: 1, blockLength: 512))
            #expect(try read.data == (fileBytes(image, 5 * 512..<6 * 512)))
            #expect(try sha256(ofFile: image) == before)
            let refused = ms.cdbLog.opcodes(notIn: Set(SCSICommand.Opcode.allCases.map(\.rawValue)))
            #expect(refused == [0x2A, 0x2A, 0x35, 0x1B, 0x1E, 0x04, 0xC7])
            #expect(ms.cdbLog.entries.first?.commandBlock == write10)
            #expect(ms.cdbLog.entries.first?.dataTransferLength == 512 && ms.cdbLog.entries.first?.dataIn == false)
        }
    }

    @Test func readsOutsideTheMediumAreIllegalRequests() async throws {
        try await withTemporaryDirectory("ms-range") { dir in
            _ = try randomImage(in: dir, blocks: 64)
            let ms = try dock(#"{"image": "disk.img"}"#, in: dir)
            var host = RawHost(link: ms.hostEnd)
            for command in [SCSICommand.read10(lba: 64, blocks: 1, blockLength: 512), .read10(lba: 60, blocks: 8, blockLength: 512),
                            .read16(lba: UInt64.max, blocks: 2, blockLength: 512)] {
                let o = try await host.run(command)
                // Case 4 from the device's side: no data, the IN pipe halted, residue everything.
                #expect(o.stalled && o.data.isEmpty)
                #expect(o.csw.status == .failed && o.csw.dataResidue == command.dataLength)
                let sense = try await host.sense()
                #expect(sense.key == 0x5 && sense.code == 0x21 && sense.qualifier == 0)
            }
            let last = try await host.run(.read10(lba: 63, blocks: 1, blockLength: 512))
            #expect(last.csw.status == .passed && last.data.count == 512)
            // The sense of a good command is NO SENSE.
            let sense = try await host.sense()
            #expect(sense.key == 0 && sense.code == 0)
        }
    }

    /// 2^32 blocks of 512 bytes in a sparse file: READ CAPACITY(10) says FFFFFFFFh, (16) the truth.
    @Test func readCapacity10SaturatesAtTwoToTheThirtyTwoBlocks() async throws {
        try await withTemporaryDirectory("ms-big") { dir in
            let url = dir.appendingPathComponent("big.img")
            #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
            let handle = try FileHandle(forWritingTo: url)
            try handle.truncate(atOffset: (UInt64(1) << 32) * 512)
            try handle.close()
            let ms = try dock(#"{"image": "big.img"}"#, in: dir)
            var host = RawHost(link: ms.hostEnd)
            #expect(try await host.run(.readCapacity10).data == [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0x02, 0])
            #expect(Array(try await host.run(.readCapacity16).data[0..<8]) == [0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF])
            let far = try await host.run(.read16(lba: (UInt64(1) << 32) - 1, blocks: 1, blockLength: 512))
            #expect(far.csw.status == .passed && far.data == [UInt8](repeating: 0, count: 512))
        }
    }
}
