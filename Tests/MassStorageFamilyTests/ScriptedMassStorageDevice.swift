import MassStorageProtocol
import RecorderHAL

/// A USB mass-storage device behind a `USBTransferLink`, for tests: it parses each command
/// wrapper it is sent, answers as a SCSI disk of computed content would (with the faults a test
/// scripts for chosen commands), and logs everything the host did on every pipe.
///
/// It never waits: a bulk IN with nothing to deliver throws `.timedOut` at once, so a test of a
/// timeout takes no time.
actor ScriptedMassStorageDevice: USBTransferLink {
    nonisolated let description = "scripted mass-storage device"
    nonisolated let interfaceNumber: UInt8 = 3

    /// What the host did, in order.
    enum Event: Hashable, Sendable {
        case command(tag: UInt32, cdb: [UInt8])
        case bulkOutRefused
        case bulkIn(asked: Int, got: Int)
        case stalledIn
        case control(requestType: UInt8, request: UInt8, value: UInt16, index: UInt16)
        case clearHalt(LinkError.Direction)
    }

    /// What the device does wrong with the next command of an opcode.
    enum Fault: Hashable, Sendable {
        case wrongTag
        case phaseError
        case residueTooLarge
        case badSignature
        /// STALL the data phase at once; the status says failed with all bytes residue.
        case stallData
        /// STALL bulk IN where the status is read, `times` times in a row, then send it.
        case stallStatus(times: Int)
        /// The status in place of the data phase (status failed, residue all).
        case skipDataPhase
        /// Send only the first `bytes` of the data, status passed, residue saying so.
        case shortData(bytes: Int)
        /// Send only the first `bytes` of the data but claim residue 0.
        case understatedResidue(bytes: Int)
        /// Send all the data but claim `residue` bytes of it were padding.
        case paddedWithResidue(UInt32)
        /// Send no status at all.
        case noStatus
        /// Refuse the wrapper: STALL bulk OUT (and IN), as BOT §6.6.1 has an invalid CBW met.
        case refuseCommand
    }

    enum MaxLUNReply: Sendable { case stall, value(UInt8), nothing }

    // Personality
    var blockLength: UInt32 = 512
    var blockCount: UInt64 = 65_536
    var reportHugeInReadCapacity10 = false
    var writeProtected = false
    var maxLUNReply = MaxLUNReply.value(0)
    var peripheralType: UInt8 = 0x00
    var notReadyPolls = 0
    var neverReady = false
    var mediumAbsent = false
    var unitAttentions: [(asc: UInt8, ascq: UInt8)] = []
    var badBlocks: Range<UInt64>?
    /// Blocks the unit reads only after retrying them itself: all their data, then CHECK
    /// CONDITION with RECOVERED ERROR (01/17/01).
    var recoveredBlocks: Range<UInt64>?
    var descriptorSense = false
    var resetFails = false
    var modeSenseRefused = false
    private var faults: [(opcode: UInt8, fault: Fault)] = []

    // State
    private(set) var events: [Event] = []
    private var pendingIn: [Item] = []
    private var inHalted = false
    private var outHalted = false
    private var sense: SenseData?

    private enum Item {
        case data([UInt8])
        case stall
        case status([UInt8])
    }

    init() {}

    func configure(_ body: @Sendable (isolated ScriptedMassStorageDevice) -> Void) { body(self) }

    /// Scripts `fault` for the next command with `opcode`.
    func inject(_ fault: Fault, on opcode: SCSICommand.Opcode) { faults.append((opcode.rawValue, fault)) }

    /// Every command block the device received.
    var commandBlocks: [[UInt8]] {
        events.compactMap { if case .command(_, let cdb) = $0 { cdb } else { nil } }
    }

    /// The byte at `offset` of the medium: computed, so any size is cheap.
    static func byte(at offset: UInt64) -> UInt8 {
        UInt8(truncatingIfNeeded: (offset &* 0x9E37_79B9) >> 11 ^ offset >> 9)
    }

    static func content(block: UInt64, count: Int, blockLength: Int) -> [UInt8] {
        let start = block * UInt64(blockLength)
        return (0..<UInt64(count * blockLength)).map { byte(at: start + $0) }
    }

    // MARK: USBTransferLink

    func bulkOut(_ bytes: [UInt8], timeout: Duration) async throws(LinkError) {
        if outHalted {
            events.append(.bulkOutRefused)
            throw .stalled(endpoint: 0x02)
        }
        guard let cbw = try? CommandBlockWrapper(parsing: bytes) else {
            events.append(.bulkOutRefused)
            inHalted = true
            outHalted = true
            throw .stalled(endpoint: 0x02)
        }
        events.append(.command(tag: cbw.tag, cdb: cbw.commandBlock))
        let index = faults.firstIndex { $0.opcode == cbw.commandBlock[0] }
        let fault = index.map { faults.remove(at: $0).fault }
        if fault == .refuseCommand {
            inHalted = true
            outHalted = true
            throw .stalled(endpoint: 0x02)
        }
        respond(to: cbw, fault: fault)
    }

    func bulkIn(length: Int, timeout: Duration) async throws(LinkError) -> [UInt8] {
        if inHalted {
            events.append(.stalledIn)
            throw .stalled(endpoint: 0x81)
        }
        guard !pendingIn.isEmpty else {
            events.append(.bulkIn(asked: length, got: -1))
            throw .timedOut(direction: .bulkIn, milliseconds: 0)
        }
        switch pendingIn.removeFirst() {
        case .stall:
            inHalted = true
            events.append(.stalledIn)
            throw .stalled(endpoint: 0x81)
        case .data(let bytes), .status(let bytes):
            if bytes.count > length {
                pendingIn.insert(.data(Array(bytes[length...])), at: 0)
            }
            let out = Array(bytes.prefix(length))
            events.append(.bulkIn(asked: length, got: out.count))
            return out
        }
    }

    func control(requestType: UInt8, request: UInt8, value: UInt16, index: UInt16,
                 data: [UInt8], length: Int, timeout: Duration) async throws(LinkError) -> [UInt8] {
        events.append(.control(requestType: requestType, request: request, value: value, index: index))
        switch (requestType, request) {
        case (0xA1, 0xFE):
            switch maxLUNReply {
            case .stall: throw .stalled(endpoint: 0)
            case .value(let n): return [n]
            case .nothing: return []
            }
        case (0x21, 0xFF):
            if resetFails { throw .stalled(endpoint: 0) }
            // A reset forgets the command under way; the halts stay for the host to clear.
            pendingIn = []
            return []
        default:
            throw .stalled(endpoint: 0)
        }
    }

    func clearHalt(_ direction: LinkError.Direction, timeout: Duration) async throws(LinkError) {
        events.append(.clearHalt(direction))
        switch direction {
        case .bulkIn: inHalted = false
        case .bulkOut: outHalted = false
        case .control: break
        }
    }

    func close() async {}

    // MARK: The disk

    private func respond(to cbw: CommandBlockWrapper, fault: Fault?) {
        let expected = Int(cbw.dataTransferLength)
        var (data, passed, stallAfterData) = execute(cbw.commandBlock)
        if fault == .stallData {
            data = []
            passed = false
            stallAfterData = true
        }
        switch fault {
        case .shortData(let n), .understatedResidue(let n): data = Array(data.prefix(n))
        default: break
        }
        data = Array(data.prefix(expected))
        var residue = UInt32(expected - data.count)
        if case .understatedResidue = fault { residue = 0 }
        if case .paddedWithResidue(let claimed) = fault { residue = claimed }
        var status: CommandStatusWrapper.Status = passed ? .passed : .failed
        var tag = cbw.tag
        switch fault {
        case .wrongTag: tag &+= 1
        case .phaseError: status = .phaseError
        case .residueTooLarge: residue = cbw.dataTransferLength + 1
        default: break
        }
        var statusBytes = CommandStatusWrapper(tag: tag, dataResidue: residue, status: status).bytes
        if fault == .badSignature { statusBytes[3] = 0x44 }

        if fault == .skipDataPhase {
            let skipped = CommandStatusWrapper(tag: cbw.tag, dataResidue: cbw.dataTransferLength, status: .failed)
            sense = SenseData(senseKey: .illegalRequest, asc: 0x24, ascq: 0)
            pendingIn = [.status(skipped.bytes)]
            return
        }
        var items: [Item] = []
        if expected > 0 {
            if !data.isEmpty { items.append(.data(data)) }
            if stallAfterData || (data.isEmpty && data.count < expected) {
                items.append(.stall)
            } else if data.count < expected && data.count % 512 == 0 {
                // A short reply ending on a packet boundary ends with a zero-length packet.
                items.append(.data([]))
            }
        }
        if case .stallStatus(let times) = fault { items += [Item](repeating: .stall, count: times) }
        if fault != .noStatus { items.append(.status(statusBytes)) }
        pendingIn = items
    }

    /// The reply of a SCSI disk to `cdb`: data, passed, and whether the data phase ends in a STALL.
    private func execute(_ cdb: [UInt8]) -> ([UInt8], Bool, Bool) {
        let op = cdb[0]
        func fail(_ key: SenseKey, _ asc: UInt8, _ ascq: UInt8, information: UInt64? = nil) -> ([UInt8], Bool, Bool) {
            sense = SenseData(senseKey: key, asc: asc, ascq: ascq, information: information)
            return ([], false, false)
        }
        // UNIT ATTENTION is reported to any command but INQUIRY and REQUEST SENSE (SAM-5).
        if op != 0x12, op != 0x03, !unitAttentions.isEmpty {
            let ua = unitAttentions.removeFirst()
            return fail(.unitAttention, ua.asc, ua.ascq)
        }
        switch op {
        case 0x00:
            if mediumAbsent { return fail(.notReady, 0x3A, 0x00) }
            if neverReady || notReadyPolls > 0 {
                notReadyPolls -= 1
                return fail(.notReady, 0x04, 0x01)
            }
            return ([], true, false)
        case 0x03:
            let reply = senseBytes(sense ?? SenseData(senseKey: .noSense, asc: 0, ascq: 0))
            sense = nil
            return (reply, true, false)
        case 0x12:
            var reply: [UInt8] = [peripheralType, 0x80, 0x06, 0x02, 31, 0, 0, 0]
            reply += Array("ZFY     ".utf8) + Array("Recorder Disk   ".utf8) + Array("2.10".utf8)
            return (reply, true, false)
        case 0x1A:
            if modeSenseRefused { return fail(.illegalRequest, 0x24, 0x00) }
            return ([3, 0, writeProtected ? 0x80 : 0, 0], true, false)
        case 0x25:
            let last = reportHugeInReadCapacity10 || blockCount > 0x1_0000_0000 ? 0xFFFF_FFFF : UInt32(blockCount - 1)
            return (bigEndian32(last) + bigEndian32(blockLength), true, false)
        case 0x9E:
            let last = blockCount - 1
            let reply = bigEndian32(UInt32(last >> 32)) + bigEndian32(UInt32(truncatingIfNeeded: last)) + bigEndian32(blockLength)
            return (reply + [UInt8](repeating: 0, count: 20), true, false)
        case 0x28, 0x88:
            let lba: UInt64, count: UInt64
            if op == 0x28 {
                lba = UInt64(UInt32(cdb[2]) << 24 | UInt32(cdb[3]) << 16 | UInt32(cdb[4]) << 8 | UInt32(cdb[5]))
                count = UInt64(cdb[7]) << 8 | UInt64(cdb[8])
            } else {
                lba = cdb[2..<10].reduce(0) { $0 << 8 | UInt64($1) }
                count = cdb[10..<14].reduce(0) { $0 << 8 | UInt64($1) }
            }
            guard lba + count <= blockCount else { return fail(.illegalRequest, 0x21, 0x00) }
            if let bad = badBlocks, bad.overlaps(lba..<(lba + count)) {
                let first = max(bad.lowerBound, lba)
                let good = Self.content(block: lba, count: Int(first - lba), blockLength: Int(blockLength))
                sense = SenseData(senseKey: .mediumError, asc: 0x11, ascq: 0x00, information: first)
                return (good, false, true)
            }
            if let recovered = recoveredBlocks, recovered.overlaps(lba..<(lba + count)) {
                sense = SenseData(senseKey: .recoveredError, asc: 0x17, ascq: 0x01, information: max(recovered.lowerBound, lba))
                return (Self.content(block: lba, count: Int(count), blockLength: Int(blockLength)), false, false)
            }
            return (Self.content(block: lba, count: Int(count), blockLength: Int(blockLength)), true, false)
        default:
            return fail(.illegalRequest, 0x20, 0x00)
        }
    }

    private func senseBytes(_ sense: SenseData) -> [UInt8] {
        if descriptorSense {
            return [0x72, sense.senseKey.rawValue, sense.asc, sense.ascq, 0, 0, 0, 0]
        }
        var bytes: [UInt8] = [0x70, 0, sense.senseKey.rawValue, 0, 0, 0, 0, 10, 0, 0, 0, 0, sense.asc, sense.ascq, 0, 0, 0, 0]
        if let information = sense.information {
            bytes[0] |= 0x80
            bytes.replaceSubrange(3..<7, with: bigEndian32(UInt32(truncatingIfNeeded: information)))
        }
        return bytes
    }

    private func bigEndian32(_ v: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
    }
}
