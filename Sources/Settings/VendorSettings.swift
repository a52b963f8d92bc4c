/// What a kiosk is told about vendor recorders (amba-ctrl, amba-ascii) that must be unlocked
/// and switched to mass storage before they are read (Docs/configuration.md, "Vendor
/// recorders"). Paths only: the files are read by the service at start
/// (`VendorPasswordFile`, `AssignmentTable`).
public struct VendorSettings: Sendable, Equatable {
    /// `vendor-password-file`: the file holding the families' admin password (mode 0600 or
    /// stricter); nil: none configured, and no vendor recorder is unlocked.
    public var passwordFile: String?
    /// `storage-return-wait`: how long, from the accepted switch, a recorder has to come back as
    /// mass storage on the same port (default 120 s: slow recorders take a while to remount).
    public var returnWait: Duration = .seconds(120)
    /// `assignments`: the file mapping a recorder (USB serial or family device id) to its officer
    /// and unit, for families that cannot say who the officer is; nil: none.
    public var assignmentsFile: String?

    public init() {}

    /// The keys of this section, with their meanings (`GatewayConfig.keys`).
    public static let keys: [(String, String)] = [
        ("vendor-password-file", "file holding the vendor families' admin password (mode 0600 or stricter; never logged)"),
        ("storage-return-wait", "seconds a vendor recorder has, after the switch, to come back as mass storage on the same port (default 120)"),
        ("assignments", "file of SERIAL-OR-DEVICE-ID = OFFICER-NUMBER, UNIT-NUMBER[, OFFICER NAME[, UNIT NAME]] lines"),
    ]

    /// Takes `key = value` when it is one of this section's keys: true when taken, false when
    /// the key is not this section's.
    ///
    /// - Throws: the reason the value is refused (the caller adds file, line and key).
    mutating func take(key: String, value: String) throws(VendorSettingsValueError) -> Bool {
        switch key {
        case "vendor-password-file": passwordFile = value
        case "assignments": assignmentsFile = value
        case "storage-return-wait":
            // At least a second: with no time to come back, every recorder would be switched
            // to storage mode and none read.
            guard let wait = SecondsValue.parse(value, in: 1...86400) else {
                throw VendorSettingsValueError(reason: "must be a number of seconds within 1...86400, not \"\(value)\"")
            }
            returnWait = wait
        default: return false
        }
        return true
    }
}

/// Why a vendor setting's value is refused.
struct VendorSettingsValueError: Error {
    var reason: String
}
