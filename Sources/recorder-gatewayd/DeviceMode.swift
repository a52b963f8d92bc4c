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
                capture: @escaping @Sendable (any RecorderLink, String) -> any RecorderLink) async -> Int32 {
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
                                     capturing: capturing)
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

/// USB mass storage's interface class.
let massStorageClass: UInt8 = 0x08

/// A vendor recorder in the bay of `device`: its interface read for the family (the device
/// database tells amba-ascii from amba-ctrl by the bulk endpoints), the link opened, and the
/// dance started, fed by the udev loop through `dances`. Says on stderr why not, when it cannot.
private func dockVendor(_ device: DockedDevice, usb: USBContext, gateway: Gateway, database: DeviceDatabase, dances: DanceBoard,
                        patience: Duration, capturing: Bool) async {
    let port = device.portPath
    let ids = String(format: "%04x:%04x", device.vendorId, device.productId)
    let link: USBTransferPipes
    let family: any StorageSwitchDriver
    let modelName: String
    do throws(USBError) {
        guard let interface = try await usb.vendorInterface(bus: device.bus, address: device.address, patience: patience) else {
            log("bay \(port): USB device \(ids) has no vendor-specific interface; not a vendor family; ignored")
            return
        }
        let endpoints = interface.bulkEndpoints.sorted().map { String(format: "%02x", $0) }.joined(separator: ", ")
        guard let model = database.model(vendorId: device.vendorId, productId: device.productId, interfaceClass: 0xFF,
                                         bulkEndpoints: interface.bulkEndpoints),
              let switcher = DriverRegistry.builtIn.storageSwitch(named: model.driver) else {
            log("bay \(port): USB device \(ids) with a vendor interface and bulk endpoints [\(endpoints)] is not a vendor family in the device database; ignored")
            return
        }
        family = switcher
        modelName = model.name
        link = try await usb.openVendorLink(bus: device.bus, address: device.address, patience: patience)
    } catch {
        let hint = error.isAccessDenied ? "; permissions: is the udev rule installed and the service in its group? (Docs/operations.md)" : ""
        log("bay \(port): cannot open the vendor recorder: \(error)\(hint)")
        gateway.context.progress.update(port) {
            $0.phase = .error
            $0.note = "cannot open the recorder: \(error)\(hint)"
            $0.diagnostics.openError = "\(error)"
        }
        return
    }
    log("bay \(port): \(modelName) docked (usb \(device.bus)/\(device.address), \(link.description))")
    if capturing { log("bay \(port): not captured: --capture-dir records protocol v1's framed streams, and this recorder speaks a vendor family") }
    let bus = dances.start(device, serial: link.serialNumber)
    let appearance = VendorAppearance(port: port, link: link, family: family, bus: bus)
    let started = await gateway.dockVendor(appearance, driverFor: { arrival in
        database.model(vendorId: arrival.vendorId, productId: arrival.productId, interfaceClass: massStorageClass)
            .flatMap { DriverRegistry.builtIn.driver(for: $0) }
    }, ended: { _ in dances.end(port: port) })
    if !started {
        dances.end(port: port)
        log("bay \(port): a dock is still running there; ignored")
        await link.close()
    }
}

/// A mass-storage device no dance took, that is not a recorder to read as it is: never
/// opened; said once (stderr), shown as refused in its bay, and audited `device-refused`.
private func refuse(_ device: DockedDevice, model: RecorderModel?, gateway: Gateway) async {
    let ids = String(format: "%04x:%04x", device.vendorId, device.productId)
    let bay = gateway.context.config.bayName(port: device.portPath)
    let reason = model.map { "\($0.name) \(ids) did not arrive through an unlock on that port" }
        ?? "USB mass storage \(ids) is not a recorder"
    log("bay \(bay): \(reason); not read")
    gateway.context.progress.update(device.portPath) {
        // Nothing of an earlier dock in that bay belongs to this device.
        $0.serial = nil; $0.officer = nil; $0.officerName = nil; $0.bag = nil; $0.bags = []
        $0.bytesDone = 0; $0.bytesTotal = 0; $0.batteryPercent = nil; $0.storageFreeBytes = nil; $0.clockOffsetMilliseconds = nil
        $0.started = Date(); $0.ended = nil
        $0.phase = .refused
        $0.note = "\(reason); not read"
    }
    var detail = ["port": device.portPath, "usb": ids, "reason": reason]
    if let serial = device.serial { detail["usbSerial"] = String(decoding: serial.utf8.filter { (0x20..<0x7F).contains($0) }.prefix(64), as: UTF8.self) }
    do {
        try await gateway.context.audit.append(.deviceRefused, bay: bay, detail: detail)
    } catch {
        log("bay \(bay): cannot write the audit log: \(error)")
    }
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
