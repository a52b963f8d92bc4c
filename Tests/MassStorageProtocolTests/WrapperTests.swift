import Testing
@testable import MassStorageProtocol

@Suite struct WrapperTests {
    /// A READ(10) wrapper byte for byte, as BOT 1.0 §5.1 and SBC lay it out.
    @Test func read10WrapperLayout() throws {
        let cbw = CommandBlockWrapper(tag: 0x1234_5678, lun: 0, command: .read10(lba: 0x0102_0304, blocks: 0x0800, blockLength: 512))
        #expect(cbw.bytes == [0x55, 0x53, 0x42, 0x43, 0x78, 0x56, 0x34, 0x12,
                              0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x0A,
                              0x28, 0x00, 0x01, 0x02, 0x03, 0x04, 0x00, 0x08, 0x00, 0x00,
                              0, 0, 0, 0, 0, 0])
        #expect(try CommandBlockWrapper(parsing: cbw.bytes) == cbw)
    }

    @Test func readCapacity16IsServiceActionIn() {
        let cdb = SCSICommand.readCapacity16.commandBlock
        #expect(cdb.count == 16)
        #expect(cdb[0] == 0x9E && cdb[1] == 0x10 && cdb[13] == 32)
    }

    @Test func read16CarriesA64BitAddress() {
        let cdb = SCSICommand.read16(lba: 0x1_0000_0002, blocks: 3, blockLength: 4096).commandBlock
        #expect(cdb == [0x88, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0])
    }

    @Test func statusRoundTripsAndRefusesNonsense() throws {
        let csw = CommandStatusWrapper(tag: 7, dataResidue: 512, status: .failed)
        #expect(try CommandStatusWrapper(parsing: csw.bytes) == csw)
        var bad = csw.bytes
        bad[12] = 3
        #expect(throws: WrapperError.notMeaningful("bCSWStatus 3")) { try CommandStatusWrapper(parsing: bad) }
        #expect(throws: WrapperError.wrongLength(12, expected: 13)) { try CommandStatusWrapper(parsing: Array(csw.bytes.prefix(12))) }
        bad = csw.bytes
        bad[0] = 0x56
        #expect(throws: WrapperError.badSignature(0x5342_5356)) { try CommandStatusWrapper(parsing: bad) }
    }

    /// The write blocker: no command the host can build carries an opcode outside the
    /// allow-list, and none has a data-OUT phase.
    @Test func everyBuildableCommandIsOnTheAllowList() {
        let commands: [SCSICommand] = [.testUnitReady, .requestSense(allocationLength: 18), .inquiry(allocationLength: 36),
                                       .modeSense6(allocationLength: 192), .readCapacity10, .readCapacity16,
                                       .read10(lba: 1, blocks: 1, blockLength: 512), .read16(lba: 1, blocks: 1, blockLength: 512)]
        let allowed = Set(SCSICommand.Opcode.allCases.map(\.rawValue))
        for command in commands {
            #expect(allowed.contains(command.commandBlock[0]))
            let cbw = CommandBlockWrapper(tag: 1, lun: 0, command: command)
            #expect(cbw.dataIn || cbw.dataTransferLength == 0)
        }
        // Opcodes that write, format, flush, eject or lock are not on it.
        for forbidden: UInt8 in [0x0A, 0x2A, 0xAA, 0x8A, 0x04, 0x35, 0x91, 0x1B, 0x1E, 0x15, 0x55, 0xC0, 0xFF] {
            #expect(!allowed.contains(forbidden))
        }
    }
}
