import Evidence
import EvidenceStore
import Foundation
import GatewayCrypto
import Journal
import RecorderHAL

/// Builds a bag's custody record and bag-info from what the dock learned.
///
/// The bag's files (the session's rows in the journal) are not kept here but given to
/// `sealed`, which lets them go once the record is made from them (#11).
struct CustodyComposer {
    let context: IngestContext
    let identity: RecorderIdentity
    let info: RecorderInfo
    let bay: String
    let session: Journal.Session
    /// Every dock of the session, this one last (`SessionMeta.docks`).
    let docks: [SessionMeta.Dock]
    /// The dock's clock reading; nil when the family cannot read its clock (the record then has
    /// no `clock`, and bag-info no `Clock-Offset-Ms`).
    let clock: ClockSample?
    let anomalies: [Anomaly]
    let dockEnd: Date
    /// Seconds this dock has taken so far.
    let seconds: Double
    /// The audit log's newest entry before sealing.
    let auditHead: AuditAnchor?
    /// The medium, each file's runs on it and whether each was read a second time.
    var source = SourceCheck()
    /// The vendor dance before the read, when there was one.
    var unlock: CustodyRecord.Unlock?

    static let version = GatewayVersion.text

    /// The record of `files`, each with its catalog listing (`Journal.File.listing`).
    func record(files: [Journal.File]) -> CustodyRecord {
        // Each file's anomaly codes, in order, gathered in one pass rather than one per file:
        // a recorder that fails every file has as many anomalies as files.
        var codes: [UInt32: [String]] = [:]
        for a in anomalies { if let id = a.recordingId { codes[id, default: []].append(a.code) } }
        // One pass, one array: a second `map` over the first held two copies of every file's
        // record at once, the seal's heap peak at 10,000 files (#11).
        let fileRecords = files.map { f -> CustodyRecord.File in
            let entry = f.listing
            var file = CustodyRecord.File(
                recordingId: f.recordingId, kind: entry?.kind ?? "unknown",
                devicePath: entry?.devicePath ?? [],
                bagPath: f.bagPath, size: f.durableOffset, sequence: entry?.sequence ?? 0, important: entry?.important ?? false,
                deviceStartUTC: entry.map { UTCTimestamp.string(milliseconds: $0.startMilliseconds) } ?? "",
                deviceEndUTC: entry.map { UTCTimestamp.string(milliseconds: $0.endMilliseconds) } ?? "",
                deviceSha256: f.deviceSHA256.map { hexString($0) }, sha256: f.sha256.map { hexString($0) },
                verified: f.state == .staged, quarantined: f.state == .quarantined, rereads: f.rereads,
                anomalies: codes[f.recordingId] ?? [])
            file.extents = source.extents[f.recordingId]
            file.sourceVerification = source.verification?[f.recordingId]
            return file
        }
        var gateway = CustodyRecord.Gateway(id: context.config.gatewayId, version: CustodyComposer.version)
        gateway.publicKey = hexString(context.key.publicKey.rawRepresentation)
        var dock = CustodyRecord.Dock(startUTC: session.startedUTC, endUTC: UTCTimestamp.string(dockEnd))
        dock.attempts = docks.map { .init(bay: $0.bay, startUTC: $0.startUTC, endUTC: $0.endUTC, result: $0.result ?? "interrupted") }
        var record = CustodyRecord(
            gateway: gateway,
            bay: bay,
            dock: dock,
            recorder: .init(identity: identity, driver: info.driver, protocolVersion: info.protocolVersion),
            clock: clock.map {
                .init(offsetMs: $0.offsetMilliseconds, roundTripMs: $0.roundTripMilliseconds,
                      samples: context.clockSamples, deviceZoneOffsetMinutes: Int($0.device.zoneOffsetMinutes),
                      measuredAtUTC: UTCTimestamp.string($0.hostReceived))
            },
            files: fileRecords,
            anomalies: anomalies.map { .init(code: $0.code, file: $0.recordingId, detail: $0.detail) },
            totals: .init(files: files.count, bytes: files.reduce(0) { $0 + $1.durableOffset }, seconds: seconds),
            audit: auditHead)
        record.source = source.medium
        record.unlock = unlock
        return record
    }

    /// The writer of custody.json (the record with the clock model and corrected times
    /// applied), the drift the clock model found, and the tag files: those derived from the
    /// logs and the report.
    ///
    /// custody.json is made as `LocalStore.finalize` writes it, and the record goes with its
    /// writer; the report is made only when it is written, after custody.json
    /// (`SessionReport.reportFiles`): with a large catalog the record, its text and the report
    /// are each several MB (#11). `files` are taken so that the caller's copy can be let go as
    /// soon as the record is made.
    func sealed(files: consuming [Journal.File], read: (String) -> [UInt8]?)
        -> (custody: ((Data) -> Void) throws -> Void, driftSecondsPerDay: Double?, derivedFiles: [TagFile]) {
        var r = record(files: files)
        _ = consume files
        let derived = SessionReport.derive(files: r.files, read: read)
        let input = SessionReport.correct(&r, derived: derived)
        let record = r, drift = r.clock?.driftSecondsPerDay
        return ({ sink in try record.writeCanonicalJSON(to: sink) }, drift,
                derived.trackFiles.map { TagFile(path: $0.path, bytes: $0.bytes) } + SessionReport.reportFiles(input))
    }

    /// The bag-info. Recorder strings with line breaks cannot go into bag-info; they are replaced
    /// there (the custody record keeps them exactly).
    func bagInfo(payload: [LocalStore.PayloadFile], dockStart: Date) -> BagInfo {
        do {
            return try BagInfo.dockSession(
                sourceOrganization: Self.clean(identity.unitName.isEmpty ? "unknown unit" : identity.unitName),
                externalIdentifier: Self.clean(identity.serial), baggingDate: dockEnd,
                payloadBytes: payload.reduce(0) { $0 + $1.size }, payloadFiles: payload.count,
                officerNumber: Self.clean(identity.officerNumber), officerName: Self.clean(identity.officerName),
                unitNumber: Self.clean(identity.unitNumber), gatewayId: Self.clean(context.config.gatewayId),
                bay: Self.clean(bay), dockStart: dockStart, dockEnd: dockEnd, clockOffsetMs: clock?.offsetMilliseconds)
        } catch {
            // Unreachable: `clean` leaves no character bag-info refuses. Still, never lose a bag
            // over a label: fall back to the bare minimum.
            return BagInfo()
        }
    }

    /// The text with every control and line-separating character replaced by `_`.
    static func clean(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { scalar -> Unicode.Scalar in
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator: "_"
            default: scalar
            }
        }))
    }
}
