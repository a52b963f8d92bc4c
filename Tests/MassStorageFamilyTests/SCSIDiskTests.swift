import Testing
import MassStorageProtocol
import RecorderHAL
import Volumes
@testable import MassStorageFamily

/// The SCSI disk over Bulk-Only Transport against a scripted device: the open sequence, reads,
/// and the write blocker over whole sessions.
@Suite struct SCSIDiskTests {
    /// The waits the disk asked for, instead of waiting.
    actor Sleeps {
        var waits: [Duration] = []
        func add(_ d: Duration) { waits.append(d) }
    }

    static func configuration(_ sleeps: Sleeps, polls: Int = 5) -> SCSIDiskConfiguration {
        var configuration = SCSIDiskConfiguration()
        configuration.readyPolls = polls
        configuration.readyPollInterval = .milliseconds(250)
        configuration.sleep = { await sleeps.add($0) }
        return configuration
    }

    static let allowed = Set(SCSICommand.Opcode.allCases.map(\.rawValue))

    /// Every command block the device received has an opcode on the allow-list.
    static func expectWriteBlocked(_ device: ScriptedMassStorageDevice, sourceLocation: SourceLocation = #_sourceLocation) async {
        let cdbs = await device.commandBlocks
        #expect(!cdbs.isEmpty, sourceLocation: sourceLocation)
        for cdb in cdbs {
            #expect(allowed.contains(cdb[0]), "opcode 0x\(String(cdb[0], radix: 16)) sent", sourceLocation: sourceLocation)
        }
    }

    @Test func openSequenceAndIdentity() async throws {
        let device = ScriptedMassStorageDevice()
        await device.configure {
            $0.writeProtected = true
            $0.blockCount = 1_000_000
            $0.maxLUNReply = .stall
        }
        let disk = try await SCSIDisk.open(BulkOnlyTransport(link: device), configuration: Self.configuration(Sleeps()))
        #expect(disk.identity == DiskIdentity(vendor: "ZFY", product: "Recorder Disk", revision: "2.10", peripheralType: 0,
                                              removable: true, lun: 0, maxLUN: 0, blockLength: 512, blockCount: 1_000_000,
                                              writeProtected: true, capacityFrom16: false))
        #expect(disk.blockSize == 512 && disk.blockCount == 1_000_000)
        let opcodes = await device.commandBlocks.map { $0[0] }
        #expect(opcodes == [0x12, 0x00, 0x25, 0x1A])
        #expect(await device.events.first == .control(requestType: 0xA1, request: 0xFE, value: 0, index: 3))
    }

    /// "Becoming ready" is polled with the configured wait until the unit is ready.
    @Test func becomingReadyThenReady() async throws {
        let device = ScriptedMassStorageDevice()
        await device.configure { $0.notReadyPolls = 3 }
        let sleeps = Sleeps()
        let disk = try await SCSIDisk.open(BulkOnlyTransport(link: device), configuration: Self.configuration(sleeps))
        #expect(disk.blockCount == 65_536)
        #expect(await sleeps.waits == [Duration](repeating: .milliseconds(250), count: 3))
        let opcodes = await device.commandBlocks.map { $0[0] }
        #expect(opcodes == [0x12, 0x00, 0x03, 0x00, 0x03, 0x00, 0x03, 0x00, 0x25, 0x1A])
    }

    /// A unit that never becomes ready fails after the bounded number of polls.
    @Test func staysNotReady() async throws {
        let device = ScriptedMassStorageDevice()
        await device.configure { $0.neverReady = true }
        let sleeps = Sleeps()
        let error = try await expectFailure { try await SCSIDisk.open(BulkOnlyTransport(link: device), configuration: Self.configuration(sleeps, polls: 4)) }
        #expect(error.reason == .notReady(SenseData(senseKey: .notReady, asc: 0x04, ascq: 0x01), polls: 4))
        #expect(error.description == "TEST UNIT READY: not ready after 4 polls (NOT READY 04/01)")
        #expect(await sleeps.waits.count == 4)
        #expect(await device.commandBlocks.filter { $0[0] == 0x00 }.count == 5)
    }

    /// A cancelled open stops polling at once, between commands.
    @Test func cancelledWhileWaitingForReady() async throws {
        let device = ScriptedMassStorageDevice()
        await device.configure { $0.neverReady = true }
        let sleeps = Sleeps()
        var configuration = Self.configuration(sleeps, polls: 1000)
        configuration.sleep = { wait in
            await sleeps.add(wait)
            withUnsafeCurrentTask { $0?.cancel() }
        }
        let error = try await Task {
            try await expectFailure { try await SCSIDisk.open(BulkOnlyTransport(link: device), configuration: configuration) }
        }.value
        #expect(error.reason == .cancelled)
        #expect(error.recorderError.description == "cancelled")
        #expect(await sleeps.waits.count == 1)
    }

    @Test func mediumNotPresent() async throws {
        let device = ScriptedMassStorageDevice()
        await device.configure { $0.mediumAbsent = true }
        let error = try await expectFailure { try await SCSIDisk.open(BulkOnlyTransport(link: device), configuration: Self.configuration(Sleeps())) }
        #expect(error.reason == .mediumNotPresent(SenseData(senseKey: .notReady, asc: 0x3A, ascq: 0)))
    }

    /// UNIT ATTENTION after power-on is asked again, a bounded number of times.
    @Test func unitAttentionRetriedBounded() async throws {
        let device = ScriptedMassStorageDevice()
        await device.configure { $0.unitAttentions = [(0x29, 0x00), (0x28, 0x00)] }
        _ = try await SCSIDisk.open(BulkOnlyTransport(link: device), configuration: Self.configuration(Sleeps()))

        let stubborn = ScriptedMassStorageDevice()
        await stubborn.configure { $0.unitAttentions = Array(repeating: (0x29, 0x00), count: 10) }
        var configuration = Self.configuration(Sleeps())
        configuration.unitAttentionRetries = 3
        let error = try await expectFailure { try await SCSIDisk.open(BulkOnlyTransport(link: stubborn), configuration: configuration) }
        #expect(error.reason == .unitAttentionPersisted(SenseData(senseKey: .unitAttention, asc: 0x29, ascq: 0), attempts: 4))
        #expect(await stubborn.commandBlocks.filter { $0[0] == 0x00 }.count == 4)
    }

    /// READ CAPACITY(10) answering 0xFFFFFFFF: READ CAPACITY(16) gives the size, and blocks
    /// past 2^32 are read with READ(16), those below with READ(10).
    @Test func largeMediumUsesReadCapacity16AndRead16() async throws {
        let device = ScriptedMassStorageDevice()
        let blocks: UInt64 = 0x1_0000_0800
        await device.configure {
            $0.blockCount = blocks
            $0.blockLength = 4096
        }
        let disk = try await SCSIDisk.open(BulkOnlyTransport(link: device), configuration: Self.configuration(Sleeps()))
        #expect(disk.identity.capacityFrom16 && disk.blockCount == blocks && disk.blockSize == 4096)
        let high = try await disk.read(block: blocks - 3, count: 3)
        #expect(high == ScriptedMassStorageDevice.content(block: blocks - 3, count: 3, blockLength: 4096))
        let low = try await disk.read(block: 10, count: 2)
        #expect(low == ScriptedMassStorageDevice.content(block: 10, count: 2, blockLength: 4096))
        let cdbs = await device.commandBlocks
        #expect(cdbs.map { $0[0] } == [0x12, 0x00, 0x25, 0x9E, 0x1A, 0x88, 0x28])
        #expect(cdbs[5] == SCSICommand.read16(lba: blocks - 3, blocks: 3, blockLength: 4096).commandBlock)
    }

    /// A command whose blocks cross 2^32 cannot be a READ(10): it is one READ(16).
    @Test func readAcrossThe32BitBoundary() async throws {
        let device = ScriptedMassStorageDevice()
        await device.configure { $0.blockCount = 0x1_0000_1000 }
        var configuration = Self.configuration(Sleeps())
        configuration.maxTransferBytes = 8 * 512
        let disk = try await SCSIDisk.open(BulkOnlyTransport(link: device), configuration: configuration)
        let data = try await disk.read(block: 0xFFFF_FFFC, count: 8)
        #expect(data == ScriptedMassStorageDevice.content(block: 0xFFFF_FFFC, count: 8, blockLength: 512))
        let reads = await device.commandBlocks.filter { $0[0] == 0x28 || $0[0] == 0x88 }
        #expect(reads == [SCSICommand.read16(lba: 0xFFFF_FFFC, blocks: 8, blockLength: 512).commandBlock])
    }

    @Test func refusedBlockLength() async throws {
        let device = ScriptedMassStorageDevice()
        await device.configure { $0.blockLength = 520 }
        let error = try await expectFailure { try await SCSIDisk.open(BulkOnlyTransport(link: device), configuration: Self.configuration(Sleeps())) }
        #expect(error.description == "READ CAPACITY(10): READ CAPACITY(10) reply refused: block length 520 is not a power of two in 512...65536")
    }

    @Test func notABlockDevice() async throws {
        let device = ScriptedMassStorageDevice()
        await device.configure { $0.peripheralType = 0x05 }
        let error = try await expectFailure { try await SCSIDisk.open(BulkOnlyTransport(link: device), configuration: Self.configuration(Sleeps())) }
        #expect(error.reason == .notABlockDevice("INQUIRY peripheral qualifier 0, type 0x5"))
    }

    /// MODE SENSE(6) is recorded, never required.
    @Test func modeSenseRefusedStillOpens() async throws {
        let device = ScriptedMassStorageDevice()
        await device.configure { $0.modeSenseRefused = true }
        let disk = try await SCSIDisk.open(BulkOnlyTransport(link: device), configuration: Self.configuration(Sleeps()))
        #expect(disk.identity.writeProtected == nil)
        #expect(await device.commandBlocks.last?[0] == 0x03)   // its sense was asked, and that was all
    }

    /// Reads are split at the maximum transfer: 1 MiB of 512-byte blocks is 2048 per command.
    @Test func readsSplitAtMaxTransfer() async throws {
        let device = ScriptedMassStorageDevice()
        let disk = try await SCSIDisk.open(BulkOnlyTransport(link: device), configuration: Self.configuration(Sleeps()))
        #expect(disk.blocksPerCommand == 2048)
        let data = try await disk.read(block: 100, count: 5000)
        #expect(data == ScriptedMassStorageDevice.content(block: 100, count: 5000, blockLength: 512))
        let reads = await device.commandBlocks.filter { $0[0] == 0x28 }
        #expect(reads == [SCSICommand.read10(lba: 100, blocks: 2048, blockLength: 512).commandBlock,
                          SCSICommand.read10(lba: 2148, blocks: 2048, blockLength: 512).commandBlock,
                          SCSICommand.read10(lba: 4196, blocks: 904, blockLength: 512).commandBlock])
    }

    /// Byte extents are read as whole blocks and cut exactly.
    @Test func byteExtents() async throws {
        let device = ScriptedMassStorageDevice()
        let disk = try await SCSIDisk.open(BulkOnlyTransport(link: device), configuration: Self.configuration(Sleeps()))
        let data = try await disk.read(byteOffset: 1000, length: 3000)
        #expect(data == (1000..<4000).map { ScriptedMassStorageDevice.byte(at: UInt64($0)) })
        #expect(try await disk.read(byteOffset: 512, length: 0).isEmpty)
        let reads = await device.commandBlocks.filter { $0[0] == 0x28 }
        #expect(reads == [SCSICommand.read10(lba: 1, blocks: 7, blockLength: 512).commandBlock])
        let past = try await expectFailure { try await disk.read(byteOffset: 65_536 * 512 - 10, length: 11) }
        if case .outOfRange = past.reason {} else { Issue.record("\(past)") }
        let pastBlocks = try await expectFailure { try await disk.read(block: 65_530, count: 7) }
        if case .outOfRange = pastBlocks.reason {} else { Issue.record("\(pastBlocks)") }
    }

    /// RECOVERED ERROR with every byte sent: the unit read the blocks after retrying them, so
    /// the data is good and the read passes; a MEDIUM ERROR beside it still fails.
    @Test func recoveredErrorWithAllTheDataIsARead() async throws {
        let device = ScriptedMassStorageDevice()
        await device.configure { $0.recoveredBlocks = 10..<11 }
        let disk = try await SCSIDisk.open(BulkOnlyTransport(link: device), configuration: Self.configuration(Sleeps()))
        #expect(try await disk.read(block: 8, count: 4) == ScriptedMassStorageDevice.content(block: 8, count: 4, blockLength: 512))
        #expect(await device.commandBlocks.last?[0] == SCSICommand.Opcode.requestSense.rawValue)
    }

    /// MEDIUM ERROR: the device sends the good blocks, stalls, and says which block failed;
    /// the error names the blocks of the command.
    @Test func mediumErrorNamesTheBlocks() async throws {
        let device = ScriptedMassStorageDevice()
        await device.configure { $0.badBlocks = 2050..<2052 }
        let disk = try await SCSIDisk.open(BulkOnlyTransport(link: device), configuration: Self.configuration(Sleeps()))
        let error = try await expectFailure { try await disk.read(block: 0, count: 4096) }
        #expect(error.reason == .mediumError(blocks: 2048..<4096, sense: SenseData(senseKey: .mediumError, asc: 0x11, ascq: 0, information: 2050)))
        #expect(error.description == "READ(10) lba 2048 ×2048: MEDIUM ERROR 11/00 at 2050 reading blocks 2048..<4096")
        #expect(error.recorderError.refusal?.code == 0x03_11_00)
        #expect(await disk.transport.resetRecoveries == 0)
        // The data phase stalled after the good blocks, and the halt was cleared.
        #expect(await device.events.contains(.clearHalt(.bulkIn)))
        // The blocks around it still read.
        #expect(try await disk.read(block: 2052, count: 1) == ScriptedMassStorageDevice.content(block: 2052, count: 1, blockLength: 512))
    }

    /// A read whose status is broken is sent again once after reset recovery.
    @Test func readRetriedAfterResetRecovery() async throws {
        let device = ScriptedMassStorageDevice()
        let disk = try await SCSIDisk.open(BulkOnlyTransport(link: device), configuration: Self.configuration(Sleeps()))
        await device.inject(.wrongTag, on: .read10)
        let data = try await disk.read(block: 7, count: 2)
        #expect(data == ScriptedMassStorageDevice.content(block: 7, count: 2, blockLength: 512))
        #expect(await disk.transport.resetRecoveries == 1)
        // Twice in a row exhausts the one retry.
        await device.inject(.phaseError, on: .read10)
        await device.inject(.phaseError, on: .read10)
        let error = try await expectFailure { try await disk.read(block: 7, count: 2) }
        #expect(error.reason == .phaseError && error.recovery == .resetDone)
        #expect(await disk.transport.resetRecoveries == 3)
    }

    /// A passed READ that delivered less than asked is an error, never a short result.
    @Test func shortReadIsAnError() async throws {
        let device = ScriptedMassStorageDevice()
        let disk = try await SCSIDisk.open(BulkOnlyTransport(link: device), configuration: Self.configuration(Sleeps()))
        await device.inject(.shortData(bytes: 700), on: .read10)
        let error = try await expectFailure { try await disk.read(block: 0, count: 2) }
        #expect(error.reason == .shortData(received: 700, expected: 1024))
    }

    /// A medium change reported after the open is an error, not ridden out.
    @Test func mediumChangeAfterOpenIsAnError() async throws {
        let device = ScriptedMassStorageDevice()
        let disk = try await SCSIDisk.open(BulkOnlyTransport(link: device), configuration: Self.configuration(Sleeps()))
        await device.configure { $0.unitAttentions = [(0x28, 0x00)] }
        let error = try await expectFailure { try await disk.read(block: 0, count: 1) }
        #expect(error.reason == .mediumChanged(SenseData(senseKey: .unitAttention, asc: 0x28, ascq: 0)))
    }

    /// The disk is the volume readers' `BlockSource`.
    @Test func isABlockSource() async throws {
        let device = ScriptedMassStorageDevice()
        let source: any BlockSource = try await SCSIDisk.open(BulkOnlyTransport(link: device), configuration: Self.configuration(Sleeps()))
        #expect(try await source.read(block: 1, count: 1) == ScriptedMassStorageDevice.content(block: 1, count: 1, blockLength: 512))
    }

    /// The write blocker over a whole session with every fault the device can script: every
    /// command block that arrived is on the allow-list.
    @Test func wholeSessionIsWriteBlocked() async throws {
        let device = ScriptedMassStorageDevice()
        await device.configure {
            $0.notReadyPolls = 2
            $0.unitAttentions = [(0x29, 0x00)]
            $0.badBlocks = 300..<301
            $0.descriptorSense = true
        }
        let disk = try await SCSIDisk.open(BulkOnlyTransport(link: device), configuration: Self.configuration(Sleeps()))
        for fault: ScriptedMassStorageDevice.Fault in [.wrongTag, .phaseError, .residueTooLarge, .badSignature, .stallData,
                                                       .stallStatus(times: 1), .stallStatus(times: 2), .skipDataPhase,
                                                       .shortData(bytes: 100), .noStatus, .refuseCommand] {
            await device.inject(fault, on: .read10)
            _ = try? await disk.read(block: 0, count: 64)
        }
        _ = try? await disk.read(block: 200, count: 200)
        _ = try await disk.read(byteOffset: (1 << 20) + 12_345, length: 1 << 20)
        await Self.expectWriteBlocked(device)
        #expect(await device.commandBlocks.count > 20)
    }
}

/// Extents read one command at a time.
@Suite struct SCSIDiskPieceTests {
    actor Pieces {
        var pieces: [[UInt8]] = []
        func add(_ piece: [UInt8]) { pieces.append(piece) }
    }

    static func disk(_ device: ScriptedMassStorageDevice, maxTransfer: Int) async throws -> SCSIDisk {
        var configuration = SCSIDiskConfiguration()
        configuration.maxTransferBytes = maxTransfer
        configuration.readyPollInterval = .zero
        return try await SCSIDisk.open(BulkOnlyTransport(link: device), configuration: configuration)
    }

    /// An extent starting and ending inside blocks: pieces of one command each, cut at the ends,
    /// together exactly the extent.
    @Test func unalignedExtentInPieces() async throws {
        let device = ScriptedMassStorageDevice()
        let disk = try await Self.disk(device, maxTransfer: 4096)
        let pieces = Pieces()
        try await disk.read(byteOffset: 1000, length: 10_000) { await pieces.add($0) }
        let got = await pieces.pieces
        #expect(got.map(\.count) == [4096 - 488, 4096, 10_000 - (4096 - 488) - 4096])
        #expect(Array(got.joined()) == (1000..<11_000).map { ScriptedMassStorageDevice.byte(at: UInt64($0)) })
        let reads = await device.commandBlocks.filter { $0[0] == 0x28 }
        #expect(reads == [SCSICommand.read10(lba: 1, blocks: 8, blockLength: 512).commandBlock,
                          SCSICommand.read10(lba: 9, blocks: 8, blockLength: 512).commandBlock,
                          SCSICommand.read10(lba: 17, blocks: 5, blockLength: 512).commandBlock])
    }

    /// A consumer that throws stops the read: no further command is sent.
    @Test func consumerErrorStopsTheRead() async throws {
        struct Full: Error {}
        let device = ScriptedMassStorageDevice()
        let disk = try await Self.disk(device, maxTransfer: 4096)
        await #expect(throws: Full.self) {
            try await disk.read(byteOffset: 0, length: 40_960) { _ in throw Full() }
        }
        #expect(await device.commandBlocks.filter { $0[0] == 0x28 }.count == 1)
        await #expect(throws: MassStorageError.self) {
            try await disk.read(byteOffset: 65_536 * 512 - 1, length: 2) { _ in }
        }
    }
}
