/// Standard INQUIRY data (SPC-4 §6.4.2): what the logical unit says it is. The gateway records
/// it in the custody record and checks that the unit is a block device.
public struct InquiryData: Hashable, Sendable {
    /// The bytes a standard reply must carry for the fields below (SPC: at least 36).
    public static let minimumLength = 36

    /// PERIPHERAL QUALIFIER (byte 0 bits 7...5): 0 when a device is connected to this unit.
    public var peripheralQualifier: UInt8
    /// PERIPHERAL DEVICE TYPE (byte 0 bits 4...0): 0x00 direct access block device, 0x0E
    /// simplified direct access (RBC), 0x05 CD/DVD.
    public var peripheralType: UInt8
    /// RMB (byte 1 bit 7): the medium is removable (an SD card, a recorder's disk mode).
    public var removable: Bool
    /// VERSION (byte 2): the SPC version claimed, 0 when none.
    public var version: UInt8
    /// T10 VENDOR IDENTIFICATION (bytes 8...15), as printable ASCII, trimmed.
    public var vendor: String
    /// PRODUCT IDENTIFICATION (bytes 16...31), as printable ASCII, trimmed.
    public var product: String
    /// PRODUCT REVISION LEVEL (bytes 32...35), as printable ASCII, trimmed.
    public var revision: String

    /// True for the types whose medium is an array of logical blocks read with READ(10)/(16).
    public var isBlockDevice: Bool {
        peripheralQualifier == 0 && (peripheralType == 0x00 || peripheralType == 0x0E)
    }

    public init(peripheralQualifier: UInt8 = 0, peripheralType: UInt8, removable: Bool, version: UInt8 = 0,
                vendor: String, product: String, revision: String) {
        self.peripheralQualifier = peripheralQualifier
        self.peripheralType = peripheralType
        self.removable = removable
        self.version = version
        self.vendor = vendor
        self.product = product
        self.revision = revision
    }

    /// Parses the data-IN bytes of INQUIRY (EVPD 0). Only the first 36 bytes are read, whatever
    /// ADDITIONAL LENGTH claims, so a reply cannot make the strings longer than 8, 16 and 4
    /// characters. Bytes outside printable ASCII (0x20...0x7E) become "?", since the fields are
    /// defined as ASCII and the strings go into records a person reads.
    ///
    /// - Throws: `SCSIReplyError.short` when fewer than 36 bytes arrived.
    public init(parsing bytes: [UInt8]) throws(SCSIReplyError) {
        guard bytes.count >= Self.minimumLength else {
            throw .short(reply: "INQUIRY", field: "vendor, product and revision (bytes 8...35)",
                         received: bytes.count, needed: Self.minimumLength)
        }
        peripheralQualifier = bytes[0] >> 5
        peripheralType = bytes[0] & 0x1F
        removable = bytes[1] & 0x80 != 0
        version = bytes[2]
        vendor = Self.ascii(bytes[8..<16])
        product = Self.ascii(bytes[16..<32])
        revision = Self.ascii(bytes[32..<36])
    }

    /// The field as printable ASCII with the space padding (and any NULs a device pads with)
    /// removed from both ends.
    static func ascii(_ field: ArraySlice<UInt8>) -> String {
        var scalars = field.map { (0x20...0x7E).contains($0) ? Character(UnicodeScalar($0)) : ($0 == 0 ? " " : "?") }
        while scalars.last == " " { scalars.removeLast() }
        while scalars.first == " " { scalars.removeFirst() }
        return String(scalars)
    }
}
