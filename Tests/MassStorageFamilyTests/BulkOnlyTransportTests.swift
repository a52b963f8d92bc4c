import Testing
import MassStorageProtocol
import RecorderHAL
@testable import MassStorageFamily

/// The host's side of Bulk-Only Transport against a scripted device: the status checks of
/// BOT §6.3, the halts of §6.7 and reset recovery (§5.3.4).
@Suite struct BulkOnlyTransportTests {
    typealias Event = ScriptedMassStorageDevice.Event

    /// The reset recovery sequence, exactly: the class request to the claimed interface, then
    /// clear the IN halt, then the OUT halt.
    static let resetRecovery: [Event] = [
        .control(requestType: 0x21, request: 0xFF, value: 0, index: 3), .clearHalt(.bulkIn), .clearHalt(.bulkOut),
    ]

    /// What the host did on the control pipe and to halts, in order.
    static func recoveryEvents(_ events: [Event]) -> [Event] {
        events.filter { if case .control = $0 { true } else if case .clearHalt = $0 { true } else { false } }
    }

    @Test func commandWithDataAndTagsIncrement() async throws {
        let device = ScriptedMassStorageDevice()
        let transport = BulkOnlyTransport(link: device)
        let first = try await transport.execute(.inquiry(allocationLength: 36))
        let second = try await transport.execute(.testUnitReady)
        #expect(first.passed && first.data.count == 36 && first.residue == 0)
        #expect(second.passed && second.data.isEmpty)
        let events = await device.events
        #expect(events == [
            .command(tag: 1, cdb: SCSICommand.inquiry(allocationLength: 36).commandBlock),
            .bulkIn(asked: 36, got: 36), .bulkIn(asked: 13, got: 13),
            .command(tag: 2, cdb: SCSICommand.testUnitReady.commandBlock),
            .bulkIn(asked: 13, got: 13),
        ])
    }

    /// §6.7.2 case 5 (Hi > Di): the device ends the data phase with a short packet and says
    /// how much it did not send.
    @Test func shortDataPhaseWithResidue() async throws {
        let device = ScriptedMassStorageDevice()
        let transport = BulkOnlyTransport(link: device)
        let outcome = try await transport.execute(.modeSense6(allocationLength: 192))
        #expect(outcome.passed)
        #expect(outcome.data == [3, 0, 0, 0])
        #expect(outcome.residue == 188 && outcome.received == 4)
        #expect(await transport.resetRecoveries == 0)
    }

    /// A device that claims to have sent more than arrived: only the bytes that arrived are
    /// data. One that claims a residue but sent everything (padding): only the unpadded part.
    @Test func residueConsistency() async throws {
        let device = ScriptedMassStorageDevice()
        let transport = BulkOnlyTransport(link: device)
        await device.inject(.understatedResidue(bytes: 20), on: .inquiry)
        let understated = try await transport.execute(.inquiry(allocationLength: 36))
        #expect(understated.passed && understated.data.count == 20 && understated.residue == 0)
        #expect(understated.received == 20)
        await device.inject(.paddedWithResidue(6), on: .inquiry)
        let padded = try await transport.execute(.inquiry(allocationLength: 36))
        #expect(padded.passed && padded.received == 36 && padded.data.count == 30 && padded.residue == 6)
        #expect(await transport.resetRecoveries == 0)
    }

    /// A large data phase is read in pieces of the configured size, the last one shorter.
    @Test func dataPhaseInPieces() async throws {
        let device = ScriptedMassStorageDevice()
        var configuration = BulkOnlyTransport.Configuration()
        configuration.maxPieceBytes = 4096
        let transport = BulkOnlyTransport(link: device, configuration: configuration)
        let outcome = try await transport.execute(.read10(lba: 3, blocks: 17, blockLength: 512))
        #expect(outcome.data == ScriptedMassStorageDevice.content(block: 3, count: 17, blockLength: 512))
        let asked = await device.events.compactMap { if case .bulkIn(let asked, _) = $0 { asked } else { nil } }
        #expect(asked == [4096, 4096, 512, 13])
    }

    /// §6.7.2 case 4 (Hi > Dn): a STALL on the data IN is cleared, then the status is read.
    @Test func stalledDataPhaseIsClearedThenStatusRead() async throws {
        let device = ScriptedMassStorageDevice()
        let transport = BulkOnlyTransport(link: device)
        await device.inject(.stallData, on: .inquiry)
        let outcome = try await transport.execute(.inquiry(allocationLength: 36))
        #expect(!outcome.passed && outcome.dataPhaseStalled && outcome.data.isEmpty && outcome.residue == 36)
        let events = await device.events
        #expect(Array(events.dropFirst()) == [.stalledIn, .clearHalt(.bulkIn), .bulkIn(asked: 13, got: 13)])
        #expect(await transport.resetRecoveries == 0)
    }

    /// A STALL where the status should be: cleared, and the status read once more.
    @Test func stalledStatusIsClearedAndReadAgain() async throws {
        let device = ScriptedMassStorageDevice()
        let transport = BulkOnlyTransport(link: device)
        await device.inject(.stallStatus(times: 1), on: .testUnitReady)
        let outcome = try await transport.execute(.testUnitReady)
        #expect(outcome.passed)
        let events = await device.events
        #expect(Array(events.dropFirst()) == [.stalledIn, .clearHalt(.bulkIn), .bulkIn(asked: 13, got: 13)])
    }

    /// A second STALL on the status: clearing did not help, reset recovery.
    @Test func statusStallingTwiceEndsInResetRecovery() async throws {
        let device = ScriptedMassStorageDevice()
        let transport = BulkOnlyTransport(link: device)
        await device.inject(.stallStatus(times: 2), on: .testUnitReady)
        let error = try await expectFailure { try await transport.execute(.testUnitReady) }
        #expect(error.reason == .link(.stalled(endpoint: 0x81)) && error.recovery == .resetDone)
        #expect(Self.recoveryEvents(await device.events) == [.clearHalt(.bulkIn)] + Self.resetRecovery)
    }

    /// A status with the wrong tag is not valid: reset recovery in the order §5.3.4 gives, and
    /// an error saying which command, what was wrong and what was done.
    @Test func wrongTagEndsInResetRecovery() async throws {
        let device = ScriptedMassStorageDevice()
        let transport = BulkOnlyTransport(link: device)
        _ = try await transport.execute(.testUnitReady)
        await device.inject(.wrongTag, on: .read10)
        let error = try await expectFailure { try await transport.execute(.read10(lba: 2048, blocks: 4, blockLength: 512)) }
        #expect(error.description == "READ(10) lba 2048 ×4: CSW tag 3 where 2 was sent: reset recovery done")
        #expect(error.recovery == .resetDone)
        let events = await device.events
        #expect(Self.recoveryEvents(events) == Self.resetRecovery)
        // The recovery follows the status read at once.
        #expect(Array(events.suffix(4)) == [.bulkIn(asked: 13, got: 13)] + Self.resetRecovery)
        // The device is usable again, with the next tag.
        let after = try await transport.execute(.testUnitReady)
        #expect(after.passed)
        #expect(await device.events.last(where: { if case .command = $0 { true } else { false } })
            == .command(tag: 3, cdb: SCSICommand.testUnitReady.commandBlock))
    }

    @Test func phaseErrorEndsInResetRecovery() async throws {
        let device = ScriptedMassStorageDevice()
        let transport = BulkOnlyTransport(link: device)
        await device.inject(.phaseError, on: .inquiry)
        let error = try await expectFailure { try await transport.execute(.inquiry(allocationLength: 36)) }
        #expect(error.reason == .phaseError && error.recovery == .resetDone)
        #expect(Self.recoveryEvents(await device.events) == Self.resetRecovery)
    }

    @Test func residueLargerThanAskedIsNotMeaningful() async throws {
        let device = ScriptedMassStorageDevice()
        let transport = BulkOnlyTransport(link: device)
        await device.inject(.residueTooLarge, on: .inquiry)
        let error = try await expectFailure { try await transport.execute(.inquiry(allocationLength: 36)) }
        #expect(error.reason == .statusNotMeaningful("residue 37 exceeds the 36 bytes asked"))
        #expect(Self.recoveryEvents(await device.events) == Self.resetRecovery)
    }

    @Test func badSignatureIsNotValid() async throws {
        let device = ScriptedMassStorageDevice()
        let transport = BulkOnlyTransport(link: device)
        await device.inject(.badSignature, on: .testUnitReady)
        let error = try await expectFailure { try await transport.execute(.testUnitReady) }
        #expect(error.reason == .invalidStatus("CSW not valid: signature 0x44425355 is not a wrapper's"))
        #expect(Self.recoveryEvents(await device.events) == Self.resetRecovery)
    }

    /// No status at all: the status read times out, reset recovery.
    @Test func missingStatusTimesOutIntoResetRecovery() async throws {
        let device = ScriptedMassStorageDevice()
        let transport = BulkOnlyTransport(link: device)
        await device.inject(.noStatus, on: .testUnitReady)
        let error = try await expectFailure { try await transport.execute(.testUnitReady) }
        #expect(error.reason == .link(.timedOut(direction: .bulkIn, milliseconds: 0)) && error.recovery == .resetDone)
    }

    /// A refused command wrapper (bulk OUT STALL, §6.6.1): reset recovery clears both halts.
    @Test func refusedCommandEndsInResetRecovery() async throws {
        let device = ScriptedMassStorageDevice()
        let transport = BulkOnlyTransport(link: device)
        await device.inject(.refuseCommand, on: .testUnitReady)
        let error = try await expectFailure { try await transport.execute(.testUnitReady) }
        #expect(error.reason == .link(.stalled(endpoint: 0x02)) && error.recovery == .resetDone)
        #expect(try await transport.execute(.testUnitReady).passed)
    }

    /// A device that sends its status in place of the data phase: taken as the status.
    @Test func statusInPlaceOfDataPhase() async throws {
        let device = ScriptedMassStorageDevice()
        let transport = BulkOnlyTransport(link: device)
        await device.inject(.skipDataPhase, on: .inquiry)
        let outcome = try await transport.execute(.inquiry(allocationLength: 36))
        #expect(!outcome.passed && outcome.data.isEmpty && outcome.residue == 36)
        #expect(await transport.resetRecoveries == 0)
    }

    /// A failed reset recovery makes the transport unusable: nothing more reaches the device.
    @Test func failedResetRecoveryIsFinal() async throws {
        let device = ScriptedMassStorageDevice()
        let transport = BulkOnlyTransport(link: device)
        await device.configure { $0.resetFails = true }
        await device.inject(.wrongTag, on: .testUnitReady)
        let error = try await expectFailure { try await transport.execute(.testUnitReady) }
        #expect(error.recovery == .resetFailed(.stalled(endpoint: 0)))
        #expect(error.description == "TEST UNIT READY: CSW tag 2 where 1 was sent: reset recovery failed: endpoint 0x0 stalled")
        #expect(error.recorderError.isLinkLost)
        let count = await device.events.count
        let later = try await expectFailure { try await transport.execute(.testUnitReady) }
        #expect(later.reason == .transportUnusable(.stalled(endpoint: 0)))
        #expect(await device.events.count == count)
    }

    @Test func maxLUN() async throws {
        let device = ScriptedMassStorageDevice()
        let transport = BulkOnlyTransport(link: device)
        await device.configure { $0.maxLUNReply = .value(1) }
        #expect(try await transport.maxLUN() == 1)
        await device.configure { $0.maxLUNReply = .stall }
        #expect(try await transport.maxLUN() == 0)
        await device.configure { $0.maxLUNReply = .value(200) }
        #expect(try await transport.maxLUN() == 0)
        #expect(await device.events.first == .control(requestType: 0xA1, request: 0xFE, value: 0, index: 3))
    }

    /// Commands from concurrent tasks run one at a time, each with its own status.
    @Test func concurrentCallersAreSerialised() async throws {
        let device = ScriptedMassStorageDevice()
        let transport = BulkOnlyTransport(link: device)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<8 {
                group.addTask {
                    let outcome = try await transport.execute(.read10(lba: UInt32(i), blocks: 1, blockLength: 512))
                    #expect(outcome.data == ScriptedMassStorageDevice.content(block: UInt64(i), count: 1, blockLength: 512))
                }
            }
            try await group.waitForAll()
        }
        #expect(await transport.resetRecoveries == 0)
    }
}

extension BulkOnlyTransportTests {
    /// A failed command's REQUEST SENSE follows it at once, whatever other tasks send: the
    /// sense the unit gives describes the last command it ran, so a command between the two
    /// would lose a MEDIUM ERROR or blame it on the wrong read.
    @Test func aFailureAndItsSenseAreOneTurn() async throws {
        let device = ScriptedMassStorageDevice()
        await device.configure { $0.badBlocks = 100..<101 }
        let transport = BulkOnlyTransport(link: device)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<8 {
                group.addTask {
                    let lba = UInt32(i % 2 == 0 ? 100 : i)
                    let (outcome, sense) = try await transport.executeWithSense(.read10(lba: lba, blocks: 1, blockLength: 512))
                    #expect(outcome.passed == (lba != 100))
                    #expect((sense != nil) == (lba != 100 ? false : true))
                }
            }
            try await group.waitForAll()
        }
        let cdbs = await device.commandBlocks
        #expect(cdbs.count == 12)
        for (n, cdb) in cdbs.enumerated() where cdb[0] == SCSICommand.Opcode.read10.rawValue && cdb[5] == 100 {
            #expect(cdbs[n + 1][0] == SCSICommand.Opcode.requestSense.rawValue, "command \(n + 1) after a failed READ")
        }
    }
}

/// The `MassStorageError` `body` throws; fails the test when it returns or throws anything else.
func expectFailure<T>(_ body: () async throws -> T,
                      sourceLocation: SourceLocation = #_sourceLocation) async throws -> MassStorageError {
    do {
        let value = try await body()
        Issue.record("expected a MassStorageError, got \(value)", sourceLocation: sourceLocation)
    } catch let error as MassStorageError {
        return error
    } catch {
        Issue.record("expected a MassStorageError, got \(error)", sourceLocation: sourceLocation)
    }
    throw ExpectedFailure()
}

struct ExpectedFailure: Error {}
