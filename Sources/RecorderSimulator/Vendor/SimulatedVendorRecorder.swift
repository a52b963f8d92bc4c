import RecorderHAL

/// A docked vendor recorder (amba-ctrl or amba-ascii): its device end, the host's end of the
/// timed link to it, what it received, and the events of its switch to mass storage. What a
/// vendor family's unlock is given in place of a libusb link.
public struct SimulatedVendorRecorder: Sendable {
    public let family: VendorScenario.Family
    /// The host's end: control (amba-ctrl) or bulk (amba-ascii) transfers, timed by the
    /// recorder's link model.
    public let hostEnd: any USBTransferLink
    /// Every command the device received, passwords withheld.
    public let log: VendorLog
    /// `.leftBus`, then `.reappeared` (or `.cannotReappear`), once the switch was accepted; the
    /// stream then finishes.
    public let events: AsyncStream<VendorDeviceEvent>
    private let device: any SimulatedTransferDevice

    /// Docks `recorder` if it is a vendor recorder (nil otherwise).
    public init?(_ recorder: RecorderScenario, name: String) {
        guard let vendor = recorder.vendor, let storage = recorder.storage else { return nil }
        family = vendor.family
        log = VendorLog()
        let (stream, continuation) = AsyncStream<VendorDeviceEvent>.makeStream()
        events = stream
        let personality = VendorPersonality(password: Array(recorder.password.utf8), lockoutAttempts: recorder.lockoutAttempts,
                                            lockoutLasts: vendor.lockoutSeconds.map { .seconds($0) },
                                            storage: storage, link: recorder.link, name: name, vendor: vendor, log: log,
                                            events: continuation)
        switch vendor.family {
        case .ambaControl: device = AmbaControlDevice(personality)
        case .ambaASCII: device = AmbaASCIIDevice(personality)
        }
        hostEnd = SimulatedTransferLink(device: device, timing: TransferTiming(model: recorder.link), name: name,
                                        serialNumber: vendor.usbSerial == .both ? recorder.identity.serial : nil)
    }

    /// What amba-ascii's `@Sdt` and `@Stm` last set, as sent ("20261206", "14300500"); nil
    /// for amba-ctrl or before they came.
    public func clockSet() async -> (date: String?, time: String?) {
        guard let ascii = device as? AmbaASCIIDevice else { return (nil, nil) }
        return (await ascii.dateSet, await ascii.timeSet)
    }
}
