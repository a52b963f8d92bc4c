import RecorderHAL
import RecorderProtocol

// Protocol v1's wire types (RecorderProtocol) and the HAL's family-neutral types share names;
// this file is the one place that translates between them, so the wire format and the HAL can
// each change without the other.

extension RecorderHAL.CatalogEntry {
    /// The HAL entry for a protocol v1 CATALOG entry: the device's id is the driver's id, the
    /// kind number becomes its name ("kind-N" for a number protocol v1 does not name).
    init(protocolV1 e: RecorderProtocol.CatalogEntry) {
        self.init(id: e.id, kind: RecorderHAL.RecordingKind(rawValue: e.kind.description), important: e.important,
                  sequence: e.sequence, size: e.size, startMilliseconds: e.startMilliseconds,
                  endMilliseconds: e.endMilliseconds, deviceSHA256: e.deviceSHA256, path: e.pathBytes)
    }
}

extension RecorderIdentity {
    /// The HAL identity of an IDENTITY reply: the same eight strings.
    init(protocolV1 r: IdentityReply) {
        self.init(serial: r.serial, model: r.model, firmware: r.firmware, officerNumber: r.officerNumber,
                  officerName: r.officerName, unitNumber: r.unitNumber, unitName: r.unitName, hardwareId: r.hardwareId)
    }
}

extension IdentityReply {
    /// The IDENTITY reply that states `identity` (what a simulated device answers).
    public init(_ identity: RecorderIdentity) {
        self.init(serial: identity.serial, model: identity.model, firmware: identity.firmware,
                  officerNumber: identity.officerNumber, officerName: identity.officerName,
                  unitNumber: identity.unitNumber, unitName: identity.unitName, hardwareId: identity.hardwareId)
    }
}

extension RecorderHAL.DeviceTime {
    init(protocolV1 t: RecorderProtocol.DeviceTime) {
        self.init(utcMilliseconds: t.utcMilliseconds, zoneOffsetMinutes: t.zoneOffsetMinutes)
    }
}

extension RecorderProtocol.DeviceTime {
    init(_ t: RecorderHAL.DeviceTime) {
        self.init(utcMilliseconds: t.utcMilliseconds, zoneOffsetMinutes: t.zoneOffsetMinutes)
    }
}

extension RecorderCapabilities {
    /// What a protocol v1 device can do: CLOCK_GET always, the rest as its HELLO announced.
    init(protocolV1 c: Capabilities) {
        self = [.clockRead]
        let pairs: [(Capabilities, RecorderCapabilities)] = [
            (.deviceHashes, .deviceHashes), (.authenticationRequired, .authenticationRequired),
            (.clockSet, .clockSet), (.release, .release), (.gpsLog, .gpsLog), (.timeLog, .timeLog),
        ]
        for (wire, hal) in pairs where c.contains(wire) { insert(hal) }
    }
}

extension DeviceRefusal {
    /// A protocol v1 reply status other than OK, with its detail said for a person.
    init(protocolV1 status: Status, detail: ErrorDetail) {
        let meaning: String
        switch status {
        case .passwordWrong: meaning = "\(detail.value) attempts left before lockout"
        case .lockedOut: meaning = "locked for \(detail.value) s more"
        case .busy: meaning = "retry in \(detail.value) ms"
        default: meaning = ""
        }
        self.init(family: ZFYBulkDriver.name, code: Int(status.rawValue), name: status.description,
                  value: detail.value, valueMeaning: meaning, message: detail.message)
    }
}

extension RecorderError {
    /// The protocol v1 status of a device refusal, or nil for any other error (or a refusal
    /// from another family).
    public var deviceStatus: Status? {
        guard let refusal, refusal.family == ZFYBulkDriver.name, let code = UInt16(exactly: refusal.code) else { return nil }
        return Status(rawValue: code)
    }
}
