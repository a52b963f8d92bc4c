/// A recorder that docks as a vendor device of an Ambarella family and, once unlocked and told
/// to switch, leaves the bus and comes back as the scenario's mass-storage personality (its
/// `"storage"`): the scenario's `"family"` and `"vendor"` (Docs/simulator.md §13). Its password
/// is the recorder's `"password"`, its lockout the recorder's `"lockout"`.
public struct VendorScenario: Sendable, Hashable {
    public enum Family: String, Sendable, Hashable, CaseIterable {
        /// Vendor control transfers on the default pipe.
        case ambaControl = "amba-ctrl"
        /// ASCII commands on bulk endpoints 0x01/0x81.
        case ambaASCII = "amba-ascii"
    }

    public var family: Family
    /// What amba-ascii's `@Gdv` answers as the device id: by default the identity's serial.
    public var deviceId: String
    /// The USB ids of the mass-storage appearance after the switch (default 1209:0003, the
    /// device database's test vendor disk, read only after an unlock on its port).
    public var storageVendorId: UInt16 = 0x1209
    public var storageProductId: UInt16 = 0x0003
    public var faults: [VendorFault] = []
    /// How long its lock lasts once `lockout.attempts` wrong passwords came in a row: the
    /// recorder's `lockout.seconds` when the scenario gives it; nil (not given): for good.
    public var lockoutSeconds: Int?
    /// Which of its two appearances gives a USB serial number string (the identity's serial).
    public var usbSerial: USBSerialPresence = .both

    /// Which appearances of a vendor recorder have a USB serial: real recorders without one
    /// exist, and the gateway must then tell them apart by other means (Docs/simulator.md §13.2).
    public enum USBSerialPresence: String, Sendable, Hashable, CaseIterable {
        /// The vendor device and the disk it becomes.
        case both
        /// Only the disk it becomes.
        case disk
        /// Neither.
        case none
    }

    public init(family: Family, deviceId: String) {
        self.family = family
        self.deviceId = deviceId
    }

    /// The USB ids both families present before the switch.
    public static let vendorId: UInt16 = 0x4255
    public static let productId: UInt16 = 0x0001
}

/// A vendor-device misbehaviour. Commands are named as the family names them: amba-ascii's
/// `Ver`, `Gdv`, `Sdt`, `Stm`, `ATH`; amba-ctrl's `login` and `diskMode` (whose fault is in the
/// result read after it). Each fires every time its command comes.
public enum VendorFault: Sendable, Hashable {
    /// The reply to `command` is empty (a zero-length transfer).
    case emptyReply(command: String)
    /// The reply to `command` is `bytes` long: amba-ascii pads its reply with `A`s past the
    /// family's 64 bytes; amba-ctrl's result has this many bytes instead of 10.
    case longReply(command: String, bytes: Int)
    /// amba-ascii's `@Gdv` answers with this id, whatever it holds.
    case garbageId(String)
    /// A hostile device repeats the password it was sent in its reply: amba-ascii's `@Gdv`
    /// reply holds it (and an id that is refused), amba-ctrl's login result carries it after a
    /// refusing status.
    case echoPassword
    /// The switch to storage mode is refused (amba-ascii `@ATH;ERROR#`, amba-ctrl status 0).
    case refuseDiskMode
    /// The device is in storage mode already: amba-ascii answers every command with an empty
    /// reply, or with `ERROR` when `error` is set.
    case alreadyInStorageMode(error: Bool)
    /// On the switch the device leaves the bus at once, before its answer can be read.
    case leaveWithoutAnswer
    /// After the switch the device leaves the bus and never comes back.
    case neverReturns
    /// After the switch it comes back this many milliseconds after leaving.
    case returnsAfter(milliseconds: Int)
    /// After the switch it comes back on another port (this USB port path).
    case returnsOnPort(String)
}
