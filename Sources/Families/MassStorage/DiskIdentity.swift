/// What a mass-storage logical unit said it is, for the custody record: INQUIRY's
/// identification, the capacity READ CAPACITY gave, and MODE SENSE's write-protect bit.
public struct DiskIdentity: Hashable, Sendable, Codable {
    /// INQUIRY T10 vendor identification, printable ASCII, trimmed (at most 8 characters).
    public var vendor: String
    /// INQUIRY product identification (at most 16 characters).
    public var product: String
    /// INQUIRY product revision level (at most 4 characters).
    public var revision: String
    /// INQUIRY peripheral device type (0x00 direct access, 0x0E simplified direct access).
    public var peripheralType: UInt8
    /// INQUIRY RMB: removable medium.
    public var removable: Bool
    /// The logical unit read, and the highest the device has (GET MAX LUN).
    public var lun: UInt8
    public var maxLUN: UInt8
    /// Bytes per logical block (a power of two, 512...65536).
    public var blockLength: UInt32
    /// Logical blocks on the medium.
    public var blockCount: UInt64
    /// MODE SENSE(6)'s WP bit; nil when the device did not answer MODE SENSE(6). Recorded,
    /// never relied on: the gateway sends no command that writes either way.
    public var writeProtected: Bool?
    /// True when READ CAPACITY(16) gave the size (READ(16) addresses the upper blocks).
    public var capacityFrom16: Bool

    /// Bytes on the medium.
    public var byteCount: UInt64 { blockCount * UInt64(blockLength) }

    public init(vendor: String, product: String, revision: String, peripheralType: UInt8, removable: Bool,
                lun: UInt8, maxLUN: UInt8, blockLength: UInt32, blockCount: UInt64, writeProtected: Bool?,
                capacityFrom16: Bool) {
        self.vendor = vendor
        self.product = product
        self.revision = revision
        self.peripheralType = peripheralType
        self.removable = removable
        self.lun = lun
        self.maxLUN = maxLUN
        self.blockLength = blockLength
        self.blockCount = blockCount
        self.writeProtected = writeProtected
        self.capacityFrom16 = capacityFrom16
    }
}
