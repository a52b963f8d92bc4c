/// A SCSI sense key (SPC-4 §4.5.6, table 48): the class of what went wrong. All sixteen values
/// are representable; the gateway acts on a few of them by name.
public struct SenseKey: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// 0...15.
    public let rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x0F }

    public static let noSense = SenseKey(rawValue: 0x0)
    public static let recoveredError = SenseKey(rawValue: 0x1)
    public static let notReady = SenseKey(rawValue: 0x2)
    public static let mediumError = SenseKey(rawValue: 0x3)
    public static let hardwareError = SenseKey(rawValue: 0x4)
    public static let illegalRequest = SenseKey(rawValue: 0x5)
    public static let unitAttention = SenseKey(rawValue: 0x6)
    public static let dataProtect = SenseKey(rawValue: 0x7)
    public static let blankCheck = SenseKey(rawValue: 0x8)
    public static let vendorSpecific = SenseKey(rawValue: 0x9)
    public static let copyAborted = SenseKey(rawValue: 0xA)
    public static let abortedCommand = SenseKey(rawValue: 0xB)
    public static let volumeOverflow = SenseKey(rawValue: 0xD)
    public static let miscompare = SenseKey(rawValue: 0xE)

    private static let names = ["NO SENSE", "RECOVERED ERROR", "NOT READY", "MEDIUM ERROR", "HARDWARE ERROR",
                                "ILLEGAL REQUEST", "UNIT ATTENTION", "DATA PROTECT", "BLANK CHECK", "VENDOR SPECIFIC",
                                "COPY ABORTED", "ABORTED COMMAND", "RESERVED 0xC", "VOLUME OVERFLOW", "MISCOMPARE",
                                "RESERVED 0xF"]

    /// "MEDIUM ERROR".
    public var description: String { Self.names[Int(rawValue)] }
}
