import Foundation

/// Maps one device family onto the `Recorder` interface.
public protocol RecorderDriver: Sendable {
    /// The name the device database uses for this driver.
    var name: String { get }
    /// The transport the family speaks over; the binaries open the device's link in this shape.
    var linkShape: DeviceLink.Shape { get }
    /// Opens a conversation with the device at the other end of `link`.
    ///
    /// - Throws: `.unsupported` when `link` is not of the driver's `linkShape`.
    func open(_ link: DeviceLink, options: DriverOptions) async throws(RecorderError) -> any Recorder
    /// This driver with one model's own settings from the device database (a model's
    /// `driverOptions` in recorders.json, e.g. the code page of a FAT card's 8.3 names).
    ///
    /// - Throws: `DriverOptionError` naming the key the driver does not take, or the value it
    ///   refuses and what it accepts.
    func configured(with options: [String: String]) throws(DriverOptionError) -> any RecorderDriver
}

extension RecorderDriver {
    /// A driver that takes no model settings: itself, for none; an error for any.
    public func configured(with options: [String: String]) throws(DriverOptionError) -> any RecorderDriver {
        if let key = options.keys.sorted().first {
            throw DriverOptionError(key: key, reason: "is not a setting of the \(name) driver (it takes none)")
        }
        return self
    }
}

/// A model's driver setting the driver does not take, or a value it refuses.
public struct DriverOptionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var key: String
    public var reason: String

    public init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }

    public var description: String { "\(key) \(reason)" }
}

/// Knobs every driver honours, with defaults sized for a USB 2.0 bay. Knobs of one family's
/// command set live with that family (protocol v1: `ProtocolV1Options`).
public struct DriverOptions: Sendable {
    /// Identifies the gateway to the device, for families that tell it (≤ 64 bytes).
    public var hostName: String = "recorder-gateway"
    /// Requests in flight at most, whatever the device allows.
    public var maxInFlight: Int = 16
    /// READs kept in flight per recording.
    public var readWindow: Int = 8
    /// File bytes per READ at most.
    public var readChunkBytes: Int = 1024 * 1024
    /// How long one request may wait for its reply.
    public var requestTimeout: Duration = .milliseconds(3000)
    /// Times one chunk is read again after a corrupt reply before the read fails.
    public var maxRereadsPerChunk: Int = 3
    /// A catalog longer than this is refused as one that does not end.
    public var maxCatalogEntries: Int = 100_000

    public init() {}
}

/// Drivers by name: the families that read a recorder (`RecorderDriver`) and those that unlock
/// a vendor device into mass storage (`StorageSwitchDriver`); one name space for both. The HAL
/// knows no family: the registry of the drivers built into the binaries,
/// `DriverRegistry.builtIn`, is in `RecorderFamilies`, which sees every family.
public struct DriverRegistry: Sendable {
    private var drivers: [String: any RecorderDriver]
    private var switches: [String: any StorageSwitchDriver]

    /// A registry of `drivers` and `storageSwitches`; the first of a name wins.
    public init(drivers: [any RecorderDriver], storageSwitches: [any StorageSwitchDriver] = []) {
        let readers = Dictionary(drivers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.drivers = readers
        self.switches = Dictionary(storageSwitches.filter { readers[$0.name] == nil }.map { ($0.name, $0) },
                                   uniquingKeysWith: { first, _ in first })
    }

    /// The driver called `name`, or nil (also for a storage switch of that name).
    public func driver(named name: String) -> (any RecorderDriver)? { drivers[name] }

    /// The driver `model` names, with the model's `driverOptions` applied; nil when the model
    /// names a storage switch or no driver. The device database checked the options when it
    /// was loaded, so they apply here.
    public func driver(for model: RecorderModel) -> (any RecorderDriver)? {
        guard let driver = drivers[model.driver] else { return nil }
        return try? driver.configured(with: model.driverOptions)
    }

    /// The storage switch called `name`, or nil.
    public func storageSwitch(named name: String) -> (any StorageSwitchDriver)? { switches[name] }

    /// Whether `name` is a driver or a storage switch.
    public func knows(_ name: String) -> Bool { drivers[name] != nil || switches[name] != nil }

    /// Names of all drivers and storage switches, sorted.
    public var names: [String] { (Array(drivers.keys) + Array(switches.keys)).sorted() }
}
