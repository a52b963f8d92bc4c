import MassStorageProtocol
import RecorderHAL

/// The disk a captured vendor recorder came back as, played back over Bulk-Only Transport: each
/// command block wrapper is answered with the data and the status the capture holds for the
/// same command (CDB and data length), re-tagged; the same command again takes the next
/// recorded answer, the last one repeating.
///
/// A command the capture does not hold (a READ of blocks it never read, a capture cut short) is
/// answered CHECK CONDITION, without data (the data IN pipe stalls, BOT §6.7.2), and the
/// REQUEST SENSE that follows says MEDIUM ERROR, unrecovered read error, for a READ and
/// ILLEGAL REQUEST, invalid command operation code, for anything else: never made-up data.
/// Class requests are answered as recorded; one not recorded stalls.
actor StorageReplayDevice: SimulatedTransferDevice {
    nonisolated let interfaceNumber: UInt8 = 0
    nonisolated let endpointsDescription: String
    private var exchanges: [VendorCaptureScript.ExchangeKey: [[VendorCaptureScript.StorageStep]]]
    private var classReplies: [VendorCaptureScript.Setup: [[UInt8]]]
    /// What the host reads next, in order, for the command under way.
    private var pending: [VendorCaptureScript.StorageStep] = []
    /// The sense of the last command the capture did not hold, for the REQUEST SENSE after it.
    private var sense: Sense?

    init(script: VendorCaptureScript, source: String) {
        exchanges = script.exchanges
        classReplies = script.classReplies
        endpointsDescription = "replaying \(source) (storage)"
    }

    func receive(_ bytes: [UInt8]) throws(LinkError) {
        // Data OUT of a command (none from a read-only host): taken, as a disk would.
        guard let cbw = try? CommandBlockWrapper(parsing: bytes) else { return }
        let tag = cbw.tag, length = cbw.dataTransferLength, cdb = cbw.commandBlock
        let key = VendorCaptureScript.ExchangeKey(cdb: cdb, dataLength: length)
        if cdb.first == 0x03, let held = sense {
            // REQUEST SENSE after a command the capture did not hold: the sense of that failure.
            sense = nil
            let data = Array(held.fixedFormat.prefix(Int(length)))
            pending = [.dataIn(data), .status(Self.status(tag: tag, residue: length - UInt32(data.count), failed: false))]
            return
        }
        if var answers = exchanges[key], let first = answers.first {
            if answers.count > 1 { answers.removeFirst() }
            exchanges[key] = answers
            pending = first.map { step in
                if case .status(var csw) = step {
                    csw.replaceSubrange(4..<8, with: (0..<4).map { UInt8(truncatingIfNeeded: tag >> (8 * $0)) })
                    return .status(csw)
                }
                return step
            }
            return
        }
        sense = Self.readOpcodes.contains(cdb.first ?? 0) ? Sense.unrecoveredReadError(at: Self.block(cdb)) : Sense.invalidOpcode
        let dataIn = length > 0 && cbw.dataIn
        pending = (dataIn ? [.failedIn("stall")] : []) + [.status(Self.status(tag: tag, residue: length, failed: true))]
    }

    func send(upTo length: Int) throws(LinkError) -> [UInt8] {
        guard let step = pending.first else {
            // Nothing to send: the host NAKed (its timeout).
            throw .timedOut(direction: .bulkIn, milliseconds: 0)
        }
        switch step {
        case .dataIn(let bytes):
            // A data phase is served in whatever pieces the host asks for.
            if bytes.count > length {
                pending[0] = .dataIn(Array(bytes[length...]))
                return Array(bytes[..<length])
            }
            pending.removeFirst()
            return bytes
        case .failedIn(let status):
            pending.removeFirst()
            switch status {
            case "stall": throw .stalled(endpoint: 0x81)
            case "timeout": throw .timedOut(direction: .bulkIn, milliseconds: 0)
            case "gone": throw .deviceGone
            default: throw .io("replay: the capture's disk ended a transfer \(status)")
            }
        case .status(let csw):
            pending.removeFirst()
            return csw
        }
    }

    func control(requestType: UInt8, request: UInt8, value: UInt16, index: UInt16,
                 data: [UInt8], length: Int) throws(LinkError) -> [UInt8] {
        guard requestType & 0x80 != 0 else {
            // Bulk-Only Mass Storage Reset (21/FF): the command under way is dropped.
            if requestType == 0x21, request == 0xFF { pending = [] }
            return []
        }
        let setup = VendorCaptureScript.Setup(requestType: requestType, request: request, value: value, index: index)
        guard var replies = classReplies[setup], let reply = replies.first, reply.count <= length else { throw .stalled(endpoint: 0) }
        if replies.count > 1 { replies.removeFirst() }
        classReplies[setup] = replies
        return reply
    }

    /// CLEAR_FEATURE(ENDPOINT_HALT): the halt this replay set is part of `pending`'s order.
    func clearHalt(_ direction: LinkError.Direction) throws(LinkError) {}

    /// READ(6), READ(10), READ(12), READ(16).
    static let readOpcodes: Set<UInt8> = [0x08, 0x28, 0xA8, 0x88]

    /// The first block a READ names.
    static func block(_ cdb: [UInt8]) -> UInt64 {
        func be(_ range: Range<Int>) -> UInt64 {
            range.reduce(UInt64(0)) { $0 << 8 | UInt64($1 < cdb.count ? cdb[$1] : 0) }
        }
        switch cdb.first {
        case 0x08: return be(1..<4) & 0x1F_FFFF
        case 0x88: return be(2..<10)
        default: return be(2..<6)
        }
    }

    /// A command status wrapper (BOT §5.2) for the command tagged `tag`: passed or failed.
    static func status(tag: UInt32, residue: UInt32, failed: Bool) -> [UInt8] {
        CommandStatusWrapper(tag: tag, dataResidue: residue, status: failed ? .failed : .passed).bytes
    }
}
