import Evidence
import Foundation
import RecorderHAL

/// What the dock session of the returned disk asks the dance (`DockSession.dance`): the
/// medium's volumes against the recorder's last ones, the identity completed with what the
/// dance knows, the clock's estimated offset, and the custody record's `unlock`.
extension VendorDock {
    /// The returned disk's medium was read: the volumes are compared with the recorder's last
    /// ones and remembered; a medium that could not be described (nil) or has no volume leaves
    /// the last ones as they were. Returns the anomalies this adds to the dock.
    func mediumRead(_ medium: SourceMedium?) async -> [Anomaly] {
        let keys = medium?.volumes.map(\.key) ?? []
        for a in dance.handle(.mediumRead(volumes: keys)) { await perform(a) }
        if let outcome = dance.outcome, case .returnedWithDifferentVolume(_, let previous, _) = outcome {
            previousVolumes = previous
            return [Anomaly("volume-differs", outcome.description)]
        }
        return []
    }

    /// The returned disk could not be opened.
    func unreadable(_ why: String) async {
        for a in dance.handle(.mediumUnreadable(why)) { await perform(a) }
    }

    /// The disk's identity, completed with what the dance knows: the serial (the vendor
    /// interface's USB serial, else the family's device id), the device id as `hardwareId`, and
    /// the officer and unit from the assignment table; each field's source is recorded.
    func identity(_ disk: RecorderIdentity) -> RecorderIdentity {
        var id = disk
        var sources = ["model": "device", "firmware": "device"]
        let deviceId = report?.deviceId
        if keyIsUSBSerial {
            id.serial = recorderKey
            sources["serial"] = "usb-serial"
        } else if let deviceId {
            id.serial = deviceId
            sources["serial"] = "device"
        } else if id.serial.isEmpty {
            sources["serial"] = "none"
        } else {
            // The disk's own: its USB serial when it gave a usable one, else (the mass-storage
            // reader's rule, MassStorageRecorder.identity) its first volume's serial.
            sources["serial"] = id.serial == diskUSBSerial ? "disk-usb-serial" : "volume-serial"
        }
        if let deviceId {
            id.hardwareId = deviceId
            sources["hardwareId"] = "device"
        } else {
            sources["hardwareId"] = "none"
        }
        if let (_, a) = context.vendor.assignments.lookup([id.serial, deviceId ?? ""]) {
            id.officerNumber = a.officerNumber
            id.unitNumber = a.unitNumber
            id.officerName = a.officerName
            id.unitName = a.unitName
            for f in ["officerNumber", "unitNumber"] { sources[f] = "assignment-table" }
            sources["officerName"] = a.officerName.isEmpty ? "none" : "assignment-table"
            sources["unitName"] = a.unitName.isEmpty ? "none" : "assignment-table"
        } else {
            for f in ["officerNumber", "unitNumber", "officerName", "unitName"] { sources[f] = "none" }
        }
        self.sources = sources
        return id
    }

    /// Estimates the clock's offset from the newest recording (the families cannot read their
    /// clock); nil for an empty catalog. Audited as a clock-offset entry marked `estimate`.
    func estimateClock(catalog: [CatalogEntry], dockStart: Date, serial: String) async -> CustodyRecord.ClockEstimate? {
        guard let newest = catalog.max(by: { $0.endMilliseconds < $1.endMilliseconds }) else { return nil }
        let start = Int64((dockStart.timeIntervalSince1970 * 1000).rounded())
        let estimate = CustodyRecord.ClockEstimate(offsetMs: newest.endMilliseconds - start, newestRecordingId: newest.id,
                                                   newestRecordingEndDeviceUTC: UTCTimestamp.string(milliseconds: newest.endMilliseconds),
                                                   dockStartUTC: UTCTimestamp.string(dockStart))
        clockEstimate = estimate
        await audit(.clockOffset, serial: serial, detail: ["offsetMs": "\(estimate.offsetMs)", "estimate": "yes", "basis": estimate.basis])
        return estimate
    }

    /// The custody record's `unlock`.
    func custody() -> CustodyRecord.Unlock? {
        guard let report else { return nil }
        return CustodyRecord.Unlock(
            family: family, port: port,
            steps: report.steps.map { .init(command: $0.command, carriedPassword: $0.carriedPassword, answer: $0.answer) },
            unlockOutcome: report.outcome.description, deviceId: report.deviceId, clockSet: report.clock.description,
            outcome: dance.outcome?.code ?? "acquiring", outcomeDetail: dance.outcome?.description ?? "",
            returnWaitMs: VendorDock.milliseconds(context.vendor.returnWait), returnedAfterMs: returnedAfter,
            previousVolumes: previousVolumes, identitySources: sources, clockEstimate: clockEstimate)
    }
}
