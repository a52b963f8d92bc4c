/// A SCSI sense: key, additional sense code and qualifier, and the INFORMATION field when it
/// names a block (SPC fixed format). What REQUEST SENSE reports after a CHECK CONDITION.
public struct Sense: Hashable, Sendable, CustomStringConvertible {
    public var key: UInt8
    public var code: UInt8
    public var qualifier: UInt8
    /// The logical block the error concerns (MEDIUM ERROR: the first unreadable block).
    public var information: UInt32?

    public init(key: UInt8, code: UInt8, qualifier: UInt8, information: UInt32? = nil) {
        self.key = key
        self.code = code
        self.qualifier = qualifier
        self.information = information
    }

    public static let noSense = Sense(key: 0x0, code: 0x00, qualifier: 0x00)
    /// 02/04/01: LOGICAL UNIT IS IN PROCESS OF BECOMING READY.
    public static let becomingReady = Sense(key: 0x2, code: 0x04, qualifier: 0x01)
    /// 03/11/00: UNRECOVERED READ ERROR.
    public static func unrecoveredReadError(at block: UInt64) -> Sense {
        // INFORMATION is 32 bits in fixed format; a block beyond them is reported without it.
        Sense(key: 0x3, code: 0x11, qualifier: 0x00, information: UInt32(exactly: block))
    }
    /// 05/20/00: INVALID COMMAND OPERATION CODE.
    public static let invalidOpcode = Sense(key: 0x5, code: 0x20, qualifier: 0x00)
    /// 05/21/00: LOGICAL BLOCK ADDRESS OUT OF RANGE.
    public static let blockOutOfRange = Sense(key: 0x5, code: 0x21, qualifier: 0x00)
    /// 05/24/00: INVALID FIELD IN CDB.
    public static let invalidField = Sense(key: 0x5, code: 0x24, qualifier: 0x00)
    /// 0B/00/00: ABORTED COMMAND (a stalled data phase the host may retry).
    public static let abortedCommand = Sense(key: 0xB, code: 0x00, qualifier: 0x00)

    /// The 18 bytes of fixed-format sense data (response code 0x70, current error).
    public var fixedFormat: [UInt8] {
        var out = [UInt8](repeating: 0, count: 18)
        out[0] = information == nil ? 0x70 : 0xF0 // VALID when INFORMATION means something
        out[2] = key & 0x0F
        if let info = information {
            out[3] = UInt8(truncatingIfNeeded: info >> 24)
            out[4] = UInt8(truncatingIfNeeded: info >> 16)
            out[5] = UInt8(truncatingIfNeeded: info >> 8)
            out[6] = UInt8(truncatingIfNeeded: info)
        }
        out[7] = 10 // additional sense length: bytes 8...17
        out[12] = code
        out[13] = qualifier
        return out
    }

    /// "05/20/00", as the specifications write it.
    public var description: String {
        func hex(_ b: UInt8) -> String { (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true) }
        return "\(hex(key))/\(hex(code))/\(hex(qualifier))"
    }
}
