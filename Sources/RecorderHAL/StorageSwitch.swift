/// A recorder family that docks as a vendor device and must be unlocked before its storage can
/// be read: the family logs in with the kiosk's password, reads who the recorder is and sets
/// its clock where it can, then tells it to switch to USB mass storage. The recorder then
/// leaves the bus and comes back on the same port as a mass-storage device, which the
/// mass-storage family reads (the dock ties the two appearances together).
///
/// Family-neutral: the dock calls `unlock` the same way for every such family, and learns from
/// the report which commands went out, never the password.
public protocol StorageSwitchDriver: Sendable {
    /// The name the device database uses for this family ("amba-ascii").
    var name: String { get }

    /// Runs the family's unlock over `link` (the vendor interface, claimed).
    ///
    /// Guarantees every implementation keeps: nothing is sent before the password is checked
    /// to be one the family can carry (else `.passwordUnusable`, nothing sent); the password is
    /// sent only after the device has shown it speaks this family's command set, where the
    /// family has a command that shows it without one; the password is sent in at most one
    /// login, and a refused password ends the unlock (`.passwordRefused`) with nothing more
    /// sent and nothing retried; every reply is bounded and checked; the report names every
    /// command sent and never holds the password. Never throws: every ending is a report.
    func unlock(_ link: any USBTransferLink, _ request: UnlockRequest) async -> UnlockReport

    /// Where `data`, sent by this family's unlock (a bulk OUT or a control OUT's data), holds
    /// the password; nil when it holds none. A capture of the exchange writes `<password>` over
    /// these bytes whatever they are (`PasswordRedaction`), so the family says where its
    /// commands put the password rather than the capture searching for its text only.
    func passwordSpan(inSent data: [UInt8]) -> Range<Int>?
}

/// What a dock gives a family's unlock.
public struct UnlockRequest: Sendable {
    /// The kiosk's password for this family's recorders.
    public var password: UnlockSecret
    /// The time to set: the kiosk's clock now (UTC) and the zone the recorder is to display.
    /// Families whose clock commands take local time convert with `zoneOffsetMinutes`.
    public var clock: DeviceTime
    /// How long one transfer may take.
    public var timeout: Duration

    public init(password: UnlockSecret, clock: DeviceTime, timeout: Duration = .seconds(3)) {
        self.password = password
        self.clock = clock
        self.timeout = timeout
    }
}
