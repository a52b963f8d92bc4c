import CLibUSB
import Foundation
import RecorderHAL

/// A USB device as libusb enumerates it.
public struct USBDeviceInfo: Hashable, Sendable {
    public var bus: UInt8
    public var address: UInt8
    /// "1-1.3": bus, then the port numbers from the root hub, as the kernel names it.
    public var portPath: String
    public var vendorId: UInt16
    public var productId: UInt16
}

/// One libusb context and the thread that runs its event loop. Every USB link of the gateway
/// shares it; transfers complete on that one thread.
///
/// Guarantees: the event thread runs from `init` until `shutdown()`; no libusb type leaves this
/// module.
public final class USBContext: @unchecked Sendable {
    let context: OpaquePointer
    private let lock = NSLock()
    private var running = true
    private var thread: Thread?
    private let stopped = DispatchSemaphore(value: 0)

    public init() throws(USBError) {
        var ctx: OpaquePointer?
        let rc = libusb_init(&ctx)
        guard rc == 0, let ctx else { throw USBError("libusb_init", rc) }
        context = ctx
        let thread = Thread { [unowned self] in self.eventLoop() }
        thread.name = "libusb-events"
        self.thread = thread
        thread.start()
    }

    private func eventLoop() {
        while isRunning {
            var tv = timeval(tv_sec: 1, tv_usec: 0)
            libusb_handle_events_timeout_completed(context, &tv, nil)
        }
        stopped.signal()
    }

    private var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return running
    }

    /// Stops the event thread and frees the context. Close every link first.
    public func shutdown() {
        lock.lock()
        let wasRunning = running
        running = false
        lock.unlock()
        guard wasRunning else { return }
        libusb_interrupt_event_handler(context)
        stopped.wait()
        libusb_exit(context)
    }

    /// The USB devices present now.
    public func devices() throws(USBError) -> [USBDeviceInfo] {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = libusb_get_device_list(context, &list)
        guard count >= 0, let list else { throw USBError("libusb_get_device_list", Int32(count)) }
        defer { libusb_free_device_list(list, 1) }
        var out: [USBDeviceInfo] = []
        for i in 0..<count {
            guard let device = list[i] else { continue }
            if let info = Self.info(device) { out.append(info) }
        }
        return out
    }

    static func info(_ device: OpaquePointer) -> USBDeviceInfo? {
        var descriptor = libusb_device_descriptor()
        guard libusb_get_device_descriptor(device, &descriptor) == 0 else { return nil }
        let bus = libusb_get_bus_number(device)
        var ports = [UInt8](repeating: 0, count: 8)
        let n = libusb_get_port_numbers(device, &ports, Int32(ports.count))
        let path = n > 0 ? "\(bus)-" + ports[0..<Int(n)].map(String.init).joined(separator: ".") : "usb\(bus)"
        return USBDeviceInfo(bus: bus, address: libusb_get_device_address(device), portPath: path,
                             vendorId: descriptor.idVendor, productId: descriptor.idProduct)
    }

    /// Opens the device at `bus`/`address` and claims its first interface of class
    /// `interfaceClass`, retrying for `patience` because permissions and the kernel's own
    /// probing can lag the hotplug event. `retrying` hears of every failed attempt that will be
    /// tried again; the last failure is thrown.
    public func openRecorderLink(bus: UInt8, address: UInt8, interfaceClass: UInt8 = 0xFF,
                                 transfersInFlight: Int = 4, patience: Duration = .seconds(2),
                                 retrying: (@Sendable (USBError) -> Void)? = nil) async throws(USBError) -> USBBulkLink {
        try await retryingOpen(patience: patience, retrying: retrying) { () throws(USBError) in
            try openOnce(bus: bus, address: address, interfaceClass: interfaceClass, inFlight: transfersInFlight)
        }
    }

    /// Opens the device at `bus`/`address` and claims its first interface of `interfaceClass`,
    /// `subclass` and `protocol` (USB mass storage with Bulk-Only Transport: 08/06/50) for
    /// exact-sized transfers, after the kernel's driver for it (usb-storage) is detached
    /// (libusb gives the interface back to it when the link closes). Retries as
    /// `openRecorderLink` does.
    public func openTransferLink(bus: UInt8, address: UInt8, interfaceClass: UInt8 = 0x08, subclass: UInt8 = 0x06,
                                 protocol interfaceProtocol: UInt8 = 0x50, patience: Duration = .seconds(2),
                                 retrying: (@Sendable (USBError) -> Void)? = nil) async throws(USBError) -> USBTransferPipes {
        try await retryingOpen(patience: patience, retrying: retrying) { () throws(USBError) in
            let claimed = try claim(bus: bus, address: address, interfaceClass: interfaceClass, subclass: subclass,
                                    protocol: interfaceProtocol)
            return USBTransferPipes(handle: claimed.handle, interface: claimed.endpoints.interface, outEndpoint: claimed.endpoints.out,
                                    inEndpoint: claimed.endpoints.in, maxPacket: claimed.endpoints.maxPacket,
                                    name: "usb \(claimed.name) if \(claimed.endpoints.interface) ep 0x\(String(claimed.endpoints.out, radix: 16))/0x\(String(claimed.endpoints.in, radix: 16))",
                                    serialNumber: Self.serialNumber(claimed.handle))
        }
    }

    /// The device's iSerialNumber string (libusb's ASCII reading of its first language), nil
    /// when it has none or the read fails: an identity hint, never a reason to fail the open.
    static func serialNumber(_ handle: OpaquePointer) -> String? {
        var descriptor = libusb_device_descriptor()
        guard let device = libusb_get_device(handle), libusb_get_device_descriptor(device, &descriptor) == 0,
              descriptor.iSerialNumber != 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = libusb_get_string_descriptor_ascii(handle, descriptor.iSerialNumber, &buffer, Int32(buffer.count))
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<Int(n)], as: UTF8.self)
    }

    /// `open()` until it succeeds, a failure that cannot pass, or `patience` runs out.
    func retryingOpen<Link>(patience: Duration, retrying: (@Sendable (USBError) -> Void)?,
                                    _ open: () throws(USBError) -> Link) async throws(USBError) -> Link {
        let deadline = ContinuousClock.now + patience
        while true {
            do {
                return try open()
            } catch {
                // Permissions and the kernel can lag the hotplug event; descriptors do not change.
                // OTHER too: a claim racing the kernel's (or another bay's) probing right after
                // the event fails with it, and succeeds a moment later.
                let retryable = error.isAccessDenied || error.isBusy || error.code == LIBUSB_ERROR_NOT_FOUND.rawValue
                    || error.code == LIBUSB_ERROR_IO.rawValue || error.code == LIBUSB_ERROR_OTHER.rawValue
                if !retryable || ContinuousClock.now >= deadline { throw error }
                retrying?(error)
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    private func openOnce(bus: UInt8, address: UInt8, interfaceClass: UInt8, inFlight: Int) throws(USBError) -> USBBulkLink {
        let claimed = try claim(bus: bus, address: address, interfaceClass: interfaceClass, subclass: nil, protocol: nil)
        let endpoints = claimed.endpoints
        return USBBulkLink(context: self, handle: claimed.handle, interface: endpoints.interface, outEndpoint: endpoints.out,
                           inEndpoint: endpoints.in, maxPacket: endpoints.maxPacket, inFlight: inFlight,
                           name: "usb \(claimed.name) ep 0x\(String(endpoints.out, radix: 16))/0x\(String(endpoints.in, radix: 16))")
    }

    /// Opens the device at `bus`/`address`, detaches the kernel's driver from the matching
    /// interface and claims it. The handle is the caller's to close.
    private func claim(bus: UInt8, address: UInt8, interfaceClass: UInt8, subclass: UInt8?, protocol interfaceProtocol: UInt8?)
        throws(USBError) -> (handle: OpaquePointer, endpoints: (interface: UInt8, out: UInt8, in: UInt8, maxPacket: Int), name: String) {
        let claimed = try claimInterface(bus: bus, address: address, interfaceClass: interfaceClass, subclass: subclass,
                                         protocol: interfaceProtocol, needsBulk: true)
        // needsBulk: the layout has both.
        let l = claimed.layout
        return (claimed.handle, (l.interface, l.out ?? 0, l.in ?? 0, l.maxPacket), claimed.name)
    }

    /// The device at `bus`/`address` in libusb's list (a new reference, the caller's to unref).
    func findDevice(bus: UInt8, address: UInt8) throws(USBError) -> OpaquePointer {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = libusb_get_device_list(context, &list)
        guard count >= 0, let list else { throw USBError("libusb_get_device_list", Int32(count)) }
        defer { libusb_free_device_list(list, 1) }
        for i in 0..<count {
            if let d = list[i], libusb_get_bus_number(d) == bus, libusb_get_device_address(d) == address { return libusb_ref_device(d) }
        }
        throw USBError("find USB device \(bus)/\(address)", LIBUSB_ERROR_NOT_FOUND.rawValue)
    }

    /// Opens the device at `bus`/`address`, detaches the kernel's driver from the first
    /// interface of the class given (with a bulk IN and OUT endpoint when `needsBulk`) and
    /// claims it. The handle is the caller's to close.
    func claimInterface(bus: UInt8, address: UInt8, interfaceClass: UInt8, subclass: UInt8?, protocol interfaceProtocol: UInt8?,
                        needsBulk: Bool) throws(USBError) -> (handle: OpaquePointer, layout: InterfaceLayout, name: String) {
        let device = try findDevice(bus: bus, address: address)
        defer { libusb_unref_device(device) }
        let info = Self.info(device)
        let name = info?.portPath ?? "\(bus)/\(address)"
        guard let layout = try Self.layout(device, interfaceClass: interfaceClass, subclass: subclass, protocol: interfaceProtocol,
                                           needsBulk: needsBulk) else {
            // NOT_SUPPORTED, not NOT_FOUND: the device is there but unusable, and retrying cannot help.
            throw USBError("find a \(Self.kind(interfaceClass, subclass, interfaceProtocol)) interface"
                           + (needsBulk ? " with a bulk IN and a bulk OUT endpoint" : ""), LIBUSB_ERROR_NOT_SUPPORTED.rawValue)
        }
        var handle: OpaquePointer?
        var rc = libusb_open(device, &handle)
        guard rc == 0, let handle else { throw USBError("libusb_open \(name)", rc) }
        // The kernel must let go of the interface first, and is not given it back when we
        // release it (libusb's auto-detach would re-attach): a recorder's volume must not be
        // bound to usb-storage, and mounted by udisks, the moment the gateway lets go. No
        // kernel driver (the usual case, and umockdev) is not an error.
        if libusb_kernel_driver_active(handle, Int32(layout.interface)) == 1 {
            _ = libusb_detach_kernel_driver(handle, Int32(layout.interface))
        }
        rc = libusb_claim_interface(handle, Int32(layout.interface))
        guard rc == 0 else {
            libusb_close(handle)
            throw USBError("claim interface \(layout.interface) of \(name)", rc)
        }
        // The endpoints were found in an alternate setting: make it the active one.
        if layout.alternate != 0 {
            rc = libusb_set_interface_alt_setting(handle, Int32(layout.interface), Int32(layout.alternate))
            guard rc == 0 else {
                libusb_release_interface(handle, Int32(layout.interface))
                libusb_close(handle)
                throw USBError("select alternate setting \(layout.alternate) of interface \(layout.interface) of \(name)", rc)
            }
        }
        return (handle, layout, name)
    }

    /// One interface's alternate setting as its descriptors give it: where the gateway's
    /// pipes are, read from the configuration rather than assumed.
    struct InterfaceLayout {
        var interface: UInt8
        var alternate: UInt8
        /// The first bulk OUT and bulk IN endpoints, when it has them.
        var out: UInt8?
        var `in`: UInt8?
        /// Every bulk endpoint's address (IN ones with bit 7 set).
        var bulkEndpoints: Set<UInt8>
        var maxPacket: Int
    }

    /// The first alternate setting of an interface of `interfaceClass` (and `subclass` and
    /// `protocol` when given) in the active configuration (else the first), that has a bulk IN
    /// and a bulk OUT endpoint when `needsBulk`; nil when there is none.
    static func layout(_ device: OpaquePointer, interfaceClass: UInt8, subclass: UInt8? = nil,
                       protocol interfaceProtocol: UInt8? = nil, needsBulk: Bool) throws(USBError) -> InterfaceLayout? {
        var config: UnsafeMutablePointer<libusb_config_descriptor>?
        var rc = libusb_get_active_config_descriptor(device, &config)
        if rc != 0 { rc = libusb_get_config_descriptor(device, 0, &config) }
        guard rc == 0, let config else { throw USBError("read configuration descriptor", rc) }
        defer { libusb_free_config_descriptor(config) }
        for i in 0..<Int(config.pointee.bNumInterfaces) {
            let interface = config.pointee.interface[i]
            for a in 0..<Int(interface.num_altsetting) {
                let alt = interface.altsetting[a]
                guard alt.bInterfaceClass == interfaceClass,
                      subclass.map({ alt.bInterfaceSubClass == $0 }) ?? true,
                      interfaceProtocol.map({ alt.bInterfaceProtocol == $0 }) ?? true else { continue }
                var layout = InterfaceLayout(interface: alt.bInterfaceNumber, alternate: alt.bAlternateSetting, out: nil, in: nil,
                                             bulkEndpoints: [], maxPacket: 64)
                for e in 0..<Int(alt.bNumEndpoints) {
                    let ep = alt.endpoint[e]
                    guard ep.bmAttributes & 0x03 == UInt8(LIBUSB_TRANSFER_TYPE_BULK.rawValue) else { continue }
                    // An endpoint that cannot carry a packet is no endpoint at all.
                    guard ep.wMaxPacketSize & 0x7FF > 0 else { continue }
                    layout.bulkEndpoints.insert(ep.bEndpointAddress)
                    if ep.bEndpointAddress & 0x80 != 0 {
                        if layout.in == nil { layout.in = ep.bEndpointAddress; layout.maxPacket = Int(ep.wMaxPacketSize & 0x7FF) }
                    } else if layout.out == nil {
                        layout.out = ep.bEndpointAddress
                    }
                }
                if !needsBulk || (layout.out != nil && layout.in != nil) { return layout }
            }
        }
        return nil
    }

    /// The interface number and bulk endpoints of the first interface of `interfaceClass` (and
    /// `subclass` and `protocol` when given), read from the active configuration rather than
    /// assumed.
    static func bulkEndpoints(_ device: OpaquePointer, interfaceClass: UInt8, subclass: UInt8? = nil,
                              protocol interfaceProtocol: UInt8? = nil) throws(USBError)
        -> (interface: UInt8, alternate: UInt8, out: UInt8, in: UInt8, maxPacket: Int) {
        if let l = try layout(device, interfaceClass: interfaceClass, subclass: subclass, protocol: interfaceProtocol, needsBulk: true),
           let out = l.out, let input = l.in {
            return (l.interface, l.alternate, out, input, l.maxPacket)
        }
        // NOT_SUPPORTED, not NOT_FOUND: the device is there but unusable, and retrying cannot help.
        throw USBError("find a \(kind(interfaceClass, subclass, interfaceProtocol)) interface with a bulk IN and a bulk OUT endpoint",
                       LIBUSB_ERROR_NOT_SUPPORTED.rawValue)
    }

    static func kind(_ interfaceClass: UInt8, _ subclass: UInt8?, _ interfaceProtocol: UInt8?) -> String {
        "class 0x\(String(interfaceClass, radix: 16))" + (subclass.map { " subclass 0x\(String($0, radix: 16))" } ?? "")
            + (interfaceProtocol.map { " protocol 0x\(String($0, radix: 16))" } ?? "")
    }
}
