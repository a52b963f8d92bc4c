import Foundation
import MassStorageProtocol
import RecorderHAL
import TestSupport
import Testing
@testable import RecorderSimulator

/// Each mass-storage fault of a scenario, as the host meets it.
@Suite struct StorageFaultTests {
    private func withDevice(blocks: Int = 64, faults: String, extra: String = "",
                            _ body: (SimulatedMassStorage, URL) async throws -> Void) async throws {
        try await withTemporaryDirectory("ms-fault") { dir in
            let image = try randomImage(in: dir, blocks: blocks)
            let ms = try dock(#"{"image": "disk.img", "faults": \#(faults)\#(extra)}"#, in: dir)
            try await body(ms, image)
        }
    }

    @Test func stallInTheDataPhaseOfTheNthRead() async throws {
        try await withDevice(faults: #"[{"kind": "stall", "phase": "data", "read": 2}]"#) { ms, image in
            var host = RawHost(link: ms.hostEnd)
            let read = SCSICommand.read10(lba: 4, blocks: 2, blockLength: 512)
            var o = try await host.run(read)
            #expect(!o.stalled && o.csw.status == .passed)
            _ = try await host.run(.testUnitReady) // not a READ: does not count
            o = try await host.run(read)
            #expect(o.stalled && o.data.isEmpty && o.csw.status == .failed && o.csw.dataResidue == 1024)
            let sense = try await host.sense()
            #expect(sense.key == 0xB)
            o = try await host.run(read) // once
            #expect(try !o.stalled && o.data == (fileBytes(image, 2048..<3072)))
        }
    }

    @Test func stallWhereTheCSWOfTheNthCommandWouldBe() async throws {
        try await withDevice(faults: #"[{"kind": "stall", "phase": "status", "command": 2}]"#) { ms, image in
            var host = RawHost(link: ms.hostEnd)
            _ = try await host.run(.testUnitReady)
            let cbw = host.wrapper(.read10(lba: 0, blocks: 1, blockLength: 512))
            try await ms.hostEnd.bulkOut(cbw.bytes, timeout: .seconds(5))
            let data = try await ms.hostEnd.bulkIn(length: 512, timeout: .seconds(5))
            #expect(try data == (fileBytes(image, 0..<512)))
            let link = ms.hostEnd
            await #expect(throws: LinkError.stalled(endpoint: 0x81)) { _ = try await link.bulkIn(length: 13, timeout: .seconds(5)) }
            try await link.clearHalt(.bulkIn, timeout: .seconds(5))
            let csw = try CommandStatusWrapper(parsing: try await link.bulkIn(length: 13, timeout: .seconds(5)))
            #expect(csw.tag == cbw.tag && csw.status == .passed && csw.dataResidue == 0)
        }
    }

    @Test func disconnectAfterBytesOfData() async throws {
        try await withDevice(faults: #"[{"kind": "disconnect", "afterBytes": 2000}]"#) { ms, _ in
            var host = RawHost(link: ms.hostEnd)
            let o = try await host.run(.read10(lba: 0, blocks: 2, blockLength: 512)) // 1024 bytes: fine
            #expect(o.csw.status == .passed)
            let cbw = host.wrapper(.read10(lba: 2, blocks: 2, blockLength: 512)) // would pass 2000
            let link = ms.hostEnd
            try await link.bulkOut(cbw.bytes, timeout: .seconds(5))
            await #expect(throws: LinkError.deviceGone) { _ = try await link.bulkIn(length: 1024, timeout: .seconds(5)) }
            await #expect(throws: LinkError.deviceGone) { try await link.bulkOut(cbw.bytes, timeout: .seconds(5)) }
            #expect(await ms.device.isGone)
        }
    }

    @Test func disconnectAtTheNthCommand() async throws {
        try await withDevice(faults: #"[{"kind": "disconnect", "command": 3}]"#) { ms, _ in
            var host = RawHost(link: ms.hostEnd)
            _ = try await host.run(.testUnitReady)
            _ = try await host.run(.inquiry(allocationLength: 36))
            let cbw = host.wrapper(.readCapacity10)
            let link = ms.hostEnd
            await #expect(throws: LinkError.deviceGone) { try await link.bulkOut(cbw.bytes, timeout: .seconds(5)) }
            await #expect(throws: LinkError.deviceGone) { _ = try await link.bulkIn(length: 13, timeout: .seconds(5)) }
            #expect(ms.cdbLog.entries.map(\.opcode) == [0x00, 0x12, 0x25]) // the third arrived
        }
    }

    @Test func mediumErrorOnABlockRange() async throws {
        try await withDevice(faults: #"[{"kind": "mediumError", "firstBlock": 10, "blocks": 3}]"#) { ms, image in
            var host = RawHost(link: ms.hostEnd)
            var o = try await host.run(.read10(lba: 0, blocks: 10, blockLength: 512))
            #expect(try o.csw.status == .passed && o.data == (fileBytes(image, 0..<5120)))
            // A READ across the range: the good blocks before it, short; failed; sense names block 10.
            o = try await host.run(.read10(lba: 8, blocks: 4, blockLength: 512))
            #expect(try !o.stalled && o.data == (fileBytes(image, 4096..<5120)))
            #expect(o.csw.status == .failed && o.csw.dataResidue == 1024)
            var sense = try await host.sense()
            #expect(sense.key == 0x3 && sense.code == 0x11 && sense.qualifier == 0 && sense.information == 10)
            // Starting inside it: no data at all, IN halted; every time, not once.
            for _ in 0..<2 {
                o = try await host.run(.read16(lba: 12, blocks: 1, blockLength: 512))
                #expect(o.stalled && o.csw.status == .failed && o.csw.dataResidue == 512)
                sense = try await host.sense()
                #expect(sense.key == 0x3 && sense.information == 12)
            }
            o = try await host.run(.read10(lba: 13, blocks: 1, blockLength: 512))
            #expect(o.csw.status == .passed)
        }
    }

    @Test func wrongTagWrongResidueAndPhaseErrorEachOnce() async throws {
        let faults = #"""
            [{"kind": "wrongTag", "command": 1}, {"kind": "wrongResidue", "command": 2},
             {"kind": "wrongResidue", "command": 3, "residue": 7}, {"kind": "phaseError", "command": 4}]
            """#
        try await withDevice(faults: faults) { ms, _ in
            var host = RawHost(link: ms.hostEnd)
            var o = try await host.run(.testUnitReady)
            #expect(o.csw.tag == ~host.tag && o.csw.status == .passed)
            o = try await host.run(.read10(lba: 0, blocks: 1, blockLength: 512))
            #expect(o.data.count == 512 && o.csw.dataResidue == 513 && o.csw.tag == host.tag)
            o = try await host.run(.read10(lba: 0, blocks: 1, blockLength: 512))
            #expect(o.csw.dataResidue == 7)
            o = try await host.run(.read10(lba: 0, blocks: 1, blockLength: 512))
            #expect(o.data.count == 512 && o.csw.status == .phaseError)
            try await host.resetRecovery()
            o = try await host.run(.read10(lba: 0, blocks: 1, blockLength: 512))
            #expect(o.csw.tag == host.tag && o.csw.status == .passed && o.csw.dataResidue == 0)
        }
    }

    @Test func aUnitThatNeverBecomesReady() async throws {
        try await withDevice(faults: #"[{"kind": "notReady"}]"#) { ms, _ in
            var host = RawHost(link: ms.hostEnd)
            for _ in 0..<20 {
                let o = try await host.run(.testUnitReady)
                #expect(o.csw.status == .failed)
                let sense = try await host.sense()
                #expect(sense.key == 0x2 && sense.code == 0x04 && sense.qualifier == 0x01)
            }
            for command in [SCSICommand.readCapacity10, .read10(lba: 0, blocks: 1, blockLength: 512), .modeSense6(allocationLength: 4)] {
                #expect(try await host.run(command).csw.status == .failed)
            }
            // INQUIRY answers whatever the medium does.
            #expect(try await host.run(.inquiry(allocationLength: 36)).csw.status == .passed)
        }
    }

    @Test func aUnitThatBecomesReadyAfterThreeTestUnitReadys() async throws {
        try await withDevice(faults: #"[{"kind": "notReady", "testUnitReadys": 3}]"#) { ms, _ in
            var host = RawHost(link: ms.hostEnd)
            var statuses: [CommandStatusWrapper.Status] = []
            for _ in 0..<5 { statuses.append(try await host.run(.testUnitReady).csw.status) }
            #expect(statuses == [.failed, .failed, .failed, .passed, .passed])
            #expect(try await host.run(.read10(lba: 0, blocks: 1, blockLength: 512)).csw.status == .passed)
        }
    }

    @Test func volumeChangedAfterReadsWithBytesChanged() async throws {
        let faults = #"[{"kind": "volumeChanged", "afterReads": 2, "changes": [{"offset": 1030, "hex": "DEADbeef"}]}]"#
        try await withDevice(faults: faults) { ms, image in
            var host = RawHost(link: ms.hostEnd)
            let read = SCSICommand.read10(lba: 2, blocks: 1, blockLength: 512)
            let original = try fileBytes(image, 1024..<1536)
            var changed = original
            changed.replaceSubrange(6..<10, with: [0xDE, 0xAD, 0xBE, 0xEF])
            var served: [[UInt8]] = []
            for _ in 0..<4 { served.append(try await host.run(read).data) }
            #expect(served == [original, original, changed, changed])
            #expect(try fileBytes(image, 1024..<1536) == original) // the file itself untouched
        }
    }

    /// `flip` inverts every bit of a byte range (here blocks 3 and 4) once the volume changes.
    @Test func volumeChangedFlipsABlockRange() async throws {
        let faults = #"[{"kind": "volumeChanged", "afterReads": 1, "changes": [{"offset": 1536, "flip": 1024}]}]"#
        try await withDevice(faults: faults) { ms, image in
            var host = RawHost(link: ms.hostEnd)
            let read = SCSICommand.read10(lba: 2, blocks: 4, blockLength: 512)
            let original = try fileBytes(image, 1024..<3072)
            #expect(try await host.run(read).data == original)
            let second = try await host.run(read).data
            #expect(second[0..<512] == original[0..<512] && second[1536...] == original[1536...])
            #expect(Array(second[512..<1536]) == original[512..<1536].map { ~$0 })
        }
    }

    @Test func aFlipPastTheImageOrWithHexIsRefused() throws {
        try withTemporaryDirectory("ms-flip") { dir in
            _ = try randomImage(in: dir, blocks: 8)
            for changes in [#"[{"offset": 4000, "flip": 200}]"#, #"[{"offset": 0, "flip": 2, "hex": "00"}]"#, #"[{"offset": 0, "flip": 0}]"#] {
                #expect(throws: ScenarioError.self, "\(changes)") {
                    _ = try dock(#"{"image": "disk.img", "faults": [{"kind": "volumeChanged", "afterReads": 1, "changes": \#(changes)}]}"#, in: dir)
                }
            }
        }
    }

    @Test func volumeChangedAfterBytesToASecondImage() async throws {
        try await withTemporaryDirectory("ms-change") { dir in
            let first = try randomImage(in: dir, name: "first.img", blocks: 32, seed: 1)
            let second = try randomImage(in: dir, name: "second.img", blocks: 16, seed: 2)
            let ms = try dock("""
                {"image": "first.img", "faults": [{"kind": "volumeChanged", "afterBytes": 1024, "image": "second.img"}]}
                """, in: dir)
            var host = RawHost(link: ms.hostEnd)
            #expect(try await host.run(.read10(lba: 0, blocks: 1, blockLength: 512)).data == (fileBytes(first, 0..<512)))
            #expect(try await host.run(.read10(lba: 1, blocks: 1, blockLength: 512)).data == (fileBytes(first, 512..<1024)))
            #expect(try await host.run(.read10(lba: 0, blocks: 2, blockLength: 512)).data == (fileBytes(second, 0..<1024)))
            // The second medium's own size now bounds READ and READ CAPACITY.
            #expect(try await host.run(.readCapacity10).data == [0, 0, 0, 15, 0, 0, 2, 0])
            #expect(try await host.run(.read10(lba: 20, blocks: 1, blockLength: 512)).csw.status == .failed)
        }
    }
}
