import Dock
import Foundation
import RecorderFamilies
import RecorderHAL
import RecorderSimulator

/// A scenario recorder docked as the binaries dock a USB device: the device database picks
/// the driver by the recorder's USB ids and interface class, and the link has the shape that
/// driver speaks over. A recorder with `"storage"` is a mass-storage disk (interface class 08,
/// `SimulatedMassStorage` over the scenario's link model, a `.transfers` link); any other
/// speaks protocol v1 (interface class FF, a `.stream` link).
struct SimulatedDock {
    let gateway: Gateway
    let database: DeviceDatabase
    let capturer: LinkCapturer

    /// bInterfaceClass of USB mass storage, and of the vendor interface protocol v1 uses.
    static let massStorageClass: UInt8 = 0x08
    static let vendorClass: UInt8 = 0xFF

    /// Docks `recorder` in the bay at `port`; says on stderr why not, when it cannot. Returns
    /// the simulated disk of a mass-storage recorder, for `report` once its dock is over.
    @discardableResult
    func dock(_ recorder: RecorderScenario, port: String) async -> SimulatedMassStorage? {
        guard let (model, driver) = Self.driver(for: recorder, database: database, port: port) else { return nil }
        let link: DeviceLink
        var docked: SimulatedMassStorage?
        switch driver.linkShape {
        case .stream:
            let device = await SimulatedRecorder.dock(recorder)
            link = .stream(capturer.wrap(device.bus.hostEnd, port: port))
        case .transfers:
            guard recorder.storage != nil else {
                log("bay \(port): \(model.name) (driver \(model.driver)) reads a mass-storage disk, but the scenario's recorder has no \"storage\"; ignored")
                return nil
            }
            let disk: SimulatedMassStorage
            do {
                guard let docked = try SimulatedMassStorage(recorder, name: port) else { return nil }
                disk = docked
            } catch {
                log("bay \(port): cannot serve the recorder's storage: \(error); ignored")
                return nil
            }
            capturer.sayNotCaptured(port: port)
            link = .transfers(disk.hostEnd)
            docked = disk
        }
        if !(await gateway.dock(link: link, driver: driver, port: port)) {
            log("bay \(port): a dock is still running there; ignored")
            await link.close()
            return nil
        }
        return docked
    }

    /// The model and driver the device database gives `recorder`, by its USB ids and the
    /// interface class it presents (08 with `"storage"`, else FF), as for a real device; nil,
    /// said on stderr, when the database has none or the driver speaks another link shape than
    /// the scenario's recorder. Both ways of docking a scenario (in this process and
    /// `--devices-out-of-process`) choose through here, so they accept the same recorders.
    static func driver(for recorder: RecorderScenario, database: DeviceDatabase, port: String) -> (RecorderModel, any RecorderDriver)? {
        let interfaceClass = recorder.storage == nil ? vendorClass : massStorageClass
        guard let model = database.model(vendorId: recorder.vendorId, productId: recorder.productId, interfaceClass: interfaceClass),
              let driver = DriverRegistry.builtIn.driver(for: model) else {
            log("bay \(port): USB device \(String(format: "%04x:%04x", recorder.vendorId, recorder.productId)) with interface class "
                + "\(String(format: "%02x", interfaceClass)) is not in the device database; ignored")
            return nil
        }
        switch (driver.linkShape, recorder.storage) {
        case (.stream, .some):
            log("bay \(port): \(model.name) (driver \(model.driver)) speaks a framed stream, but the scenario's recorder is a mass-storage disk; ignored")
            return nil
        case (.transfers, nil):
            log("bay \(port): \(model.name) (driver \(model.driver)) reads a mass-storage disk, but the scenario's recorder has no \"storage\"; ignored")
            return nil
        default:
            return (model, driver)
        }
    }

    /// One line for the log about what a simulated mass-storage device received over its dock,
    /// from its own command log: how many commands (so a test can tell that a fault counted in
    /// commands or reads was reached), each operation code with its count, the control requests
    /// and the wrappers it refused. What the write-blocker promises is checkable from outside.
    static func report(_ disk: SimulatedMassStorage, port: String) -> String {
        let log = disk.cdbLog
        let entries = log.entries
        var counts: [UInt8: Int] = [:]
        for e in entries { counts[e.opcode, default: 0] += 1 }
        let opcodes = counts.keys.sorted().map { String(format: "%02x×%d", $0, counts[$0]!) }.joined(separator: " ")
        let reads = (counts[0x28] ?? 0) + (counts[0x88] ?? 0)
        return "bay \(port): the simulated mass-storage device received \(entries.count) commands (\(reads) reads; opcodes \(opcodes.isEmpty ? "none" : opcodes)), "
            + "\(log.controlRequests.count) control requests, \(log.rejectedWrappers.count) refused wrappers"
    }
}
