/// The SCSI commands the gateway may send to a mass-storage recorder: the write blocker.
///
/// This is the allow-list. Every command block the host sends is built by `commandBlock` below
/// from one of these cases, and every case only reads: there is no case for WRITE, FORMAT UNIT,
/// SYNCHRONIZE CACHE, START STOP UNIT, PREVENT ALLOW MEDIUM REMOVAL, MODE SELECT or any vendor
/// opcode, so none can be sent. Every command here moves data from the device to the host or
/// none at all: the host never has a data-OUT phase. Adding a case is a change to the write
/// blocker and must be argued in Docs/mass-storage.md.
public enum SCSICommand: Hashable, Sendable {
    /// TEST UNIT READY (SPC): is the medium ready?
    case testUnitReady
    /// REQUEST SENSE (SPC), fixed format, `allocationLength` bytes.
    case requestSense(allocationLength: UInt8)
    /// INQUIRY (SPC), standard data, `allocationLength` bytes.
    case inquiry(allocationLength: UInt8)
    /// MODE SENSE(6) (SPC), all pages, current values, for the header's write-protect bit.
    case modeSense6(allocationLength: UInt8)
    /// READ CAPACITY(10) (SBC): last block address and block length.
    case readCapacity10
    /// READ CAPACITY(16) (SBC, SERVICE ACTION IN(16) 0x10): for media of 2^32 blocks or more.
    case readCapacity16
    /// READ(10) (SBC): `blocks` blocks from `lba`, each `blockLength` bytes.
    case read10(lba: UInt32, blocks: UInt16, blockLength: UInt32)
    /// READ(16) (SBC): for addresses beyond READ(10)'s 32 bits.
    case read16(lba: UInt64, blocks: UInt32, blockLength: UInt32)

    /// Operation codes of the allow-list, as the device sees them.
    public enum Opcode: UInt8, CaseIterable, Hashable, Sendable {
        case testUnitReady = 0x00
        case requestSense = 0x03
        case inquiry = 0x12
        case modeSense6 = 0x1A
        case readCapacity10 = 0x25
        case read10 = 0x28
        case read16 = 0x88
        /// SERVICE ACTION IN(16); the only service action sent is READ CAPACITY(16), 0x10.
        case serviceActionIn16 = 0x9E
    }

    public var opcode: Opcode {
        switch self {
        case .testUnitReady: .testUnitReady
        case .requestSense: .requestSense
        case .inquiry: .inquiry
        case .modeSense6: .modeSense6
        case .readCapacity10: .readCapacity10
        case .readCapacity16: .serviceActionIn16
        case .read10: .read10
        case .read16: .read16
        }
    }

    /// Bytes of the data-IN phase the command asks for.
    public var dataLength: UInt32 {
        switch self {
        case .testUnitReady: 0
        case .requestSense(let n), .inquiry(let n), .modeSense6(let n): UInt32(n)
        case .readCapacity10: 8
        case .readCapacity16: 32
        // Saturating: no real READ moves 4 GiB in one command (the disk splits at its maximum
        // transfer); a product past UInt32 is at least not a trap.
        case .read10(_, let blocks, let length): UInt32(clamping: UInt64(blocks) * UInt64(length))
        case .read16(_, let blocks, let length): UInt32(clamping: UInt64(blocks) * UInt64(length))
        }
    }

    /// The command descriptor block: the one place a CDB is built.
    public var commandBlock: [UInt8] {
        let op = opcode.rawValue
        switch self {
        case .testUnitReady:
            return [op, 0, 0, 0, 0, 0]
        case .requestSense(let n), .inquiry(let n):
            return [op, 0, 0, 0, n, 0]
        case .modeSense6(let n):
            // DBD 0; page control 00 (current), page code 0x3F (all pages).
            return [op, 0, 0x3F, 0, n, 0]
        case .readCapacity10:
            return [op, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        case .readCapacity16:
            return [op, 0x10] + [UInt8](repeating: 0, count: 8) + bigEndian(UInt32(32)) + [0, 0]
        case .read10(let lba, let blocks, _):
            return [op, 0] + bigEndian(lba) + [0] + bigEndian16(blocks) + [0]
        case .read16(let lba, let blocks, _):
            return [op, 0] + bigEndian(UInt32(truncatingIfNeeded: lba >> 32)) + bigEndian(UInt32(truncatingIfNeeded: lba))
                + bigEndian(blocks) + [0, 0]
        }
    }
}

func bigEndian(_ v: UInt32) -> [UInt8] {
    [UInt8(truncatingIfNeeded: v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
}

func bigEndian16(_ v: UInt16) -> [UInt8] {
    [UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
}
