import Discovery
import Dock
import EvidenceStore
import Foundation
import RecorderFamilies
import RecorderHAL
import USBLink

/// The service proper: recorders found through udev, reached through libusb.
func runDevices(gateway: Gateway, database: DeviceDatabase, display: ProgressDisplay, json: Bool,
                idleExit: Duration?, capturing: Bool = false,
                capture: @escaping @Sendable (any RecorderLink, String) -> any RecorderLink,
                capturePath: @escaping @Sendable (String) -> String? = { _ in nil }) async -> Int32 {
    let usb: USBContext
    do { usb = try USBContext() } catch { die("cannot start libusb: \(error)", 74) }
    // The models it knows, and every mass-storage device: those it must refuse, and say so.
    let discovery = RecorderDiscovery(wanted: { d in !database.models(vendorId: d.vendorId, productId: d.productId).isEmpty || d.isMassStorage })
    let dances = DanceBoard()
    let events: AsyncStream<DockEvent>
    do { events = try discovery.events() } catch { die("cannot watch udev: \(error)", 74) }
    let recovered = await gateway.announceStart(mode: "usb")
    for bag in recovered { log("bag \(bag) was sealed before the gateway stopped; the audit log names it now") }
    SystemdNotifier.ready()
    let watchdog = SystemdNotifier.startWatchdog()
    display.start()
    let started = ContinuousClock.now
    let lastActivity = ActivityClock()
    // Bays whose recorder is being opened (and may be retried for the open's patience): busy.
    let opening = Tally()
    let patience: Duration = .seconds(2)

    // Exit when nothing has happened for the idle interval (tests, --once), else run forever.
    if let idleExit {
        Task {
            while true {
                try? await Task.sleep(for: .milliseconds(200))
                let busy = await gateway.runningDocks > 0 || opening.value > 0
                if busy { lastActivity.touch() }
                if !busy && lastActivity.idleFor >= idleExit {
                    discovery.stop()
                    return
                }
            }
        }
    }
    for await event in events {
        lastActivity.touch()
        switch event {
        case .docked(let device):
            let known = database.models(vendorId: device.vendorId, productId: device.productId)
            if known.contains(where: { DriverRegistry.builtIn.storageSwitch(named: $0.driver) != nil }) {
                // A vendor recorder: the dance (unlock, switch, its return as a disk).
                opening.add(1)
                Task {
                    await dockVendor(device, usb: usb, gateway: gateway, database: database, dances: dances, patience: patience,
                                     capturePath: capturePath(device.portPath))
                    opening.add(-1)
                    lastActivity.touch()
                }
                continue
            }
            // Ids the database lists for another interface (a protocol v1 recorder) keep their
            // model's path: it claims only its own class, and says why it cannot.
            let otherClass = !known.isEmpty && !known.contains(where: { $0.interfaceClass == massStorageClass })
            if (device.isMassStorage && !otherClass) || known.contains(where: { $0.interfaceClass == massStorageClass }) {
                // A disk: a vendor recorder's return (the dance on that port takes it), a
                // mass-storage recorder, or a stranger's stick, which is never opened.
                let arrival = MassStorageArrival(port: device.portPath, vendorId: device.vendorId, productId: device.productId,
                                                 open: { () throws(ArrivalOpenError) in
                    do throws(USBError) {
                        return try await usb.openTransferLink(bus: device.bus, address: device.address, patience: patience)
                    } catch {
                        throw ArrivalOpenError("\(error)")
                    }
                })
                if dances.deliver(arrival, serial: device.serial) { continue }
                guard let model = database.model(vendorId: device.vendorId, productId: device.productId, interfaceClass: massStorageClass),
                      !model.readAfterUnlockOnly else {
                    await refuse(device, model: database.model(vendorId: device.vendorId, productId: device.productId,
                                                               interfaceClass: massStorageClass), gateway: gateway)
                    continue
                }
            }
            guard let model = database.model(vendorId: device.vendorId, productId: device.productId),
                  let driver = DriverRegistry.builtIn.driver(for: model) else { continue }
            log("bay \(device.portPath): \(model.name) docked (usb \(device.bus)/\(device.address))")
            opening.add(1)
            Task {
                let node = String(format: "/dev/bus/usb/%03d/%03d", device.bus, device.address)
                let retries = Tally()
                do throws(USBError) {
                    let retrying: @Sendable (USBError) -> Void = { error in
                        // Once per dock: the hotplug event often comes before udev's rule is applied.
                        if retries.add(1) == 1 {
                            log("bay \(device.portPath): \(error)\(error.isAccessDenied ? " (permissions: udev may not have applied the rule to \(node) yet)" : ""); retrying for up to \(patience)")
                        }
                    }
                    // The link in the shape the family speaks over.
                    let link: DeviceLink
                    switch driver.linkShape {
                    case .stream:
                        link = .stream(capture(try await usb.openRecorderLink(bus: device.bus, address: device.address, interfaceClass: model.interfaceClass,
                                                                              patience: patience, retrying: retrying), device.portPath))
                    case .transfers:
                        // Captures hold protocol v1's framed stream; a mass-storage dock is not one.
                        if capturing { log("bay \(device.portPath): not captured: --capture-dir records protocol v1's framed streams, and \(model.name) is a mass-storage disk") }
                        link = .transfers(try await usb.openTransferLink(bus: device.bus, address: device.address, interfaceClass: model.interfaceClass,
                                                                         patience: patience, retrying: retrying))
                    }
                    opening.add(-1)
                    if retries.value > 0 { log("bay \(device.portPath): opened at attempt \(retries.value + 1)") }
                    if !(await gateway.dock(link: link, driver: driver, port: device.portPath)) {
                        log("bay \(device.portPath): a dock is still running there; ignored")
                        await link.close()
                    }
                } catch {
                    opening.add(-1)
                    let hint = error.isAccessDenied
                        ? "; permissions: the service may not write \(node): is the udev rule installed and the service in its group? (Docs/operations.md)"
                        : ""
                    log("bay \(device.portPath): cannot open the recorder: \(error)\(hint)")
                    gateway.context.progress.update(device.portPath) {
                        $0.phase = .error
                        $0.note = "cannot open the recorder: \(error)\(hint)"
                        $0.diagnostics.openError = "\(error)"
                    }
                }
                lastActivity.touch()
            }
        case .undocked(let device):
            // A dance's vendor device leaving is its departure after the switch, not an undock.
            if !dances.departed(device) { log("bay \(device.portPath): undocked") }
        }
    }
    let outcomes = await gateway.waitUntilIdle()
    watchdog?.cancel()
    display.stop()
    let elapsed = ContinuousClock.now - started
    printSummary(outcomes, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, json: json,
                 recovered: recovered)
    usb.shutdown()
    // An idle kiosk is not a failure: with no dock at all, nothing went unverified.
    return await gateway.docksNotAllVerified == 0 ? 0 : 1
}

func log(_ line: String) {
    FileHandle.standardError.write(Data("recorder-gatewayd: \(line)\n".utf8))
}

/// A count shared between tasks.
final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    /// Adds `n` and returns the new count.
    @discardableResult func add(_ n: Int) -> Int { lock.lock(); defer { lock.unlock() }; count += n; return count }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

/// When the service last saw anything happen.
final class ActivityClock: @unchecked Sendable {
    private let lock = NSLock()
    private var last = ContinuousClock.now
    func touch() { lock.lock(); last = .now; lock.unlock() }
    var idleFor: Duration { lock.lock(); defer { lock.unlock() }; return .now - last }
}
