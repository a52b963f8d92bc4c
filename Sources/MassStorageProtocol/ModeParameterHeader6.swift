/// The 4-byte header of MODE SENSE(6) parameter data (SPC-4 §7.5.5): the gateway reads only
/// the write-protect bit, to record whether the medium said it was protected.
public struct ModeParameterHeader6: Hashable, Sendable {
    /// MODE DATA LENGTH: bytes that follow this field.
    public var modeDataLength: UInt8
    /// DEVICE-SPECIFIC PARAMETER, whole.
    public var deviceSpecific: UInt8
    /// BLOCK DESCRIPTOR LENGTH.
    public var blockDescriptorLength: UInt8

    /// WP (device-specific parameter bit 7, for direct access devices, SBC-3 §6.4.1): the
    /// medium is write-protected.
    public var writeProtected: Bool { deviceSpecific & 0x80 != 0 }

    /// - Throws: `SCSIReplyError.short` when fewer than the header's 4 bytes arrived.
    public init(parsing bytes: [UInt8]) throws(SCSIReplyError) {
        guard bytes.count >= 4 else {
            throw .short(reply: "MODE SENSE(6)", field: "mode parameter header", received: bytes.count, needed: 4)
        }
        modeDataLength = bytes[0]
        deviceSpecific = bytes[2]
        blockDescriptorLength = bytes[3]
    }
}
