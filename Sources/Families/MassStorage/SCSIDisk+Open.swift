import MassStorageProtocol
import RecorderHAL

extension SCSIDisk {
    /// Opens logical unit `configuration.lun`: GET MAX LUN, INQUIRY (a block device is
    /// required), TEST UNIT READY until ready (polling a unit that is "becoming ready" at most
    /// `readyPolls` times, riding out `unitAttentionRetries` UNIT ATTENTIONs), READ CAPACITY(10)
    /// and, when it says the medium is too large for it, READ CAPACITY(16), then MODE SENSE(6)
    /// for the write-protect bit (recorded, never required: a unit that refuses it opens all the
    /// same). Every command is on the allow-list; none changes the medium.
    ///
    /// - Throws: `MassStorageError` with the step that failed as context.
    public static func open(_ transport: BulkOnlyTransport,
                            configuration: SCSIDiskConfiguration = SCSIDiskConfiguration()) async throws(MassStorageError) -> SCSIDisk {
        let lun = configuration.lun
        let maxLUN = try await transport.maxLUN()
        guard lun <= maxLUN else {
            throw MassStorageError(.outOfRange("LUN \(lun) asked, the device has LUNs 0...\(maxLUN)"))
        }
        let run = { (command: SCSICommand) async throws(MassStorageError) -> [UInt8] in
            try await SCSIDisk.run(command, on: transport, configuration: configuration, reading: nil, opened: false)
        }

        let inquiryCommand = SCSICommand.inquiry(allocationLength: UInt8(InquiryData.minimumLength))
        let inquiryBytes = try await run(inquiryCommand)
        let inquiry = try parsed(inquiryCommand) { () throws(SCSIReplyError) in try InquiryData(parsing: inquiryBytes) }
        guard inquiry.isBlockDevice else {
            throw MassStorageError(.notABlockDevice("INQUIRY peripheral qualifier \(inquiry.peripheralQualifier), type 0x\(String(inquiry.peripheralType, radix: 16))"))
        }

        try await waitUntilReady(transport, configuration: configuration)

        var capacityFrom16 = false
        let bytes10 = try await run(.readCapacity10)
        let capacity: Capacity
        if let fits = try parsed(.readCapacity10, { () throws(SCSIReplyError) in try ReadCapacity10.parse(bytes10) }) {
            capacity = fits
        } else {
            capacityFrom16 = true
            let bytes16 = try await run(.readCapacity16)
            capacity = try parsed(.readCapacity16) { () throws(SCSIReplyError) in try ReadCapacity16.parse(bytes16) }
        }

        let writeProtected = try await writeProtection(transport, run: run)

        let identity = DiskIdentity(vendor: inquiry.vendor, product: inquiry.product, revision: inquiry.revision,
                                    peripheralType: inquiry.peripheralType, removable: inquiry.removable,
                                    lun: lun, maxLUN: maxLUN, blockLength: capacity.blockLength,
                                    blockCount: capacity.blockCount, writeProtected: writeProtected,
                                    capacityFrom16: capacityFrom16)
        return SCSIDisk(transport: transport, identity: identity, configuration: configuration)
    }

    /// TEST UNIT READY until it passes. "Becoming ready" (04/01), or a failure with no sense
    /// (some units say nothing while they start), waits `readyPollInterval` and asks again,
    /// at most `readyPolls` times; UNIT ATTENTION asks again at once, at most
    /// `unitAttentionRetries` times; "medium not present" and any other sense end the wait.
    static func waitUntilReady(_ transport: BulkOnlyTransport, configuration: SCSIDiskConfiguration) async throws(MassStorageError) {
        var polls = 0
        var attentions = 0
        var resets = 0
        let command = SCSICommand.testUnitReady
        while true {
            if Task.isCancelled { throw MassStorageError(.cancelled, context: [command.description]) }
            let outcome: CommandOutcome, senseOutcome: CommandOutcome?
            do throws(MassStorageError) {
                (outcome, senseOutcome) = try await transport.executeWithSense(command, lun: configuration.lun)
            } catch {
                guard error.recovery == .resetDone, resets < configuration.retriesAfterResetRecovery else { throw error }
                resets += 1
                continue
            }
            if outcome.passed { return }
            let sense = try parsedSense(senseOutcome).mapError { $0.context("after TEST UNIT READY failed") }.get()
            switch sense?.condition {
            case .becomingReady?, .noError?, nil:
                guard polls < configuration.readyPolls else {
                    throw MassStorageError(.notReady(sense, polls: polls), context: [command.description])
                }
                polls += 1
                await configuration.sleep(configuration.readyPollInterval)
            case .resetOccurred?, .mediumMayHaveChanged?, .unitAttention?:
                attentions += 1
                guard attentions <= configuration.unitAttentionRetries else {
                    throw MassStorageError(.unitAttentionPersisted(sense!, attempts: attentions), context: [command.description])
                }
            case .mediumNotPresent?:
                throw MassStorageError(.mediumNotPresent(sense!), context: [command.description])
            default:
                throw MassStorageError(.commandFailed(sense), context: [command.description])
            }
        }
    }

    /// MODE SENSE(6)'s WP bit, or nil when the unit does not answer it (a CHECK CONDITION, a
    /// failure reset recovery repaired, a short header). A lost device still ends the open.
    static func writeProtection(_ transport: BulkOnlyTransport,
                                run: (SCSICommand) async throws(MassStorageError) -> [UInt8]) async throws(MassStorageError) -> Bool? {
        do throws(MassStorageError) {
            // 192 bytes, as the Linux sd driver first asks: some units fail smaller requests.
            let bytes = try await run(.modeSense6(allocationLength: 192))
            return try? ModeParameterHeader6(parsing: bytes).writeProtected
        } catch {
            // A link failure with no recovery is a device gone or a link closed; a failed
            // reset recovery leaves nothing more to send. Either ends the open.
            if case .resetFailed = error.recovery { throw error }
            if case .link = error.reason, error.recovery == .none { throw error }
            return nil
        }
    }
}

extension SCSIDisk {
    /// `parse()`, with a reply the parser refuses thrown as a `MassStorageError` naming the command.
    static func parsed<T>(_ command: SCSICommand, _ parse: () throws(SCSIReplyError) -> T) throws(MassStorageError) -> T {
        do throws(SCSIReplyError) {
            return try parse()
        } catch {
            throw MassStorageError(.malformedReply(error), context: [command.description])
        }
    }
}
