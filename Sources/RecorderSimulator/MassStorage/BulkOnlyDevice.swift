import MassStorageProtocol
import RecorderHAL

/// The device end of USB Mass Storage Bulk-Only Transport 1.0 in front of a `SCSITarget`:
/// CBW checks (§6.2), the data phase in each of the thirteen host/device cases (§6.7), the CSW,
/// endpoint halts, the class requests (Bulk-Only Mass Storage Reset, GET MAX LUN), and the
/// transport's faults.
///
/// Driven one transfer at a time by the simulator's host end (`SimulatedTransferLink`), as a
/// BOT host does. Endpoints: bulk OUT 0x02, bulk IN 0x81, one LUN (0).
///
/// Guarantees: a CBW that is not valid or not meaningful halts both bulk pipes, and they stay
/// halted (a CLEAR_FEATURE does not help) until a Bulk-Only Mass Storage Reset; data the host
/// sends in a data-OUT phase is never accepted (the OUT pipe halts), so nothing reaches the
/// medium; every valid CBW is logged before it has any effect.
public actor BulkOnlyDevice {
    public static let bulkOutEndpoint: UInt8 = 0x02
    public static let bulkInEndpoint: UInt8 = 0x81
    /// The interface the device's mass-storage function is on (wIndex of its class requests).
    public nonisolated let interfaceNumber: UInt8 = 0

    public nonisolated let log: CommandLog
    public private(set) var target: SCSITarget

    /// Where the device is in BOT's command/data/status cycle.
    private enum Phase {
        case command
        case dataIn(DataIn)
        case status(CommandStatusWrapper)
    }

    private struct DataIn {
        var data: SCSITarget.DataPhase
        /// Bytes the device will send: min(Di, Hi).
        var available: UInt64
        var sent: UInt64 = 0
        /// The CBW's dCBWDataTransferLength.
        var hostExpects: UInt64
        /// Halt the IN pipe instead of sending any data (case 4, or a `stallData` fault).
        var stallInstead: Bool
        /// Halt the IN pipe once the data is sent, the host expecting more (case 5, with
        /// `ShortDataPhase.stall`).
        var stallAfter: Bool = false
        var csw: CommandStatusWrapper
    }

    private var phase = Phase.command
    private var inHalted = false
    private var outHalted = false
    /// Set by an invalid CBW: both pipes stay halted until a Bulk-Only Mass Storage Reset.
    private var awaitingReset = false
    private var gone = false
    private var commands = 0
    private var reads = 0
    private var dataBytesSent: UInt64 = 0
    /// The CSW of this command is preceded by one IN halt (a `stallStatus` fault).
    private var stallBeforeStatus = false
    private let faults: [MassStorageFault]
    private let shortDataPhase: ShortDataPhase

    public init(target: SCSITarget, faults: [MassStorageFault], shortDataPhase: ShortDataPhase = .shortPacket,
                log: CommandLog = CommandLog()) {
        self.target = target
        self.faults = faults
        self.shortDataPhase = shortDataPhase
        self.log = log
    }

    /// Data phases that ended in a halt after short data (`ShortDataPhase.stall`).
    public private(set) var haltsAfterShortData = 0

    /// Whether the device has been unplugged.
    public var isGone: Bool { gone }
    /// Whether a halt is set on the pipe of `direction`.
    public func isHalted(_ direction: LinkError.Direction) -> Bool {
        direction == .bulkIn ? inHalted : direction == .bulkOut ? outHalted : false
    }

    /// The device is pulled out: every later transfer fails with `.deviceGone`.
    public func unplug() { gone = true }

    // MARK: Bulk OUT

    /// One bulk OUT transfer from the host.
    public func receive(_ bytes: [UInt8]) throws(LinkError) {
        if gone { throw .deviceGone }
        if outHalted { throw .stalled(endpoint: Self.bulkOutEndpoint) }
        guard case .command = phase else {
            // Mid-command the device expects no OUT data (it never takes a data-OUT phase, see
            // below): it NAKs until the host gives up.
            throw .timedOut(direction: .bulkOut, milliseconds: 0)
        }
        let cbw: CommandBlockWrapper
        do {
            cbw = try CommandBlockWrapper(parsing: bytes)
            guard bytes[12] & 0x7F == 0 else { throw WrapperError.notMeaningful("reserved bmCBWFlags bits 0x\(String(bytes[12] & 0x7F, radix: 16))") }
            guard cbw.lun == 0 else { throw WrapperError.notMeaningful("LUN \(cbw.lun); the device has only LUN 0") }
        } catch {
            // §6.6.1: not valid (or not meaningful, which this device treats alike): halt both
            // pipes until reset recovery.
            log.appendRejected(bytes)
            awaitingReset = true
            inHalted = true
            outHalted = true
            return
        }
        commands += 1
        _ = log.append(commandBlock: cbw.commandBlock, tag: cbw.tag, dataTransferLength: cbw.dataTransferLength, dataIn: cbw.dataIn)
        if faults.contains(.disconnectAtCommand(commands)) {
            gone = true
            throw .deviceGone
        }
        let isRead = cbw.commandBlock.first == SCSICommand.Opcode.read10.rawValue
            || cbw.commandBlock.first == SCSICommand.Opcode.read16.rawValue
        if isRead { reads += 1 }
        let response = target.execute(cbw.commandBlock)
        start(cbw, response, isRead: isRead)
    }

    /// Sets up the data and status phases of `cbw` from the target's `response`, in the case
    /// (§6.7) the host's expectation and the device's intent make.
    private func start(_ cbw: CommandBlockWrapper, _ response: SCSITarget.Response, isRead: Bool) {
        let hostLength = UInt64(cbw.dataTransferLength)
        let deviceLength = response.data.length
        var status: CommandStatusWrapper.Status = response.status == .good ? .passed : .failed
        var residue = UInt32(cbw.dataTransferLength)
        var dataIn: DataIn?
        switch (hostLength == 0, cbw.dataIn) {
        case (true, _):
            // Case 1 (Hn = Dn), or case 2 (Hn < Di): the device cannot send, phase error.
            if deviceLength > 0 { status = .phaseError }
        case (false, true):
            // Cases 4 (Hi > Dn), 5 (Hi > Di), 6 (Hi = Di): send what there is; with nothing to
            // send, halt IN (§6.7.4). Case 7 (Hi < Di): send Hi bytes, then phase error.
            let available = min(deviceLength, hostLength)
            if deviceLength > hostLength { status = .phaseError }
            residue = UInt32(hostLength - available)
            var stall = available == 0
            if isRead, faults.contains(.stallData(read: reads)) {
                stall = true
                status = .failed
                residue = UInt32(hostLength)
                target.abort()
            }
            dataIn = DataIn(data: response.data, available: stall ? 0 : available, hostExpects: hostLength, stallInstead: stall,
                            stallAfter: !stall && available < hostLength && shortDataPhase == .stall,
                            csw: CommandStatusWrapper(tag: cbw.tag, dataResidue: residue, status: status))
        case (false, false):
            // Cases 9 (Ho > Dn), 10 (Ho <> Di), 11-13 (Ho vs Do): this device never takes OUT
            // data; it halts the OUT pipe so nothing of it arrives (§6.7.9, §6.7.10).
            outHalted = true
            if deviceLength > 0 { status = .phaseError }
        }
        var csw = dataIn?.csw ?? CommandStatusWrapper(tag: cbw.tag, dataResidue: residue, status: status)
        for fault in faults {
            switch fault {
            case .wrongTag(commands): csw.tag = ~cbw.tag
            case .wrongResidue(commands, let r): csw.dataResidue = r ?? cbw.dataTransferLength &+ 1
            case .phaseError(commands): csw.status = .phaseError
            case .stallStatus(commands): stallBeforeStatus = true
            default: break
            }
        }
        if var d = dataIn {
            d.csw = csw
            phase = .dataIn(d)
        } else {
            phase = .status(csw)
        }
    }

    // MARK: Bulk IN

    /// One bulk IN transfer of at most `length` bytes for the host.
    public func send(upTo length: Int) throws(LinkError) -> [UInt8] {
        if gone { throw .deviceGone }
        if inHalted { throw .stalled(endpoint: Self.bulkInEndpoint) }
        switch phase {
        case .command:
            // Nothing to send: the device NAKs until the host gives up.
            throw .timedOut(direction: .bulkIn, milliseconds: 0)
        case .dataIn(var d):
            if d.stallInstead {
                inHalted = true
                phase = .status(d.csw)
                throw .stalled(endpoint: Self.bulkInEndpoint)
            }
            let left = d.available - d.sent
            if left == 0 {
                phase = .status(d.csw)
                if d.stallAfter {
                    // Everything is sent and the host still asks: the phase ends with a halt.
                    inHalted = true
                    haltsAfterShortData += 1
                    throw .stalled(endpoint: Self.bulkInEndpoint)
                }
                // The data phase ends with a zero-length packet (it filled its last transfer
                // exactly, short of what the host expected).
                return []
            }
            let n = Int(min(UInt64(length), left))
            if let cut = disconnectLine, dataBytesSent + UInt64(n) > cut {
                gone = true
                throw .deviceGone
            }
            let bytes: [UInt8]
            switch d.data {
            case .none: bytes = []
            case .bytes(let b): bytes = Array(b[Int(d.sent)..<(Int(d.sent) + n)])
            case .medium(let medium, let offset, _):
                do {
                    bytes = try medium.read(at: offset + d.sent, count: n)
                } catch {
                    throw .io("simulated device: \(error)")
                }
            }
            d.sent += UInt64(n)
            dataBytesSent += UInt64(n)
            // A transfer shorter than asked ends the phase (short packet), and so does the last
            // byte the host expects; a full transfer that leaves the device with nothing more
            // but the host expecting more is followed by a zero-length packet. A device that
            // halts after short data stays in the phase: the host's next IN, whether it still
            // reads data or already the CSW, finds the halt.
            if d.stallAfter, d.sent == d.available {
                phase = .dataIn(d)
            } else {
                phase = n < length || d.sent == d.hostExpects ? .status(d.csw) : .dataIn(d)
            }
            return bytes
        case .status(let csw):
            if stallBeforeStatus {
                stallBeforeStatus = false
                inHalted = true
                throw .stalled(endpoint: Self.bulkInEndpoint)
            }
            guard length >= CommandStatusWrapper.size else {
                throw .io("simulated device: babble, a \(CommandStatusWrapper.size)-byte CSW for a \(length)-byte transfer")
            }
            phase = .command
            return csw.bytes
        }
    }

    private var disconnectLine: UInt64? {
        faults.compactMap { if case .disconnectAfterBytes(let n) = $0 { n } else { nil } }.min()
    }

    // MARK: Control pipe and halts

    /// A control transfer on the default pipe: the BOT class requests and CLEAR_FEATURE.
    public func control(requestType: UInt8, request: UInt8, value: UInt16, index: UInt16,
                        length: Int) throws(LinkError) -> [UInt8] {
        if gone { throw .deviceGone }
        log.appendControl(requestType: requestType, request: request, value: value, index: index, length: length)
        switch (requestType, request) {
        case (0x21, 0xFF) where value == 0 && index == UInt16(interfaceNumber) && length == 0:
            // Bulk-Only Mass Storage Reset (§3.1): ready for the next CBW; halts stay set for
            // the host to clear (§5.3.4).
            awaitingReset = false
            stallBeforeStatus = false
            phase = .command
            return []
        case (0xA1, 0xFE) where value == 0 && index == UInt16(interfaceNumber) && length >= 1:
            return [0] // GET MAX LUN (§3.2): one LUN
        case (0x02, 0x01) where value == 0 && (index == UInt16(Self.bulkInEndpoint) || index == UInt16(Self.bulkOutEndpoint)):
            clear(index == UInt16(Self.bulkInEndpoint) ? .bulkIn : .bulkOut)
            return []
        default:
            throw .stalled(endpoint: 0)
        }
    }

    /// CLEAR_FEATURE(ENDPOINT_HALT) for the bulk pipe of `direction`.
    public func clearHalt(_ direction: LinkError.Direction) throws(LinkError) {
        if gone { throw .deviceGone }
        log.appendControl(requestType: 0x02, request: 0x01, value: 0,
                          index: UInt16(direction == .bulkIn ? Self.bulkInEndpoint : Self.bulkOutEndpoint), length: 0)
        clear(direction)
    }

    private func clear(_ direction: LinkError.Direction) {
        // §6.6.1: after an invalid CBW the halts come back until the reset.
        guard !awaitingReset else { return }
        if direction == .bulkIn { inHalted = false }
        if direction == .bulkOut { outHalted = false }
    }
}
