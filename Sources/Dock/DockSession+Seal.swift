import Evidence
import EvidenceStore
import Foundation
import GatewayCrypto
import Journal
import RecorderHAL

extension DockSession {
    /// Seals the bag (tag files, custody record, signature, atomic rename), commits its files
    /// to the ledger, names it in the audit log and queues it for forwarding; returns its path.
    /// `anomalies` are this bag's (the dock's own and its volume's); the session's earlier ones
    /// come from `meta`. The outcome's counts grow by this bag's, and `bags` names it.
    ///
    /// `bagFiles` (the session's files in the journal) go once the custody record is made from
    /// them; the ledger commit reads them again from the journal, once the record and the
    /// reports are gone (#11).
    @discardableResult
    func seal(session: Journal.Session, meta: consuming SessionMeta, files bagFiles: consuming [Journal.File],
              identity: RecorderIdentity, recorder: any Recorder, clock: ClockSample?, dockEnd: Date,
              source: SourceCheck = SourceCheck(), anomalies: [Anomaly], out: inout DockOutcome) async throws -> String {
        // What the pull freed goes back to the system before the seal makes the record (#11).
        FreedMemory.release()
        meta.docks[meta.docks.count - 1].endUTC = UTCTimestamp.string(dockEnd)
        meta.docks[meta.docks.count - 1].result = "completed"
        let files = consume bagFiles
        // An incomplete file holds only its durable bytes.
        let payload = files.map { LocalStore.PayloadFile(bagPath: $0.bagPath, sha256: $0.sha256 ?? [], size: $0.durableOffset) }
        let fileCount = files.count
        let verified = files.filter { $0.state == .staged }.count
        let quarantined = files.filter { $0.state == .quarantined }.count
        let incomplete = files.filter { $0.state == .incomplete }.count
        var custody = CustodyComposer(context: context, identity: identity, info: recorder.info, bay: bay,
                                      session: session, docks: meta.docks, clock: clock,
                                      anomalies: (meta.anomalies ?? []) + anomalies, dockEnd: dockEnd,
                                      seconds: dockEnd.timeIntervalSince(UTCTimestamp.date(session.startedUTC) ?? dockEnd),
                                      auditHead: await context.audit.head)
        custody.source = source
        custody.unlock = await dance?.custody()
        let bagInfo = custody.bagInfo(payload: payload, dockStart: UTCTimestamp.date(session.startedUTC) ?? dockEnd)
        let staging = context.store.stagingBag(session.bagName)
        let important = files.contains { $0.listing?.important == true }
        // The files (with their catalog listings) go once the record is made, the record once
        // custody.json is written from it, and the reports once written (`consume`): with a
        // large catalog each is MBs, and holding them all at once was most of the seal's peak (#11).
        let (writeCustody, drift, derivedFiles) = custody.sealed(files: consume files) { bagPath in
            // Logs are small; a recording is never read here (only gps-log and time-log are).
            FileManager.default.contents(atPath: staging + "/" + bagPath).map { Array($0) }
        }
        context.progress.update(port) { $0.diagnostics.driftSecondsPerDay = drift }
        let bagPath = try context.store.finalize(bag: session.bagName, payload: consume payload, bagInfo: bagInfo,
                                                 custody: consume writeCustody, derived: consume derivedFiles, key: context.key)
        // And what the seal freed (the record, the reports), so that an idle kiosk does not keep it.
        FreedMemory.release()
        // An incomplete copy is in the bag but not in the ledger: it was not collected. The
        // journal's rows are the files sealed: the dock changes none of them after the seal.
        let ingestedUTC = UTCTimestamp.string(dockEnd)
        let ledger = try journal.files(session: session.id).filter { $0.state != .incomplete }.map {
            Journal.LedgerEntry(serial: identity.serial, recordingId: $0.recordingId, size: $0.size,
                                deviceSHA256: $0.deviceSHA256, sha256: $0.sha256 ?? [], bagName: session.bagName,
                                quarantined: $0.state == .quarantined, ingestedUTC: ingestedUTC, sourceKey: $0.sourceKey)
        }
        CrashPoint.bagRenamed.reached()
        try journal.commitBag(session: session.id, entries: ledger, endedUTC: UTCTimestamp.string(dockEnd))
        CrashPoint.bagCommitted.reached()
        out.bags.append(bagPath)
        context.progress.update(port) { $0.bags.append(session.bagName) }
        out.files += fileCount
        out.verified += verified
        out.quarantined += quarantined
        out.incomplete += incomplete
        var detail = ["bag": session.bagName, "files": "\(fileCount)", "verified": "\(verified)", "quarantined": "\(quarantined)",
                      "incomplete": "\(incomplete)"]
        // The volume of a medium with several, as the journal keys its session.
        if !session.volume.isEmpty { detail["volume"] = session.volume }
        if await audit(.bagFinalized, serial: identity.serial, detail: detail) {
            CrashPoint.bagAudited.reached()
            try journal.markBagAudited(session: session.id)
        }
        if let forwarder = context.forwarder {
            do {
                try await forwarder.enqueue(bag: session.bagName, important: important)
            } catch {
                out.anomalies.append(Anomaly("forward-not-queued", "\(error)"))
            }
        }
        return bagPath
    }

}
