/// The sense data a device returns to REQUEST SENSE (SPC-4 §4.5): why the last command ended
/// in CHECK CONDITION. Both layouts are read: fixed format (response codes 0x70/0x71, what
/// USB mass-storage devices send) and descriptor format (0x72/0x73).
public struct SenseData: Hashable, Sendable, CustomStringConvertible {
    /// True for deferred errors (0x71, 0x73): the sense is about an earlier command.
    public var deferred: Bool
    /// True for descriptor format.
    public var descriptorFormat: Bool
    public var senseKey: SenseKey
    /// ADDITIONAL SENSE CODE.
    public var asc: UInt8
    /// ADDITIONAL SENSE CODE QUALIFIER.
    public var ascq: UInt8
    /// The INFORMATION field when the device marked it valid: for a MEDIUM ERROR on a read,
    /// the first logical block that could not be read.
    public var information: UInt64?

    public init(senseKey: SenseKey, asc: UInt8, ascq: UInt8, information: UInt64? = nil,
                deferred: Bool = false, descriptorFormat: Bool = false) {
        self.senseKey = senseKey
        self.asc = asc
        self.ascq = ascq
        self.information = information
        self.deferred = deferred
        self.descriptorFormat = descriptorFormat
    }

    /// Parses the data-IN bytes of REQUEST SENSE (only those the device sent).
    ///
    /// Fixed format needs 14 bytes (the ASC and ASCQ are bytes 12 and 13) and, as the device
    /// states it in the ADDITIONAL SENSE LENGTH, at least 6 additional bytes; descriptor format
    /// needs its 8-byte header. Descriptors are bounded by the additional length and the bytes
    /// received; only the INFORMATION descriptor (type 0) is read.
    ///
    /// - Throws: `SCSIReplyError.short` naming the field that did not arrive,
    ///   `.unknownFormat` for a response code other than 0x70...0x73.
    public init(parsing bytes: [UInt8]) throws(SCSIReplyError) {
        let reply = "REQUEST SENSE"
        guard let first = bytes.first else {
            throw .short(reply: reply, field: "RESPONSE CODE", received: 0, needed: 1)
        }
        let code = first & 0x7F
        let data = bytes[...]
        switch code {
        case 0x70, 0x71:
            guard bytes.count >= 14 else {
                throw .short(reply: reply, field: "ASC and ASCQ (fixed format)", received: bytes.count, needed: 14)
            }
            let additional = Int(bytes[7])
            guard additional >= 6 else {
                throw .short(reply: reply, field: "ADDITIONAL SENSE LENGTH \(additional) (ASC and ASCQ)",
                             received: 8 + additional, needed: 14)
            }
            senseKey = SenseKey(rawValue: bytes[2])
            asc = bytes[12]
            ascq = bytes[13]
            // VALID (byte 0 bit 7) says whether INFORMATION (bytes 3...6) means anything.
            information = first & 0x80 != 0 ? UInt64(data.bigEndianUInt32(at: 3)) : nil
            deferred = code == 0x71
            descriptorFormat = false
        case 0x72, 0x73:
            guard bytes.count >= 8 else {
                throw .short(reply: reply, field: "header (descriptor format)", received: bytes.count, needed: 8)
            }
            senseKey = SenseKey(rawValue: bytes[1])
            asc = bytes[2]
            ascq = bytes[3]
            deferred = code == 0x73
            descriptorFormat = true
            information = nil
            // Walk the descriptors inside both bounds: what the device says and what arrived.
            let end = min(bytes.count, 8 + Int(bytes[7]))
            var offset = 8
            while offset + 2 <= end {
                let type = bytes[offset]
                let length = Int(bytes[offset + 1])
                let next = offset + 2 + length
                guard next <= end else { break }
                // INFORMATION descriptor: type 0, length 0x0A, VALID in bit 7 of byte 2, the
                // 8-byte INFORMATION at bytes 4...11.
                if type == 0x00, length == 0x0A, bytes[offset + 2] & 0x80 != 0 {
                    information = data.bigEndianUInt64(at: offset + 4)
                }
                offset = next
            }
        default:
            throw .unknownFormat(reply: reply, what: "response code 0x\(String(code, radix: 16))")
        }
    }

    /// What the gateway makes of the sense, for the cases it acts on.
    public var condition: Condition {
        switch (senseKey, asc, ascq) {
        case (.notReady, 0x04, 0x01): .becomingReady
        case (.notReady, 0x3A, _): .mediumNotPresent
        case (.notReady, _, _): .notReady
        case (.unitAttention, 0x28, _): .mediumMayHaveChanged
        case (.unitAttention, 0x29, _): .resetOccurred
        case (.unitAttention, _, _): .unitAttention
        case (.mediumError, _, _): .mediumError
        case (.illegalRequest, _, _): .illegalRequest
        case (.noSense, _, _), (.recoveredError, _, _): .noError
        default: .other
        }
    }

    /// The sense conditions the gateway acts on.
    public enum Condition: Hashable, Sendable {
        /// NO SENSE or RECOVERED ERROR: nothing to act on.
        case noError
        /// NOT READY, 04/01 "logical unit is in process of becoming ready": wait and ask again.
        case becomingReady
        /// NOT READY, 3A/xx "medium not present": no card in the recorder.
        case mediumNotPresent
        /// Any other NOT READY (04/02 "initializing command required" would need START STOP
        /// UNIT, which the write blocker never sends).
        case notReady
        /// UNIT ATTENTION 28/xx "not ready to ready change, medium may have changed".
        case mediumMayHaveChanged
        /// UNIT ATTENTION 29/xx "power on, reset, or bus device reset occurred".
        case resetOccurred
        /// Any other UNIT ATTENTION.
        case unitAttention
        /// MEDIUM ERROR: the blocks could not be read.
        case mediumError
        /// ILLEGAL REQUEST: the device does not do what was asked (or the address is out of range).
        case illegalRequest
        case other
    }

    /// "MEDIUM ERROR 11/00".
    public var description: String {
        let hex = { (v: UInt8) in (v < 16 ? "0" : "") + String(v, radix: 16, uppercase: true) }
        return "\(senseKey) \(hex(asc))/\(hex(ascq))" + (information.map { " at \($0)" } ?? "")
    }
}
