import Foundation

/// A mass-storage device that is not read: the one refusal both adapters give (device mode's
/// udev loop, `--simulate`'s simulated bus), so that a stranger, or a recorder's disk that came
/// when no unlock on its port awaited it (after its dance's wait, say), is treated the same way
/// wherever it appears.
extension Gateway {
    /// Refuses the mass-storage device `vendorId:productId` that appeared on `port`, unread:
    /// one line on stderr, its bay shown `refused` (nothing of an earlier dock there is kept
    /// on show), and a `device-refused` audit entry (port, USB ids, reason, its USB serial,
    /// printable and at most 64 characters). `modelName` is the device database's model for
    /// the ids, nil when it lists none (then the device is not a recorder). The caller never
    /// opened the device, or closes it unread.
    public nonisolated func refuseMassStorage(port: String, vendorId: UInt16, productId: UInt16, modelName: String?,
                                              usbSerial: String?) async {
        let ids = String(format: "%04x:%04x", vendorId, productId)
        let bay = context.config.bayName(port: port)
        let reason = modelName.map { "\($0) \(ids) did not arrive through an unlock on that port" }
            ?? "USB mass storage \(ids) is not a recorder"
        FileHandle.standardError.write(Data("recorder-gatewayd: bay \(bay): \(reason); not read\n".utf8))
        context.progress.update(port) {
            // Nothing of an earlier dock in that bay belongs to this device.
            $0.serial = nil; $0.officer = nil; $0.officerName = nil; $0.bag = nil; $0.bags = []
            $0.bytesDone = 0; $0.bytesTotal = 0; $0.batteryPercent = nil; $0.storageFreeBytes = nil; $0.clockOffsetMilliseconds = nil
            $0.started = Date(); $0.ended = nil
            $0.phase = .refused
            $0.note = "\(reason); not read"
        }
        var detail = ["port": port, "usb": ids, "reason": reason]
        if let usbSerial { detail["usbSerial"] = String(decoding: usbSerial.utf8.filter { (0x20..<0x7F).contains($0) }.prefix(64), as: UTF8.self) }
        do {
            try await context.audit.append(.deviceRefused, bay: bay, detail: detail)
        } catch {
            FileHandle.standardError.write(Data("recorder-gatewayd: bay \(bay): cannot write the audit log: \(error)\n".utf8))
        }
    }
}
