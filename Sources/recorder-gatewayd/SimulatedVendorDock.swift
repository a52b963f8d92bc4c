import Dock
import Foundation
import RecorderFamilies
import RecorderHAL
import RecorderSimulator

/// A scenario's vendor recorder (amba-ctrl, amba-ascii) docked as the service docks the real
/// device: the device database picks the family by the USB ids and the vendor interface's bulk
/// endpoints (amba-ascii's 0x01/0x81, amba-ctrl's none), the gateway runs the dance
/// (`Gateway.dockVendor`), and the simulated device's re-appearance as mass storage is handed
/// to it as a `MassStorageArrival` on the port it came back on.
extension SimulatedDock {
    /// The vendor interface class, and the bulk endpoints each simulated family presents.
    static func bulkEndpoints(_ family: VendorScenario.Family) -> Set<UInt8> {
        switch family {
        case .ambaASCII: [0x01, 0x81]
        case .ambaControl: []
        }
    }

    /// Docks the vendor recorder `recorder` in the bay at `port`; says on stderr why not, when
    /// it cannot. Returns the simulated device, for `report` once its dock is over.
    func dockVendor(_ recorder: RecorderScenario, port: String) async -> SimulatedVendorRecorder? {
        guard let vendor = recorder.vendor else { return nil }
        let endpoints = Self.bulkEndpoints(vendor.family)
        guard let model = database.model(vendorId: recorder.vendorId, productId: recorder.productId, interfaceClass: Self.vendorClass,
                                         bulkEndpoints: endpoints),
              let family = DriverRegistry.builtIn.storageSwitch(named: model.driver) else {
            log("bay \(port): USB device \(String(format: "%04x:%04x", recorder.vendorId, recorder.productId)) with a vendor interface and bulk endpoints "
                + "[\(endpoints.sorted().map { String(format: "%02x", $0) }.joined(separator: ", "))] is not a vendor family in the device database; ignored")
            return nil
        }
        guard let device = SimulatedVendorRecorder(recorder, name: port) else { return nil }
        let (news, tell) = AsyncStream<DeviceNews>.makeStream()
        Task {
            for await event in device.events {
                switch event {
                case .leftBus: tell.yield(.leftBus)
                case .reappeared(let disk, let vid, let pid, let other): tell.yield(.reappeared(disk.hostEnd, vendorId: vid, productId: pid, port: other))
                case .cannotReappear(let why): tell.yield(.cannotReappear(why))
                }
            }
            tell.finish()
        }
        return await dance(port: port, family: family, link: device.hostEnd, news: news) ? device : nil
    }

    /// Docks the vendor recorder played back from the capture at `path` (`VendorReplay`) in the
    /// bay at `port`: the family is the one the capture names, and the dance is the same as a
    /// simulated recorder's. Says on stderr why not, when it cannot; true when it docked.
    func dockVendorReplay(capture path: String, port: String) async -> Bool {
        let replay: VendorReplay
        do {
            replay = try VendorReplay(capture: path, name: port)
        } catch {
            log("bay \(port): cannot replay \(error)")
            return false
        }
        guard let family = DriverRegistry.builtIn.storageSwitch(named: replay.family) else {
            log("bay \(port): cannot replay \(path): its family \(replay.family) is not a vendor family of this gateway")
            return false
        }
        let (news, tell) = AsyncStream<DeviceNews>.makeStream()
        Task {
            for await event in replay.events {
                switch event {
                case .leftBus: tell.yield(.leftBus)
                case .reappeared(let disk, let vid, let pid, let other): tell.yield(.reappeared(disk, vendorId: vid, productId: pid, port: other))
                }
            }
            tell.finish()
        }
        return await dance(port: port, family: family, link: replay.hostEnd, news: news)
    }

    /// What a simulated or replayed vendor device does on the bus after the switch.
    enum DeviceNews: Sendable {
        case leftBus
        case reappeared(any USBTransferLink, vendorId: UInt16, productId: UInt16, port: String?)
        case cannotReappear(String)
    }

    /// Runs the gateway's dance (`Gateway.dockVendor`) on the vendor interface `link` in the bay
    /// at `port`, telling it the device's `news` as the bus would; false when a dock is still
    /// running there.
    private func dance(port: String, family: any StorageSwitchDriver, link: any USBTransferLink, news: AsyncStream<DeviceNews>) async -> Bool {
        let (bus, arrivals) = AsyncStream<VendorAppearance.BusEvent>.makeStream()
        let dance = DanceBus(arrivals)
        let database = self.database, gateway = self.gateway
        // The device's re-appearance, as the bus would report it: on its port, or another. A
        // disk that comes once the dance is over (after its wait) is refused unread, as device
        // mode refuses it (`Gateway.refuseMassStorage`).
        Task {
            for await event in news {
                switch event {
                case .leftBus: _ = dance.tell(.departed)
                case .reappeared(let disk, let vid, let pid, let other):
                    let arrival = MassStorageArrival(port: other ?? port, link: disk, vendorId: vid, productId: pid)
                    if dance.tell(.arrived(arrival)) { continue }
                    await disk.close()
                    let model = database.model(vendorId: vid, productId: pid, interfaceClass: Self.massStorageClass)
                    await gateway.refuseMassStorage(port: arrival.port, vendorId: vid, productId: pid, modelName: model?.name,
                                                    usbSerial: disk.serialNumber)
                case .cannotReappear(let why):
                    log("bay \(port): the simulated recorder cannot come back as a disk: \(why)")
                }
            }
        }
        let appearance = VendorAppearance(port: port, link: link, family: family, bus: bus)
        let started = await gateway.dockVendor(appearance, capture: capturer.path(port: port), driverFor: { arrival in
            database.model(vendorId: arrival.vendorId, productId: arrival.productId, interfaceClass: Self.massStorageClass)
                .flatMap { DriverRegistry.builtIn.driver(for: $0) }
        }, ended: { _ in dance.end() })
        if !started {
            dance.end()
            log("bay \(port): a dock is still running there; ignored")
            await link.close()
            return false
        }
        return true
    }

    /// One line for the log about what a simulated vendor device received: every command, in
    /// words, and how many carried the password (never the password itself).
    static func report(_ device: SimulatedVendorRecorder, port: String) -> String {
        let log = device.log
        return "bay \(port): the simulated \(device.family.rawValue) device received \(log.entries.count) commands, "
            + "\(log.passwordAttempts) carrying a password: \(log.commands.joined(separator: " "))"
    }
}

/// A simulated dance's bus while the dance listens (`tell` hands it an event), then closed
/// (`end`, when the dance is over): what comes later is the adapter's to refuse, as device
/// mode's `DanceBoard` leaves it to the udev loop. Thread-safe.
final class DanceBus: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: AsyncStream<VendorAppearance.BusEvent>.Continuation?

    init(_ continuation: AsyncStream<VendorAppearance.BusEvent>.Continuation) { self.continuation = continuation }

    /// Tells the dance `event`; false once it is over.
    func tell(_ event: VendorAppearance.BusEvent) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let continuation else { return false }
        continuation.yield(event)
        return true
    }

    /// The dance is over: nothing more is told to it.
    func end() {
        lock.lock()
        let c = continuation
        continuation = nil
        lock.unlock()
        c?.finish()
    }
}
