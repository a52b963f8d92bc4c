import CLibUDev
import Foundation

/// A USB device as udev describes it.
public struct DockedDevice: Hashable, Sendable {
    /// /sys path, the key that ties an add to its remove.
    public var syspath: String
    /// USB port path, "1-1.3": names the bay.
    public var portPath: String
    public var bus: UInt8
    public var address: UInt8
    public var vendorId: UInt16
    public var productId: UInt16
    /// udev's ID_USB_INTERFACES: every interface's class, subclass and protocol, ":080650:" for
    /// a Bulk-Only mass-storage one; nil when udev gave none.
    public var interfaces: String? = nil
    /// udev's ID_SERIAL_SHORT (the device's iSerialNumber); untrusted, nil when it has none.
    public var serial: String? = nil

    public init(syspath: String, portPath: String, bus: UInt8, address: UInt8, vendorId: UInt16, productId: UInt16,
                interfaces: String? = nil, serial: String? = nil) {
        self.syspath = syspath
        self.portPath = portPath
        self.bus = bus
        self.address = address
        self.vendorId = vendorId
        self.productId = productId
        self.interfaces = interfaces
        self.serial = serial
    }

    /// Whether one of its interfaces is USB mass storage (class 08), by ID_USB_INTERFACES.
    public var isMassStorage: Bool {
        (interfaces ?? "").split(separator: ":").contains { $0.count == 6 && $0.hasPrefix("08") }
    }
}

/// What udev reported.
public enum DockEvent: Hashable, Sendable {
    /// A device of a known model is present: docked before the gateway started (coldplug) or
    /// just now, and still there after the debounce interval.
    case docked(DockedDevice)
    /// A device that was reported docked is gone.
    case undocked(DockedDevice)
}

/// Watches udev for the USB devices the gateway wants to hear of (the models it knows, and any
/// mass-storage device, which it must refuse): those present at start, then every add and
/// remove. The only user of libudev in the gateway.
///
/// Guarantees: every `docked` is followed by at most one `undocked` for the same syspath; a
/// device that appears and disappears within the debounce interval produces no events; libudev
/// objects are only touched on one serial queue.
public final class RecorderDiscovery: @unchecked Sendable {
    private let queue = DispatchQueue(label: "recorder-discovery")
    private let wanted: @Sendable (DockedDevice) -> Bool
    private let debounce: DispatchTimeInterval
    private var udev: OpaquePointer?
    private var monitor: OpaquePointer?
    private var source: DispatchSourceRead?
    private var continuation: AsyncStream<DockEvent>.Continuation?
    private var present: [String: DockedDevice] = [:]
    private var pending: [String: DispatchWorkItem] = [:]

    /// - Parameters:
    ///   - isRecorder: whether a vendor/product id pair is a recorder (the device database).
    ///   - debounce: how long a new device must stay before it counts as docked.
    public convenience init(isRecorder: @escaping @Sendable (UInt16, UInt16) -> Bool, debounce: Duration = .milliseconds(300)) {
        self.init(wanted: { isRecorder($0.vendorId, $0.productId) }, debounce: debounce)
    }

    /// - Parameters:
    ///   - wanted: whether a device is to be reported (its ids, interfaces, serial).
    ///   - debounce: how long a new device must stay before it counts as docked.
    public init(wanted: @escaping @Sendable (DockedDevice) -> Bool, debounce: Duration = .milliseconds(300)) {
        self.wanted = wanted
        let ms = Int(debounce.components.seconds * 1000 + debounce.components.attoseconds / 1_000_000_000_000_000)
        self.debounce = .milliseconds(ms)
    }

    /// Starts watching. Recorders already present come first (without debounce), then live
    /// events. Call once.
    public func events() throws(DiscoveryError) -> AsyncStream<DockEvent> {
        let (stream, continuation) = AsyncStream<DockEvent>.makeStream()
        var failure: DiscoveryError?
        queue.sync {
            self.continuation = continuation
            do throws(DiscoveryError) { try self.setUp() } catch { failure = error }
        }
        if let failure { throw failure }
        continuation.onTermination = { [weak self] _ in self?.stop() }
        return stream
    }

    /// Stops watching and ends the event stream.
    public func stop() {
        queue.async { [self] in
            source?.cancel()
            source = nil
            for item in pending.values { item.cancel() }
            pending.removeAll()
            if let monitor { udev_monitor_unref(monitor) }
            monitor = nil
            if let udev { udev_unref(udev) }
            udev = nil
            continuation?.finish()
            continuation = nil
        }
    }

    private func setUp() throws(DiscoveryError) {
        guard let udev = udev_new() else { throw DiscoveryError(operation: "udev_new", detail: "out of memory") }
        self.udev = udev
        // Monitor first, then enumerate: a device added in between is seen twice at worst
        // (de-duplicated by syspath), never missed.
        guard let monitor = udev_monitor_new_from_netlink(udev, "udev") else {
            throw DiscoveryError(operation: "udev_monitor_new_from_netlink", detail: "cannot listen to udev (is systemd-udevd running?)")
        }
        self.monitor = monitor
        udev_monitor_filter_add_match_subsystem_devtype(monitor, "usb", "usb_device")
        guard udev_monitor_enable_receiving(monitor) >= 0 else {
            throw DiscoveryError(operation: "udev_monitor_enable_receiving", detail: String(cString: strerror(errno)))
        }
        let fd = udev_monitor_get_fd(monitor)
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [weak self] in self?.drain() }
        source.resume()
        self.source = source
        enumerateExisting(udev)
    }

    private func enumerateExisting(_ udev: OpaquePointer) {
        guard let e = udev_enumerate_new(udev) else { return }
        defer { udev_enumerate_unref(e) }
        udev_enumerate_add_match_subsystem(e, "usb")
        udev_enumerate_add_match_property(e, "DEVTYPE", "usb_device")
        udev_enumerate_scan_devices(e)
        var entry = udev_enumerate_get_list_entry(e)
        while let current = entry {
            if let path = udev_list_entry_get_name(current), let device = udev_device_new_from_syspath(udev, path) {
                if let docked = describe(device), wanted(docked), present[docked.syspath] == nil {
                    present[docked.syspath] = docked
                    continuation?.yield(.docked(docked))
                }
                udev_device_unref(device)
            }
            entry = udev_list_entry_get_next(current)
        }
    }

    private func drain() {
        guard let monitor else { return }
        while let device = udev_monitor_receive_device(monitor) {
            defer { udev_device_unref(device) }
            let action = udev_device_get_action(device).map { String(cString: $0) } ?? ""
            if action == "remove" {
                // Known by its syspath: the event's description may lack what the add had.
                guard let syspath = udev_device_get_syspath(device).map({ String(cString: $0) }) else { continue }
                if let item = pending.removeValue(forKey: syspath) {
                    item.cancel() // flapped: never reported
                } else if let known = present.removeValue(forKey: syspath) {
                    continuation?.yield(.undocked(known))
                }
                continue
            }
            guard let d = describe(device), wanted(d) else { continue }
            switch action {
            case "add", "bind", "change":
                guard present[d.syspath] == nil, pending[d.syspath] == nil else { continue }
                let item = DispatchWorkItem { [weak self] in
                    guard let self else { return }
                    self.pending[d.syspath] = nil
                    self.present[d.syspath] = d
                    self.continuation?.yield(.docked(d))
                }
                pending[d.syspath] = item
                queue.asyncAfter(deadline: .now() + debounce, execute: item)
            default:
                continue
            }
        }
    }

    /// Reads ids and addresses. On remove the sysfs attributes are gone, so the PRODUCT,
    /// BUSNUM and DEVNUM properties of the event are used.
    private func describe(_ device: OpaquePointer) -> DockedDevice? {
        func property(_ name: String) -> String? { udev_device_get_property_value(device, name).map { String(cString: $0) } }
        func attribute(_ name: String) -> String? { udev_device_get_sysattr_value(device, name).map { String(cString: $0) } }
        guard let syspath = udev_device_get_syspath(device).map({ String(cString: $0) }),
              let sysname = udev_device_get_sysname(device).map({ String(cString: $0) }) else { return nil }
        var vendor = attribute("idVendor").flatMap { UInt16($0, radix: 16) }
        var product = attribute("idProduct").flatMap { UInt16($0, radix: 16) }
        if vendor == nil || product == nil, let p = property("PRODUCT") {
            let parts = p.split(separator: "/")
            if parts.count >= 2 {
                vendor = UInt16(parts[0], radix: 16)
                product = UInt16(parts[1], radix: 16)
            }
        }
        guard let vendor, let product else { return nil }
        let bus = (property("BUSNUM") ?? attribute("busnum")).flatMap { UInt8($0.trimmingCharacters(in: .whitespaces)) } ?? 0
        let address = (property("DEVNUM") ?? attribute("devnum")).flatMap { UInt8($0.trimmingCharacters(in: .whitespaces)) } ?? 0
        return DockedDevice(syspath: syspath, portPath: sysname, bus: bus, address: address, vendorId: vendor, productId: product,
                            interfaces: property("ID_USB_INTERFACES"), serial: property("ID_SERIAL_SHORT") ?? attribute("serial"))
    }
}

/// udev could not be used: which call, and why.
public struct DiscoveryError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var detail: String
    public var description: String { "\(operation): \(detail)" }
}
