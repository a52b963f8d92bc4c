import RecorderHAL

/// A docked mass-storage recorder: its `BulkOnlyDevice` and SCSI unit serving the scenario's
/// image, and the host's end of the timed link to it. What the gateway's mass-storage family
/// is given in place of a libusb link.
public struct SimulatedMassStorage: Sendable {
    public let device: BulkOnlyDevice
    /// The host's end: bulk and control transfers timed by `model`.
    public let hostEnd: any USBTransferLink
    public let model: LinkModel

    /// Opens the scenario's image (and a `volumeChanged` fault's second medium) read-only and
    /// docks the device behind a link timed by `link`.
    ///
    /// - Throws: `MediumImageError` when an image cannot be opened.
    public init(_ storage: MassStorageScenario, link: LinkModel, name: String) throws(MediumImageError) {
        let medium = try MediumImage(path: storage.imagePath)
        var changed: MediumImage?
        for case .volumeChanged(_, let change) in storage.faults {
            switch change {
            case .image(let path): changed = try MediumImage(path: path)
            case .changes(let bytes): changed = try medium.changing(bytes)
            }
        }
        let target = SCSITarget(
            configuration: .init(vendor: storage.vendor, product: storage.product, revision: storage.revision,
                                 writeProtected: storage.writeProtected, blockSize: storage.blockSize),
            medium: medium, faults: storage.faults, changedMedium: changed)
        device = BulkOnlyDevice(target: target, faults: storage.faults, shortDataPhase: storage.shortDataPhase)
        model = link
        hostEnd = SimulatedTransferLink(device: device, timing: TransferTiming(model: link), name: name,
                                        serialNumber: storage.serialNumber)
    }

    /// Docks `recorder` if it is a mass-storage recorder (nil for a protocol-v1 one).
    public init?(_ recorder: RecorderScenario, name: String) throws(MediumImageError) {
        guard let storage = recorder.storage else { return nil }
        try self.init(storage, link: recorder.link, name: name)
    }

    /// Every CDB, refused wrapper and control request the device received.
    public var cdbLog: CommandLog { device.log }

    /// The recorder is pulled out: every later transfer on `hostEnd` fails with `.deviceGone`.
    public func unplug() async { await device.unplug() }
}
