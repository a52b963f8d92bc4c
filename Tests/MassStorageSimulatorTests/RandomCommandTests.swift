import Foundation
import MassStorageProtocol
import RecorderHAL
import TestSupport
import Testing
@testable import RecorderSimulator

@Suite struct RandomCommandTests {
    /// Seeded random wrappers and command blocks, well-formed or not: the device never traps,
    /// refuses every opcode outside the allow-list, leaves the image as it was, and after reset
    /// recovery still answers.
    @Test func randomWrappersNeverChangeTheImageOrTheDevice() async throws {
        try await withTemporaryDirectory("ms-random") { dir in
            let image = try randomImage(in: dir, blocks: 256)
            let before = try sha256(ofFile: image)
            let ms = try dock(#"{"image": "disk.img", "writeProtected": false}"#, in: dir)
            var host = RawHost(link: ms.hostEnd)
            var random = SplitMix64(seed: 0x5EED_0013)
            let allowed = Set(SCSICommand.Opcode.allCases.map(\.rawValue))
            var refusedForeign = 0
            for round in 0..<1500 {
                var cbw = host.wrapper(.testUnitReady)
                let length = Int(random.next() % 16) + 1
                cbw.commandBlock = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                // Mostly allow-list opcodes with random fields, sometimes anything.
                if random.next() % 2 == 0 { cbw.commandBlock[0] = Array(allowed)[Int(random.next() % UInt64(allowed.count))] }
                cbw.dataTransferLength = UInt32(random.next() % 70_000)
                cbw.dataIn = random.next() % 4 != 0
                var bytes = cbw.bytes
                if round % 50 == 0 { bytes[Int(random.next() % 31)] ^= 0xFF } // sometimes not valid
                do {
                    try await ms.hostEnd.bulkOut(bytes, timeout: .seconds(1))
                    if cbw.dataTransferLength > 0 {
                        do {
                            if cbw.dataIn {
                                _ = try await ms.hostEnd.bulkIn(length: Int(cbw.dataTransferLength), timeout: .seconds(1))
                            } else {
                                try await ms.hostEnd.bulkOut([UInt8](repeating: 0xA5, count: Int(cbw.dataTransferLength)), timeout: .seconds(1))
                            }
                        } catch LinkError.stalled {
                            try await ms.hostEnd.clearHalt(cbw.dataIn ? .bulkIn : .bulkOut, timeout: .seconds(1))
                        }
                    }
                    let csw = try await host.readStatus()
                    if !allowed.contains(cbw.commandBlock[0]) {
                        #expect(csw.status != .passed, "opcode \(cbw.commandBlock[0]) passed")
                        refusedForeign += 1
                    }
                    if csw.status == .phaseError { try await host.resetRecovery() }
                } catch {
                    // A refused wrapper (or a halt that stays): what a host does then.
                    try await host.resetRecovery()
                }
            }
            #expect(refusedForeign > 100)
            #expect(try sha256(ofFile: image) == before)
            try await host.resetRecovery()
            let o = try await host.run(.read10(lba: 255, blocks: 1, blockLength: 512))
            #expect(o.csw.status == .passed && o.csw.tag == host.tag)
            #expect(try o.data == fileBytes(image, 255 * 512..<256 * 512))
        }
    }
}
