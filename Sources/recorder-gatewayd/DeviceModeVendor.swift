import Discovery
import Dock
import EvidenceStore
import Foundation
import RecorderFamilies
import RecorderHAL
import USBLink

// Device mode's two answers to a device that is not simply a recorder to read: a vendor
// recorder's dance, started from udev and libusb, and the refusal of mass storage that is not
// a recorder (`runDevices` decides which).

/// USB mass storage's interface class.
let massStorageClass: UInt8 = 0x08

/// A vendor recorder in the bay of `device`: its interface read for the family (the device
/// database tells amba-ascii from amba-ctrl by the bulk endpoints), the link opened, and the
/// dance started, fed by the udev loop through `dances`. Says on stderr why not, when it cannot.
func dockVendor(_ device: DockedDevice, usb: USBContext, gateway: Gateway, database: DeviceDatabase, dances: DanceBoard,
                        patience: Duration, capturePath: String?) async {
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
    guard let bus = dances.start(device, serial: link.serialNumber) else {
        log("bay \(port): a dock is still running there; ignored")
        await link.close()
        return
    }
    let appearance = VendorAppearance(port: port, link: link, family: family, bus: bus)
    let started = await gateway.dockVendor(appearance, capture: capturePath, driverFor: { arrival in
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
/// opened; refused as `--simulate` refuses one (`Gateway.refuseMassStorage`).
func refuse(_ device: DockedDevice, model: RecorderModel?, gateway: Gateway) async {
    await gateway.refuseMassStorage(port: device.portPath, vendorId: device.vendorId, productId: device.productId,
                                    modelName: model?.name, usbSerial: device.serial)
}
