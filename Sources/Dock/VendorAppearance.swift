import RecorderHAL
import Settings

/// A vendor recorder (amba-ctrl, amba-ascii) as it appeared in a bay: what the adapters (the
/// simulator, the udev loop) hand the gateway to run its dance (`VendorDock`).
public struct VendorAppearance: Sendable {
    /// The USB port path it appeared on.
    public var port: String
    /// Its vendor interface, claimed.
    public var link: any USBTransferLink
    /// The family the device database gave its interface.
    public var family: any StorageSwitchDriver
    /// What the bus says while this dance runs, in order: the vendor device's departure, and
    /// every mass-storage device that appears, on any port. The dance takes the first
    /// appearance; an adapter that knows nothing more may leave the stream open.
    public var bus: AsyncStream<BusEvent>

    public init(port: String, link: any USBTransferLink, family: any StorageSwitchDriver, bus: AsyncStream<BusEvent>) {
        self.port = port
        self.link = link
        self.family = family
        self.bus = bus
    }

    /// One thing the bus reports during a dance.
    public enum BusEvent: Sendable {
        /// The vendor device left the bus.
        case departed
        /// A mass-storage device appeared.
        case arrived(MassStorageArrival)
    }
}

/// A mass-storage device that appeared: where, its USB ids, and how to reach it. It is opened
/// only when the dance acquires it: a device the dance refuses (another port, too late) is
/// never opened by the udev adapter, only let go (`discard`).
public struct MassStorageArrival: Sendable {
    public var port: String
    public var vendorId: UInt16
    public var productId: UInt16
    /// Opens (claims) the device's mass-storage interface; throws a message saying why not.
    public var open: @Sendable () async throws(ArrivalOpenError) -> any USBTransferLink
    /// Lets go of a device that will not be read (closes a link already open, if any).
    public var discard: @Sendable () async -> Void

    /// A device whose link is open already (the simulator's).
    public init(port: String, link: any USBTransferLink, vendorId: UInt16, productId: UInt16) {
        self.port = port
        self.vendorId = vendorId
        self.productId = productId
        self.open = { () throws(ArrivalOpenError) in link }
        self.discard = { await link.close() }
    }

    /// A device opened on demand (the udev adapter's: libusb).
    public init(port: String, vendorId: UInt16, productId: UInt16,
                open: @escaping @Sendable () async throws(ArrivalOpenError) -> any USBTransferLink,
                discard: @escaping @Sendable () async -> Void = {}) {
        self.port = port
        self.vendorId = vendorId
        self.productId = productId
        self.open = open
        self.discard = discard
    }
}

/// A returned disk could not be opened: what the adapter said.
public struct ArrivalOpenError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// What the dance needs from the kiosk's configuration, read at start.
public struct VendorDockSettings: Sendable {
    /// The families' admin password (`vendor-password-file`); nil: none, nothing is sent.
    public var password: UnlockSecret?
    /// Passwords by recorder (its USB serial), for recorders without the families' one: the
    /// simulator's, which knows each recorder's.
    public var passwordsByRecorder: [String: UnlockSecret] = [:]
    /// How long a recorder has to come back as mass storage after the switch.
    public var returnWait: Duration = .seconds(120)
    /// Who each recorder is issued to (`assignments`).
    public var assignments = AssignmentTable()
    /// The zone the recorders display, minutes east of UTC (the kiosk's own by default).
    public var zoneOffsetMinutes: Int16

    public init(password: UnlockSecret? = nil, returnWait: Duration = .seconds(120), assignments: AssignmentTable = AssignmentTable(),
                zoneOffsetMinutes: Int16 = 0) {
        self.password = password
        self.returnWait = returnWait
        self.assignments = assignments
        self.zoneOffsetMinutes = zoneOffsetMinutes
    }

    /// The password for the recorder named `recorder`: the families' one, else its own.
    public func password(for recorder: String) -> UnlockSecret? { password ?? passwordsByRecorder[recorder] }
}
