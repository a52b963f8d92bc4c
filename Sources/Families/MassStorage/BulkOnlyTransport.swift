import MassStorageProtocol
import RecorderHAL

/// USB Mass Storage Class Bulk-Only Transport 1.0, the host's side, over one interface's pipes.
///
/// Guarantees: one command at a time (callers queue in order); a data-IN phase reads exactly
/// the command's dCBWDataTransferLength, in transfers of at most `maxPieceBytes`, stopping at a
/// short packet; every status wrapper is checked as §6.3 says (13 bytes, signature, the tag of
/// the command sent; status at most 2, residue at most the length); halts and broken statuses
/// are handled as §5.3 and §6.7 order it, and every failure that leaves the device's state
/// unknown is followed by reset recovery (§5.3.4) before the error is thrown. A failed reset
/// recovery makes the transport unusable: every later command fails without touching the device.
/// No command is retried here; `SCSIDisk` decides.
///
/// The CDB sent is always `SCSICommand.commandBlock`: the write blocker's allow-list.
public actor BulkOnlyTransport {
    public struct Configuration: Hashable, Sendable {
        public var timing = BulkOnlyTiming()
        /// Largest bulk IN transfer of a data phase, a multiple of 1024 (every packet size)
        /// so that only the phase's last transfer can end in a partial packet.
        public var maxPieceBytes = 1 << 20

        public init() {}
    }

    /// The pipes.
    public nonisolated let link: any USBTransferLink
    public nonisolated let configuration: Configuration
    private var nextTag: UInt32 = 1
    private var unusable: LinkError?
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    /// Reset recoveries done so far, for diagnosis.
    public private(set) var resetRecoveries = 0
    /// Commands sent so far (each took a tag), for diagnosis.
    public var commandsSent: Int { Int(nextTag &- 1) }

    public init(link: any USBTransferLink, configuration: Configuration = Configuration()) {
        self.link = link
        var configuration = configuration
        configuration.maxPieceBytes = max(1024, configuration.maxPieceBytes / 1024 * 1024)
        self.configuration = configuration
    }

    private var timing: BulkOnlyTiming { configuration.timing }

    // MARK: One command at a time

    /// Waits for the commands queued before this one; FIFO, since actor calls interleave at
    /// every suspension and BOT has one command in flight.
    private func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }

    // MARK: Class requests

    /// GET MAX LUN (BOT §3.2): the highest logical unit number. A device that stalls the
    /// request has LUN 0 only (§3.2 allows it); so has one that answers nothing or a value
    /// above 15, which is not meaningful, and one whose answer times out or fails (many devices
    /// mishandle the request; Linux's usb-storage takes LUN 0 then too). Only a device that is
    /// gone, or a closed link, ends the open.
    public func maxLUN() async throws(MassStorageError) -> UInt8 {
        await acquire()
        defer { release() }
        if let unusable { throw MassStorageError(.transportUnusable(unusable), context: ["GET MAX LUN"]) }
        do throws(LinkError) {
            let reply = try await link.control(requestType: 0xA1, request: 0xFE, value: 0, index: UInt16(link.interfaceNumber),
                                               data: [], length: 1, timeout: timing.control)
            guard let value = reply.first, value <= 15 else { return 0 }
            return value
        } catch {
            switch error {
            case .deviceGone, .closed: throw MassStorageError(.link(error), context: ["GET MAX LUN"])
            default: return 0
            }
        }
    }

    // MARK: Commands

    /// Runs `command` on `lun`: command wrapper, data-IN phase, status wrapper.
    ///
    /// - Returns: the outcome when the status was valid and meaningful and not a phase error.
    /// - Throws: `MassStorageError` with the command as context and the recovery done.
    public func execute(_ command: SCSICommand, lun: UInt8 = 0) async throws(MassStorageError) -> CommandOutcome {
        await acquire()
        defer { release() }
        do throws(MassStorageError) {
            return try await run(command, lun: lun)
        } catch {
            throw error.context(command.description)
        }
    }

    /// Runs `command` and, when its status says it failed, REQUEST SENSE right after it in the
    /// same turn, so no other caller's command can come between a failure and its sense (the
    /// sense data describes the last command the unit ran).
    ///
    /// - Returns: the command's outcome, and REQUEST SENSE's when the command failed.
    /// - Throws: as `execute`; a REQUEST SENSE that throws has "after COMMAND failed" as context.
    public func executeWithSense(_ command: SCSICommand, lun: UInt8 = 0,
                                 senseLength: UInt8 = 18) async throws(MassStorageError) -> (outcome: CommandOutcome, sense: CommandOutcome?) {
        await acquire()
        defer { release() }
        let outcome: CommandOutcome
        do throws(MassStorageError) {
            outcome = try await run(command, lun: lun)
        } catch {
            throw error.context(command.description)
        }
        if outcome.passed { return (outcome, nil) }
        let senseCommand = SCSICommand.requestSense(allocationLength: senseLength)
        do throws(MassStorageError) {
            return (outcome, try await run(senseCommand, lun: lun))
        } catch {
            throw error.context(senseCommand.description).context("after \(command.description) failed")
        }
    }

    private func run(_ command: SCSICommand, lun: UInt8) async throws(MassStorageError) -> CommandOutcome {
        if let unusable { throw MassStorageError(.transportUnusable(unusable)) }
        let tag = nextTag
        nextTag &+= 1
        let cbw = CommandBlockWrapper(tag: tag, lun: lun, command: command)

        // Command phase. A STALL here is the device refusing the wrapper (§6.6.1): reset recovery.
        do throws(LinkError) {
            try await link.bulkOut(cbw.bytes, timeout: timing.command)
        } catch {
            throw await failure(.link(error), recover: Self.recoverable(error))
        }

        // Data phase (Hi), or none (Hn).
        let expected = Int(cbw.dataTransferLength)
        var data: [UInt8] = []
        var stalled = false
        var statusInDataPhase: [UInt8]?
        while data.count < expected {
            let want = min(configuration.maxPieceBytes, expected - data.count)
            let piece: [UInt8]
            do throws(LinkError) {
                piece = try await link.bulkIn(length: want, timeout: timing.dataPiece)
            } catch .stalled {
                // §6.7.2 cases 4, 5, 7: the device ended the data phase with a STALL. Clear it
                // and read the status.
                stalled = true
                do throws(LinkError) {
                    try await link.clearHalt(.bulkIn, timeout: timing.clearHalt)
                } catch {
                    throw await failure(.link(error), recover: Self.recoverable(error))
                }
                break
            } catch {
                throw await failure(.link(error), recover: Self.recoverable(error))
            }
            // A piece can exceed what was asked only through a broken link: never keep more.
            // The usual data phase is one piece, kept as it came rather than copied.
            if data.isEmpty, piece.count <= want {
                data = piece
            } else {
                if data.capacity < expected { data.reserveCapacity(expected) }
                data += piece.prefix(want)
            }
            if piece.count < want {
                // A short packet ends the data phase (§6.7.2 case 5). A device that skipped
                // its data phase sends its status in its place: 13 bytes with the status
                // signature as the phase's only transfer (the Linux host driver accepts it the
                // same way). It is checked below like any status.
                if data.count == CommandStatusWrapper.size, piece.count == data.count,
                   data.prefix(4) == [0x55, 0x53, 0x42, 0x53] {
                    statusInDataPhase = data
                    data = []
                }
                break
            }
        }

        // Status phase.
        let statusBytes: [UInt8]
        if let statusInDataPhase {
            statusBytes = statusInDataPhase
        } else {
            statusBytes = try await readStatus()
        }
        let csw: CommandStatusWrapper
        do throws(WrapperError) {
            csw = try CommandStatusWrapper(parsing: statusBytes)
        } catch .notMeaningful(let what) {
            throw await failure(.statusNotMeaningful(what), recover: true)
        } catch {
            throw await failure(.invalidStatus("CSW not valid: \(error)"), recover: true)
        }
        guard csw.tag == tag else {
            throw await failure(.invalidStatus("CSW tag \(csw.tag) where \(tag) was sent"), recover: true)
        }
        guard csw.dataResidue <= cbw.dataTransferLength else {
            throw await failure(.statusNotMeaningful("residue \(csw.dataResidue) exceeds the \(cbw.dataTransferLength) bytes asked"),
                                recover: true)
        }
        if csw.status == .phaseError {
            throw await failure(.phaseError, recover: true)
        }
        // The device's count and ours may differ (a padded reply says so in its residue, a
        // broken one claims bytes that never came): only bytes both agree on are data.
        let received = data.count
        let valid = min(received, expected - Int(csw.dataResidue))
        if valid < data.count { data.removeSubrange(valid...) }
        return CommandOutcome(passed: csw.status == .passed, data: data, received: received,
                              residue: csw.dataResidue, dataPhaseStalled: stalled)
    }

    /// Reads the status wrapper (§5.3.3): a STALL is cleared and the status read once more
    /// (§6.7.2, Figure 2); a zero-length packet left over from a data phase that ended on a
    /// packet boundary is skipped once.
    private func readStatus() async throws(MassStorageError) -> [UInt8] {
        var stalls = 0
        var emptyPackets = 0
        while true {
            do throws(LinkError) {
                let bytes = try await link.bulkIn(length: CommandStatusWrapper.size, timeout: timing.status)
                if bytes.isEmpty, emptyPackets == 0 {
                    emptyPackets += 1
                    continue
                }
                return bytes
            } catch {
                guard case .stalled = error, stalls == 0 else {
                    // Any other failure, or a second STALL: clearing did not help.
                    throw await failure(.link(error), recover: Self.recoverable(error))
                }
                stalls += 1
                do throws(LinkError) {
                    try await link.clearHalt(.bulkIn, timeout: timing.clearHalt)
                } catch {
                    throw await failure(.link(error), recover: Self.recoverable(error))
                }
            }
        }
    }

    /// True when the device may still be there and in an unknown state: a reset brings it back.
    private static func recoverable(_ error: LinkError) -> Bool {
        switch error {
        case .deviceGone, .closed: false
        case .timedOut, .stalled, .io: true
        }
    }

    /// The error for `reason`, after reset recovery when `recover`.
    private func failure(_ reason: MassStorageError.Reason, recover: Bool) async -> MassStorageError {
        MassStorageError(reason, recovery: recover ? await resetRecovery() : .none)
    }

    /// Reset recovery (BOT §5.3.4): Bulk-Only Mass Storage Reset, then Clear Feature HALT on
    /// the bulk IN endpoint, then on the bulk OUT endpoint. On failure the transport is
    /// unusable from then on.
    private func resetRecovery() async -> MassStorageError.Recovery {
        resetRecoveries += 1
        do throws(LinkError) {
            // bmRequestType 0x21: class, interface, host to device; bRequest 0xFF; wValue 0;
            // wIndex the interface; no data.
            _ = try await link.control(requestType: 0x21, request: 0xFF, value: 0, index: UInt16(link.interfaceNumber),
                                       data: [], length: 0, timeout: timing.control)
            try await link.clearHalt(.bulkIn, timeout: timing.clearHalt)
            try await link.clearHalt(.bulkOut, timeout: timing.clearHalt)
            return .resetDone
        } catch {
            unusable = error
            return .resetFailed(error)
        }
    }
}
