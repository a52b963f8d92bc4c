import Foundation
import RecorderHAL
import Volumes

/// The driver for a recorder that presents its storage as a USB mass-storage disk (Bulk-Only
/// Transport, SCSI), read-only: the half every vendor family that switches to "U盘模式" shares.
public struct MassStorageDriver: RecorderDriver {
    public static let name = MassStorageError.family
    public var name: String { Self.name }
    public var linkShape: DeviceLink.Shape { .transfers }
    public var disk: SCSIDiskConfiguration
    public var limits: VolumeLimits
    /// The zone the recorder's clock keeps, for volumes that record none (FAT): minutes east of
    /// UTC. nil: the kiosk's own zone at each time stamp's date is not known here, so 0 (UTC)
    /// is used and the custody record says so.
    public var utcOffsetMinutes: Int

    public init(disk: SCSIDiskConfiguration = SCSIDiskConfiguration(), limits: VolumeLimits = VolumeLimits(),
                utcOffsetMinutes: Int = 0) {
        self.disk = disk
        self.limits = limits
        self.utcOffsetMinutes = utcOffsetMinutes
    }

    /// Takes `shortNameCodePage`: `cp437` (the default) or `cp936` (GBK), the code page of the
    /// card's FAT 8.3 names (`VolumeLimits.shortNameCodePage`).
    public func configured(with options: [String: String]) throws(DriverOptionError) -> any RecorderDriver {
        var driver = self
        for (key, value) in options.sorted(by: { $0.key < $1.key }) {
            guard key == "shortNameCodePage" else {
                throw DriverOptionError(key: key, reason: "is not a setting of the \(name) driver (it takes shortNameCodePage)")
            }
            guard let page = ShortNameCodePage(rawValue: value) else {
                let known = ShortNameCodePage.allCases.map(\.rawValue).joined(separator: " or ")
                throw DriverOptionError(key: key, reason: "\"\(value)\" must be \(known)")
            }
            driver.limits.shortNameCodePage = page
        }
        return driver
    }

    public func open(_ link: DeviceLink, options: DriverOptions) async throws(RecorderError) -> any Recorder {
        guard case .transfers(let transfers) = link else {
            throw RecorderError(.unsupported("\(Self.name) speaks one transfer at a time, not over a \(link.shape.rawValue) (\(link))"))
        }
        do {
            let disk = try await SCSIDisk.open(BulkOnlyTransport(link: transfers), configuration: disk)
            return try await MassStorageRecorder.open(disk: disk, limits: limits, utcOffsetMinutes: utcOffsetMinutes,
                                                      options: options)
        } catch {
            // The interface stays claimed until the link is closed: a failed open lets it go.
            await transfers.close()
            // The link's own description: USBTransferLink is not CustomStringConvertible, and
            // interpolating the value itself would print its fields.
            throw error.recorderError.context("opening \(transfers.description)")
        }
    }
}

/// A `Recorder` over a mass-storage disk. The volumes are read when it opens; the catalog is
/// theirs (`VolumeCatalog`), and every later `catalog()` reads them afresh from the medium.
///
/// What the HAL's promises mean here: there is no login (`authenticate` does nothing), no clock
/// (`readClock` and `setClock` throw `.unsupported`), no device hash (each file's SHA-256 is
/// taken as it is read) and no release: this path never writes, so `release` throws
/// `.unsupported` and the recordings stay on the recorder.
public final class MassStorageRecorder: Recorder {
    public let info: RecorderInfo
    public let disk: SCSIDisk
    let limits: VolumeLimits
    let utcOffsetMinutes: Int
    private let state: CatalogState

    /// The catalog of the latest reading of the volumes (at open, or the latest `catalog()`
    /// after the first): what `read` reads from.
    public var volumeCatalog: VolumeCatalog { state.current }

    private init(info: RecorderInfo, disk: SCSIDisk, catalog: VolumeCatalog, limits: VolumeLimits, utcOffsetMinutes: Int) {
        self.info = info
        self.disk = disk
        self.limits = limits
        self.utcOffsetMinutes = utcOffsetMinutes
        self.state = CatalogState(catalog)
    }

    static func open(disk: SCSIDisk, limits: VolumeLimits, utcOffsetMinutes: Int,
                     options: DriverOptions) async throws(MassStorageError) -> MassStorageRecorder {
        let catalog = try await readCatalog(disk: disk, limits: limits, utcOffsetMinutes: utcOffsetMinutes)
        var capabilities: RecorderCapabilities = []
        if catalog.items.contains(where: { $0.entry.kind == .gpsLog }) { capabilities.insert(.gpsLog) }
        let most = disk.blocksPerCommand * disk.blockSize
        var info = RecorderInfo(driver: MassStorageDriver.name, protocolVersion: 1, maxPayload: most, maxInFlight: 1,
                                capabilities: capabilities, link: disk.transport.link.description)
        info.linkCapacityBytesPerSecond = disk.transport.link.capacityBytesPerSecond
        return MassStorageRecorder(info: info, disk: disk, catalog: catalog, limits: limits, utcOffsetMinutes: utcOffsetMinutes)
    }

    /// Reads every volume on `disk` (partition table, boot sectors, allocation tables,
    /// directories) from the medium, through no cache of ours.
    static func readCatalog(disk: SCSIDisk, limits: VolumeLimits, utcOffsetMinutes: Int) async throws(MassStorageError) -> VolumeCatalog {
        let listings: [VolumeListing]
        do {
            listings = try await Medium.volumes(on: disk, limits: limits)
        } catch let error as MassStorageError {
            throw error.context("reading the volumes")
        } catch {
            throw MassStorageError(.outOfRange("\(error)"), context: ["reading the volumes"])
        }
        return VolumeCatalog(listings: listings, utcOffsetMinutes: utcOffsetMinutes)
    }

    /// A disk says no more than its USB serial number, its INQUIRY strings and its volume's
    /// serial. The serial here is the USB device's iSerialNumber when it gave a usable one
    /// (`USBSerial.usable`): it stays with the device, where a volume serial changes whenever the
    /// card is formatted. Otherwise it is the first volume's serial, as 8 hex digits. Who the
    /// officer is comes from the kiosk's assignment table or a vendor family.
    public func identity() async throws(RecorderError) -> RecorderIdentity {
        let serial = USBSerial.usable(disk.transport.link.serialNumber)
            ?? volumeCatalog.volumes.first.map { String(format: "%08X", $0.serial) } ?? ""
        let d = disk.identity
        return RecorderIdentity(serial: serial, model: [d.vendor, d.product].filter { !$0.isEmpty }.joined(separator: " "),
                                firmware: d.revision, officerNumber: "", officerName: "", unitNumber: "", unitName: "",
                                hardwareId: "")
    }

    public func authenticate(password: String) async throws(RecorderError) {}

    public func readClock() async throws(RecorderError) -> ClockSample {
        throw RecorderError(.unsupported("a mass-storage disk has no clock to read"))
    }

    public func setClock(_ time: DeviceTime) async throws(RecorderError) {
        throw RecorderError(.unsupported("a mass-storage disk has no clock to set"))
    }

    /// The medium's size, and as free what no listed file occupies (whole clusters).
    public func status() async throws(RecorderError) -> RecorderStatus {
        let total = disk.identity.byteCount
        // Volume claims: a sum that does not fit saturates (it used to wrap, and an extent sum
        // could trap), and then nothing is free.
        let catalog = volumeCatalog
        let used = catalog.items.lazy.flatMap { item in
            let cluster = UInt64(catalog.volumes[item.volume].bytesPerCluster)
            return item.file.extents.lazy.map { $0.length / cluster * cluster + ($0.length % cluster == 0 ? 0 : cluster) }
        }.saturatingSum()
        return RecorderStatus(batteryPercent: nil, charging: false, recording: false, storageTotalBytes: total,
                              storageFreeBytes: total > used ? total - used : 0, temperatureCelsius: nil)
    }

    /// The first call lists the volumes as read when the recorder opened; every later call
    /// reads them afresh from the medium (a second, independent listing, which the dock's
    /// source verification compares with the first) and `read` then follows the new reading.
    public func catalog() async throws(RecorderError) -> [CatalogEntry] {
        if state.takeFirstListing() { return volumeCatalog.items.map(\.entry) }
        let fresh: VolumeCatalog
        do {
            fresh = try await Self.readCatalog(disk: disk, limits: limits, utcOffsetMinutes: utcOffsetMinutes)
        } catch {
            throw error.recorderError.context("listing the volumes again")
        }
        state.replace(with: fresh)
        return fresh.items.map(\.entry)
    }

    public func read(_ id: UInt32, range: Range<UInt64>) -> any RecordingStream {
        guard let item = volumeCatalog.item(id) else { return FailedStream(id: id) }
        return ExtentStream(disk: disk, id: id, file: item.file, range: range)
    }

    public func release(_ id: UInt32, sha256: [UInt8]) async throws(RecorderError) {
        throw RecorderError(.unsupported("this path is read-only: a mass-storage recorder is released by its vendor family's erase command, never by our writes"))
    }

    public func statistics() async -> ExchangeStatistics {
        var s = ExchangeStatistics()
        s.requests = await disk.transport.commandsSent
        s.peakInFlight = s.requests > 0 ? 1 : 0
        return s
    }

    public func close() async { await disk.transport.link.close() }
}

/// The stream of an id the catalog does not hold: fails at once.
private final class FailedStream: RecordingStream {
    let id: UInt32
    let rereads = 0
    init(id: UInt32) { self.id = id }
    func next() async throws(RecorderError) -> RecordingChunk? {
        throw RecorderError(.protocolViolation("recording \(id) is not in the catalog"))
    }
    func cancel() {}
}

/// The catalog `read` follows, replaced by each fresh listing. A lock rather than an actor:
/// `read` is synchronous.
private final class CatalogState: @unchecked Sendable {
    private let lock = NSLock()
    private var catalog: VolumeCatalog
    private var listed = false

    init(_ catalog: VolumeCatalog) { self.catalog = catalog }

    var current: VolumeCatalog { lock.withLock { catalog } }

    /// True exactly once: the first listing is the one read at open.
    func takeFirstListing() -> Bool {
        lock.withLock {
            defer { listed = true }
            return !listed
        }
    }

    func replace(with fresh: VolumeCatalog) { lock.withLock { catalog = fresh } }
}
