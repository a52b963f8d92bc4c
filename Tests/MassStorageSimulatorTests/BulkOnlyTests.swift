import Foundation
import MassStorageProtocol
import RecorderHAL
import TestSupport
import Testing
@testable import RecorderSimulator

/// The device end of Bulk-Only Transport: the host/device cases of BOT §6.7 as the device
/// meets them, invalid CBWs and reset recovery, the class requests, removal.
@Suite struct BulkOnlyTests {
    @Test func theCasesWhereHostAndDeviceDisagree() async throws {
        try await withTemporaryDirectory("ms-cases") { dir in
            let image = try randomImage(in: dir, blocks: 64)
            let ms = try dock(#"{"image": "disk.img"}"#, in: dir)
            var host = RawHost(link: ms.hostEnd)

            // Case 2, Hn < Di: INQUIRY with no data phase. Phase error, no data.
            var o = try await host.run(.inquiry(allocationLength: 36), cdb: nil, length: 0)
            #expect(o.csw.status == .phaseError && o.data.isEmpty)
            try await host.resetRecovery()

            // Case 4, Hi > Dn: TEST UNIT READY with 64 bytes expected. IN halts, residue 64, passed.
            o = try await host.run(.testUnitReady, cdb: nil, length: 64, dataIn: true)
            #expect(o.stalled && o.csw.status == .passed && o.csw.dataResidue == 64)

            // Case 5, Hi > Di: INQUIRY allocating 36 with 100 expected. 36 bytes, short, residue 64.
            o = try await host.run(.inquiry(allocationLength: 36), cdb: nil, length: 100)
            #expect(!o.stalled && o.data.count == 36 && o.csw.status == .passed && o.csw.dataResidue == 64)

            // Case 6, Hi = Di.
            o = try await host.run(.read10(lba: 2, blocks: 2, blockLength: 512))
            #expect(try o.data == (fileBytes(image, 1024..<2048)) && o.csw.dataResidue == 0 && o.csw.status == .passed)

            // Case 7, Hi < Di: READ of 4 blocks with 512 bytes expected. 512 bytes, phase error.
            o = try await host.run(.read10(lba: 0, blocks: 4, blockLength: 512), cdb: nil, length: 512)
            #expect(try o.data == (fileBytes(image, 0..<512)) && o.csw.status == .phaseError)
            try await host.resetRecovery()

            // Case 8, Hi <> Do and case 9, Ho > Dn: TEST UNIT READY with 512 bytes to send.
            // The OUT pipe halts; nothing is taken; residue 512.
            o = try await host.run(.testUnitReady, cdb: nil, length: 512, dataIn: false)
            #expect(o.stalled && o.csw.status == .passed && o.csw.dataResidue == 512)

            // Case 10, Ho <> Di: READ with an OUT data phase. OUT halts, phase error.
            o = try await host.run(.read10(lba: 0, blocks: 1, blockLength: 512), cdb: nil, dataIn: false)
            #expect(o.stalled && o.csw.status == .phaseError)
            try await host.resetRecovery()

            // The data phase may be taken in several transfers; a full last transfer short of
            // what the host expects is followed by a zero-length one.
            let cbw = host.wrapper(.read10(lba: 0, blocks: 2, blockLength: 512), length: 2048)
            try await ms.hostEnd.bulkOut(cbw.bytes, timeout: .seconds(5))
            let first = try await ms.hostEnd.bulkIn(length: 512, timeout: .seconds(5))
            let second = try await ms.hostEnd.bulkIn(length: 512, timeout: .seconds(5))
            let third = try await ms.hostEnd.bulkIn(length: 1024, timeout: .seconds(5))
            #expect(try first + second == (fileBytes(image, 0..<1024)) && third.isEmpty)
            let csw = try await host.readStatus()
            #expect(csw.tag == cbw.tag && csw.dataResidue == 1024 && csw.status == .passed)
        }
    }

    /// `shortDataPhase: "stall"`: case 5 ends with a halt after the data, whether the host's
    /// next IN asks for more data or already for the CSW; the CSW follows once it is cleared.
    @Test func aDeviceSetToHaltEndsAShortDataPhaseWithAHalt() async throws {
        try await withTemporaryDirectory("ms-short-stall") { dir in
            _ = try randomImage(in: dir, blocks: 64)
            let ms = try dock(#"{"image": "disk.img", "shortDataPhase": "stall"}"#, in: dir)
            var host = RawHost(link: ms.hostEnd)

            // The host asks for all 100 bytes at once: 36 come (a short transfer), then the
            // CSW read finds the halt; cleared, the CSW says 64 not sent.
            var o = try await host.run(.inquiry(allocationLength: 36), cdb: nil, length: 100)
            #expect(!o.stalled && o.data.count == 36 && o.csw.status == .passed && o.csw.dataResidue == 64)
            #expect(await ms.device.haltsAfterShortData == 1)

            // The host reads in 36-byte pieces: the second piece finds the halt.
            let cbw = host.wrapper(.inquiry(allocationLength: 36), length: 100)
            try await ms.hostEnd.bulkOut(cbw.bytes, timeout: .seconds(5))
            #expect(try await ms.hostEnd.bulkIn(length: 36, timeout: .seconds(5)).count == 36)
            await #expect(throws: LinkError.stalled(endpoint: 0x81)) { _ = try await ms.hostEnd.bulkIn(length: 64, timeout: .seconds(5)) }
            try await ms.hostEnd.clearHalt(.bulkIn, timeout: .seconds(5))
            let csw = try await host.readStatus()
            #expect(csw.tag == cbw.tag && csw.dataResidue == 64 && csw.status == .passed)

            // Data that fills what the host asked ends as usual: no halt.
            o = try await host.run(.read10(lba: 0, blocks: 2, blockLength: 512))
            #expect(o.data.count == 1024 && !o.stalled && o.csw.dataResidue == 0)
            #expect(await ms.device.haltsAfterShortData == 2)
        }
    }

    @Test func aScenarioNamesAnUnknownShortDataPhase() throws {
        try withTemporaryDirectory("ms-short-bad") { dir in
            _ = try randomImage(in: dir, blocks: 8)
            #expect(throws: ScenarioError.self) { _ = try dock(#"{"image": "disk.img", "shortDataPhase": "pad"}"#, in: dir) }
        }
    }

    @Test func anInvalidCBWHaltsBothPipesUntilResetRecovery() async throws {
        try await withTemporaryDirectory("ms-invalid") { dir in
            _ = try randomImage(in: dir, blocks: 8)
            let ms = try dock(#"{"image": "disk.img"}"#, in: dir)
            var host = RawHost(link: ms.hostEnd)
            let link = ms.hostEnd
            var good = host.wrapper(.testUnitReady).bytes
            var badSignature = good
            badSignature[0] = 0x56
            var lun1 = good
            lun1[13] = 1
            for bad in [Array(good.prefix(30)), badSignature, lun1, good + [0]] {
                try await link.bulkOut(bad, timeout: .seconds(5))
                await #expect(throws: LinkError.stalled(endpoint: 0x81)) { _ = try await link.bulkIn(length: 13, timeout: .seconds(5)) }
                await #expect(throws: LinkError.stalled(endpoint: 0x02)) { try await link.bulkOut(good, timeout: .seconds(5)) }
                // Clearing the halts alone does not help (§6.6.1).
                try await link.clearHalt(.bulkIn, timeout: .seconds(5))
                try await link.clearHalt(.bulkOut, timeout: .seconds(5))
                await #expect(throws: LinkError.stalled(endpoint: 0x02)) { try await link.bulkOut(good, timeout: .seconds(5)) }
                try await host.resetRecovery()
                let o = try await host.run(.testUnitReady)
                #expect(o.csw.status == .passed && o.csw.tag == host.tag)
                good = host.wrapper(.testUnitReady).bytes
            }
            #expect(ms.cdbLog.rejectedWrappers.count == 4)
            // None of the refused wrappers' CDBs reached the unit.
            #expect(ms.cdbLog.entries.count == 4)
        }
    }

    @Test func classRequestsAndStrayControlRequests() async throws {
        try await withTemporaryDirectory("ms-control") { dir in
            _ = try randomImage(in: dir, blocks: 8)
            let ms = try dock(#"{"image": "disk.img"}"#, in: dir)
            let link = ms.hostEnd
            let maxLUN = try await link.control(requestType: 0xA1, request: 0xFE, value: 0, index: 0, data: [], length: 1, timeout: .seconds(5))
            #expect(maxLUN == [0])
            // A vendor request, and a reset naming another interface, are refused.
            await #expect(throws: LinkError.stalled(endpoint: 0)) {
                _ = try await link.control(requestType: 0x40, request: 0x01, value: 0, index: 0, data: [1], length: 0, timeout: .seconds(5))
            }
            await #expect(throws: LinkError.stalled(endpoint: 0)) {
                _ = try await link.control(requestType: 0x21, request: 0xFF, value: 0, index: 3, data: [], length: 0, timeout: .seconds(5))
            }
            #expect(ms.cdbLog.controlRequests.map(\.request) == [0xFE, 0x01, 0xFF])
            // With nothing to send, a bulk IN is NAKed until the host gives up.
            await #expect(throws: LinkError.timedOut(direction: .bulkIn, milliseconds: 250)) {
                _ = try await link.bulkIn(length: 13, timeout: .milliseconds(250))
            }
        }
    }

    @Test func unplugAndCloseEndEveryLaterCall() async throws {
        try await withTemporaryDirectory("ms-unplug") { dir in
            _ = try randomImage(in: dir, blocks: 8)
            let ms = try dock(#"{"image": "disk.img"}"#, in: dir)
            var host = RawHost(link: ms.hostEnd)
            let cbw = host.wrapper(.read10(lba: 0, blocks: 1, blockLength: 512))
            try await ms.hostEnd.bulkOut(cbw.bytes, timeout: .seconds(5))
            await ms.unplug()
            let link = ms.hostEnd
            await #expect(throws: LinkError.deviceGone) { _ = try await link.bulkIn(length: 512, timeout: .seconds(5)) }
            await #expect(throws: LinkError.deviceGone) { try await link.bulkOut(cbw.bytes, timeout: .seconds(5)) }
            await #expect(throws: LinkError.deviceGone) { try await link.clearHalt(.bulkIn, timeout: .seconds(5)) }
            await #expect(throws: LinkError.deviceGone) {
                _ = try await link.control(requestType: 0xA1, request: 0xFE, value: 0, index: 0, data: [], length: 1, timeout: .seconds(5))
            }
            await #expect(throws: LinkError.deviceGone) { _ = try await link.bulkIn(length: 13, timeout: .seconds(5)) }

            let other = try dock(#"{"image": "disk.img"}"#, in: dir)
            await other.hostEnd.close()
            await #expect(throws: LinkError.closed) { _ = try await other.hostEnd.bulkIn(length: 13, timeout: .seconds(5)) }
            await #expect(throws: LinkError.closed) { try await other.hostEnd.bulkOut(cbw.bytes, timeout: .seconds(5)) }
        }
    }
}
