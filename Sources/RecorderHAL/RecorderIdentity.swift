/// Who a recorder is and whom it is issued to (the `ZFY_INFO` fields of the public-security
/// recorder SDKs), every field as the device sent it, in UTF-8.
///
/// The one statement of these eight fields: drivers return it, the simulator plays it, the
/// custody record (Evidence) and the gateway's reports carry it. Each format keeps its own
/// field names where it writes them; the Codable names here (`serial` ... `hardwareId`) are
/// the ones custody.json has always used. Untrusted: nothing here is checked or cleaned.
public struct RecorderIdentity: Hashable, Sendable, Codable {
    /// Product serial, 7 ASCII letters or digits (GA/T 947).
    public var serial: String
    /// Model name.
    public var model: String
    /// Firmware version.
    public var firmware: String
    /// Officer number (警号): 6 characters, or empty when unassigned.
    public var officerNumber: String
    /// Officer name (UTF-8 here, GBK on the device).
    public var officerName: String
    /// Unit number: 12 characters, or empty.
    public var unitNumber: String
    /// Unit name.
    public var unitName: String
    /// The device's hardware id (chip or board id, IMEI), when it reports one.
    public var hardwareId: String

    /// An identity, every field as the device sent it.
    public init(serial: String, model: String, firmware: String, officerNumber: String,
                officerName: String, unitNumber: String, unitName: String, hardwareId: String) {
        self.serial = serial
        self.model = model
        self.firmware = firmware
        self.officerNumber = officerNumber
        self.officerName = officerName
        self.unitNumber = unitNumber
        self.unitName = unitName
        self.hardwareId = hardwareId
    }
}
