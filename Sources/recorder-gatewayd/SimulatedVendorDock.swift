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
        capturer.sayNotCaptured(port: port)
        let (bus, arrivals) = AsyncStream<VendorAppearance.BusEvent>.makeStream()
        // The device's re-appearance, as the bus would report it: on its port, or another.
        Task {
            for await event in device.events {
                switch event {
                case .leftBus: arrivals.yield(.departed)
                case .reappeared(let disk, let vid, let pid, let other):
                    arrivals.yield(.arrived(MassStorageArrival(port: other ?? port, link: disk.hostEnd, vendorId: vid, productId: pid)))
                case .cannotReappear(let why):
                    log("bay \(port): the simulated recorder cannot come back as a disk: \(why)")
                }
            }
        }
        let database = self.database
        let appearance = VendorAppearance(port: port, link: device.hostEnd, family: family, bus: bus)
        let started = await gateway.dockVendor(appearance) { arrival in
            database.model(vendorId: arrival.vendorId, productId: arrival.productId, interfaceClass: Self.massStorageClass)
                .flatMap { DriverRegistry.builtIn.driver(for: $0) }
        }
        if !started {
            log("bay \(port): a dock is still running there; ignored")
            await device.hostEnd.close()
            return nil
        }
        return device
    }

    /// One line for the log about what a simulated vendor device received: every command, in
    /// words, and how many carried the password (never the password itself).
    static func report(_ device: SimulatedVendorRecorder, port: String) -> String {
        let log = device.log
        return "bay \(port): the simulated \(device.family.rawValue) device received \(log.entries.count) commands, "
            + "\(log.passwordAttempts) carrying a password: \(log.commands.joined(separator: " "))"
    }
}
