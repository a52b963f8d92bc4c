import Evidence
import Foundation
import GatewayCrypto
import Journal
import RecorderHAL
import RecorderProtocol

/// Builds a bag's custody record and bag-info from what the dock learned.
struct CustodyComposer {
    let context: IngestContext
    let identity: RecorderIdentity
    let info: RecorderInfo
    let bay: String
    let session: Journal.Session
    let meta: SessionMeta
    let files: [Journal.File]
    let clock: ClockSample
    let anomalies: [Anomaly]
    let dockEnd: Date
    let bytesThisDock: UInt64

    static let version = "0.3.0"

    func record() -> CustodyRecord {
        let fileRecords = files.map { f -> CustodyRecord.File in
            let entry = meta.entries[String(f.recordingId)]
            let raw = entry.flatMap { bytes(fromHex: $0.pathHex) } ?? []
            let clean = String(validating: raw, as: UTF8.self).map { s in !s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } } ?? false
            return CustodyRecord.File(
                recordingId: f.recordingId, kind: entry?.kind ?? "unknown",
                devicePath: String(decoding: raw, as: UTF8.self), devicePathHex: clean ? nil : hexString(raw),
                bagPath: f.bagPath, size: f.durableOffset, sequence: entry?.sequence ?? 0, important: entry?.important ?? false,
                deviceStartUTC: entry.map { utcString(milliseconds: $0.startMilliseconds) } ?? "",
                deviceEndUTC: entry.map { utcString(milliseconds: $0.endMilliseconds) } ?? "",
                deviceSha256: f.deviceSHA256.map { hexString($0) }, sha256: f.sha256.map { hexString($0) },
                verified: f.state == .staged, quarantined: f.state == .quarantined, rereads: f.rereads,
                anomalies: anomalies.filter { $0.recordingId == f.recordingId }.map(\.description))
        }
        return CustodyRecord(
            gateway: .init(id: context.config.gatewayId, software: "recorder-gateway", version: CustodyComposer.version,
                           publicKey: hexString(context.key.publicKey.rawRepresentation)),
            bay: bay,
            dock: .init(startUTC: session.startedUTC, endUTC: utcString(dockEnd),
                        docks: meta.docks.map { .init(bay: $0.bay, startUTC: $0.startUTC, endUTC: $0.endUTC ?? "", result: $0.result ?? "interrupted") }),
            recorder: .init(serial: identity.serial, model: identity.model, firmware: identity.firmware,
                            officerNumber: identity.officerNumber, officerName: identity.officerName,
                            unitNumber: identity.unitNumber, unitName: identity.unitName, hardwareId: identity.hardwareId,
                            driver: info.driver, protocolVersion: info.protocolVersion),
            clock: .init(offsetMs: clock.offsetMilliseconds, roundTripMs: clock.roundTripMilliseconds,
                         samples: context.clockSamples, deviceZoneOffsetMinutes: Int(clock.device.zoneOffsetMinutes),
                         measuredAtUTC: utcString(clock.hostReceived)),
            files: fileRecords,
            anomalies: anomalies.map { .init(code: $0.code, recordingId: $0.recordingId, detail: $0.detail) },
            totals: .init(files: files.count, bytes: files.reduce(0) { $0 + $1.durableOffset }, bytesThisDock: bytesThisDock))
    }

    func canonicalJSON() throws -> Data {
        try record().canonicalJSON()
    }

    func bagInfo(payload: [LocalStore.PayloadFile]) throws -> BagInfo {
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = TimeZone(identifier: "UTC")
        day.dateFormat = "yyyy-MM-dd"
        return try BagInfo.dockSession(
            sourceOrganization: identity.unitName.isEmpty ? "unknown unit" : identity.unitName,
            externalIdentifier: identity.serial,
            baggingDate: day.string(from: dockEnd),
            payloadOxum: BagIt.payloadOxum(bytes: payload.reduce(0) { $0 + $1.size }, files: payload.count),
            officerNumber: identity.officerNumber, officerName: identity.officerName, unitNumber: identity.unitNumber,
            gatewayId: context.config.gatewayId, bay: bay, dockStartUTC: session.startedUTC, dockEndUTC: utcString(dockEnd),
            clockOffsetMs: String(format: "%.1f", clock.offsetMilliseconds))
    }
}
