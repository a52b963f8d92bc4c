import MassStorageProtocol

/// A read-only SCSI direct-access logical unit backed by an image file: what a mass-storage
/// recorder's firmware answers behind Bulk-Only Transport.
///
/// It answers TEST UNIT READY, REQUEST SENSE (fixed format), INQUIRY (standard data, removable),
/// MODE SENSE(6) (header only, with the write-protect bit), READ CAPACITY(10) and (16),
/// READ(10) and (16). Any other operation code ends in CHECK CONDITION, ILLEGAL REQUEST,
/// INVALID COMMAND OPERATION CODE (05/20/00) and has no other effect: there is no write path.
///
/// Guarantees: a READ is served only inside the medium (else 05/21/00) and only from the image
/// through `MediumImage`; the data of a READ is not read until the transport sends it.
public struct SCSITarget: Sendable {
    /// What the unit says about itself.
    public struct Configuration: Sendable, Hashable {
        public var vendor: String
        public var product: String
        public var revision: String
        public var writeProtected: Bool
        public var blockSize: Int

        public init(vendor: String, product: String, revision: String, writeProtected: Bool, blockSize: Int) {
            self.vendor = vendor
            self.product = product
            self.revision = revision
            self.writeProtected = writeProtected
            self.blockSize = blockSize
        }
    }

    /// How a command ended, and the data the device intends to send (BOT's "Di").
    public struct Response: Sendable {
        public enum Status: Sendable, Hashable {
            case good
            case checkCondition(Sense)
        }

        public var status: Status
        public var data: DataPhase
    }

    /// The data-IN a command intends to send.
    public enum DataPhase: Sendable {
        case none
        case bytes([UInt8])
        /// `length` bytes of `medium` from `offset`, read as the transport sends them.
        case medium(MediumImage, offset: UInt64, length: UInt64)

        public var length: UInt64 {
            switch self {
            case .none: 0
            case .bytes(let b): UInt64(b.count)
            case .medium(_, _, let length): length
            }
        }
    }

    public let configuration: Configuration
    /// The medium READ serves now (another one after a `volumeChanged` fault fires).
    public private(set) var medium: MediumImage
    /// The sense REQUEST SENSE will report: that of the last command, until it is read.
    public private(set) var pendingSense: Sense?
    /// READ commands executed.
    public private(set) var reads = 0
    /// Bytes READ commands have been answered with (before any transport fault).
    public private(set) var readBytes: UInt64 = 0

    private var notReadyRemaining: Int?  // nil: ready; Int.max: never ready
    private var mediumErrors: [(first: UInt64, count: UInt64)]
    private var pendingChange: (trigger: VolumeChangeTrigger, medium: MediumImage)?

    /// A unit serving `medium`, with the SCSI-level faults of `faults` (the transport's own
    /// faults are the `BulkOnlyDevice`'s). `changedMedium` is what a `volumeChanged` fault
    /// switches to.
    public init(configuration: Configuration, medium: MediumImage, faults: [MassStorageFault] = [],
                changedMedium: MediumImage? = nil) {
        self.configuration = configuration
        self.medium = medium
        mediumErrors = []
        for fault in faults {
            switch fault {
            case .notReady(let n): notReadyRemaining = n ?? Int.max
            case .mediumError(let first, let count): mediumErrors.append((first, count))
            case .volumeChanged(let trigger, _):
                if let changedMedium { pendingChange = (trigger, changedMedium) }
            default: break
            }
        }
    }

    /// Blocks on the medium now.
    public var blockCount: UInt64 { medium.byteCount / UInt64(configuration.blockSize) }

    /// Executes one command block. Never throws: every failure is a CHECK CONDITION with its
    /// sense, as a device reports it.
    public mutating func execute(_ cdb: [UInt8]) -> Response {
        guard let opcode = cdb.first else { return fail(.invalidOpcode) }
        if opcode != SCSICommand.Opcode.requestSense.rawValue { pendingSense = nil }
        guard let known = SCSICommand.Opcode(rawValue: opcode) else { return fail(.invalidOpcode) }
        guard cdb.count >= Self.commandLength(known) else { return fail(.invalidField) }
        switch known {
        case .testUnitReady:
            if let n = notReadyRemaining {
                notReadyRemaining = n == Int.max ? n : (n <= 1 ? nil : n - 1)
                return fail(.becomingReady)
            }
            return good(.none)
        case .requestSense:
            guard cdb[1] & 0x01 == 0 else { return fail(.invalidField) } // descriptor format not offered
            let sense = pendingSense ?? (notReadyRemaining != nil ? .becomingReady : .noSense)
            pendingSense = nil
            return good(.bytes(Array(sense.fixedFormat.prefix(Int(cdb[4])))))
        case .inquiry:
            guard cdb[1] & 0x01 == 0, cdb[2] == 0 else { return fail(.invalidField) } // no VPD pages
            let allocation = Int(cdb[3]) << 8 | Int(cdb[4])
            return good(.bytes(Array(inquiryData.prefix(allocation))))
        case .modeSense6:
            if notReadyRemaining != nil { return fail(.becomingReady) }
            let page = cdb[2] & 0x3F
            guard page == 0x3F || page == 0x00 else { return fail(.invalidField) }
            // Header only: mode data length 3, medium type 0, WP in bit 7, no block descriptors.
            let header: [UInt8] = [3, 0, configuration.writeProtected ? 0x80 : 0x00, 0]
            return good(.bytes(Array(header.prefix(Int(cdb[4])))))
        case .readCapacity10:
            if notReadyRemaining != nil { return fail(.becomingReady) }
            let last = blockCount - 1
            // SBC: a last LBA that does not fit 32 bits is reported as FFFFFFFFh, and the host
            // asks READ CAPACITY(16).
            let reported = last > 0xFFFF_FFFE ? UInt32.max : UInt32(last)
            return good(.bytes(bigEndianBytes(UInt64(reported), 4) + bigEndianBytes(UInt64(configuration.blockSize), 4)))
        case .serviceActionIn16:
            guard cdb[1] & 0x1F == 0x10 else { return fail(.invalidField) } // only READ CAPACITY(16)
            if notReadyRemaining != nil { return fail(.becomingReady) }
            let allocation = Int(bigEndianValue(cdb[10..<14]))
            var data = bigEndianBytes(blockCount - 1, 8) + bigEndianBytes(UInt64(configuration.blockSize), 4)
            data += [UInt8](repeating: 0, count: 20)
            return good(.bytes(Array(data.prefix(allocation))))
        case .read10:
            return read(lba: bigEndianValue(cdb[2..<6]), blocks: bigEndianValue(cdb[7..<9]))
        case .read16:
            return read(lba: bigEndianValue(cdb[2..<10]), blocks: bigEndianValue(cdb[10..<14]))
        }
    }

    private mutating func read(lba: UInt64, blocks: UInt64) -> Response {
        reads += 1
        if notReadyRemaining != nil { return fail(.becomingReady) }
        if let change = pendingChange {
            let due: Bool
            switch change.trigger {
            case .reads(let n): due = reads > n
            case .bytes(let n): due = readBytes >= n
            }
            if due {
                medium = change.medium
                pendingChange = nil
            }
        }
        let (end, overflow) = lba.addingReportingOverflow(blocks)
        guard !overflow, end <= blockCount else { return fail(.blockOutOfRange) }
        let size = UInt64(configuration.blockSize)
        // The first unreadable block of the range, if any: the blocks before it are sent.
        let bad = mediumErrors.compactMap { e -> UInt64? in
            let lo = max(e.first, lba), hi = min(e.first &+ e.count, end)
            return lo < hi ? lo : nil
        }.min()
        let goodBlocks = (bad ?? end) - lba
        readBytes += goodBlocks * size
        let data: DataPhase = goodBlocks == 0 ? .none : .medium(medium, offset: lba * size, length: goodBlocks * size)
        if let bad {
            pendingSense = .unrecoveredReadError(at: bad)
            return Response(status: .checkCondition(.unrecoveredReadError(at: bad)), data: data)
        }
        return good(data)
    }

    /// Standard INQUIRY data, 36 bytes: direct-access block device, removable, SPC-2, response
    /// data format 2, then the space-padded identification strings.
    private var inquiryData: [UInt8] {
        func field(_ s: String, _ n: Int) -> [UInt8] {
            let bytes = Array(s.utf8.prefix(n))
            return bytes + [UInt8](repeating: 0x20, count: n - bytes.count)
        }
        return [0x00, 0x80, 0x04, 0x02, 31, 0, 0, 0]
            + field(configuration.vendor, 8) + field(configuration.product, 16) + field(configuration.revision, 4)
    }

    /// The transport abandoned the command's data (a halted data phase): REQUEST SENSE reports
    /// ABORTED COMMAND, which a host may retry.
    public mutating func abort() {
        pendingSense = .abortedCommand
    }

    private static func commandLength(_ opcode: SCSICommand.Opcode) -> Int {
        switch opcode {
        case .testUnitReady, .requestSense, .inquiry, .modeSense6: 6
        case .readCapacity10, .read10: 10
        case .read16, .serviceActionIn16: 16
        }
    }

    private func good(_ data: DataPhase) -> Response { Response(status: .good, data: data) }

    private mutating func fail(_ sense: Sense) -> Response {
        pendingSense = sense
        return Response(status: .checkCondition(sense), data: .none)
    }
}

private func bigEndianValue(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    bytes.reduce(0) { $0 << 8 | UInt64($1) }
}

private func bigEndianBytes(_ value: UInt64, _ count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64(count - 1 - $0))) }
}
