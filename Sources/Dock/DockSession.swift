import Evidence
import EvidenceStore
import Foundation
import GatewayCrypto
import Journal
import RecorderHAL

/// One recorder docked in one bay, from HELLO to release: the gateway's core procedure.
///
/// 1. HELLO, IDENTITY, AUTHENTICATE (password for the serial, else the fleet default; a
///    refusal is reported once, never retried) when the recorder requires a login.
/// 2. CLOCK_GET samples, when the recorder can read its clock; the smallest round trip gives
///    the offset. Without `.clockRead` there is no offset (anomaly `clock-not-read`).
/// 3. CATALOG; recordings the ledger already holds are skipped.
/// 4. Each new recording is pulled into staging and hashed; a mismatch with the device's hash
///    is read again once, a second mismatch quarantines the file (kept, never released).
/// 4a. For a recorder without its own hashes, every file of the bag is read a second time and
///    the catalog listed again when `verify-source` or a release asks (a source that changed
///    between the reads releases nothing).
/// 5. The bag is finalized (tag files, custody record, signature, atomic rename), then the
///    clock is set (only one that was read, on a recorder with `.clockSet`), then recordings
///    are released as the policy allows (never on a recorder without `.release`).
///
/// An interrupted dock (unplugged, gateway stopped) leaves its session open in the journal;
/// the next dock of the same recorder, in any bay, continues it from the durable offsets.
///
/// One file per step: `DockSession+Admission` (1–3), `DockSession+Plan` (the session and the
/// ledger), `DockSession+Pull` (4), `DockSession+Verify` (4a), `DockSession+Seal` and
/// `DockSession+Release` (5).
public struct DockSession: Sendable {
    public let context: IngestContext
    /// The bay's USB port path (or the simulator's bay name).
    public let port: String
    /// The dance that unlocked this recorder and saw it come back as the disk read here (a
    /// vendor family); nil for a recorder read as it docked.
    let dance: VendorDock?

    public init(context: IngestContext, port: String) {
        self.context = context
        self.port = port
        self.dance = nil
    }

    init(context: IngestContext, port: String, dance: VendorDock) {
        self.context = context
        self.port = port
        self.dance = dance
    }

    var bay: String { context.config.bayName(port: port) }
    var journal: Journal { context.journal }

    /// Runs the dock to its end and says how it went. Never throws: every failure becomes the
    /// outcome's result and anomalies, and an audit entry.
    public func run(link: DeviceLink, driver: any RecorderDriver) async -> DockOutcome {
        let started = ContinuousClock.now
        var out = DockOutcome(bay: bay)
        // A disk that came back from a dance keeps the dance's facts: diagnose walks the dance
        // before the read.
        let fromDance = dance != nil
        context.progress.update(port) {
            let danceFacts = fromDance ? $0.diagnostics.dance : nil
            $0 = ProgressBoard.Bay(bay: bay, phase: .identifying)
            $0.diagnostics.dance = danceFacts
        }
        await audit(.docked, detail: ["link": link.description, "driver": driver.name])
        // A store past its critical watermark takes nothing: refused before a word is sent, so
        // the recorder keeps its footage instead of a dock failing halfway for want of room.
        if let refusal = context.capacity.refusal(context.capacity.check()) {
            await link.close()
            out.result = .failed(refusal)
            out.anomalies.append(Anomaly("store-full", refusal))
            await finish(&out, started: started, serial: nil)
            return out
        }
        var options = context.driverOptions
        options.hostName = context.config.gatewayId
        let recorder: any Recorder
        do {
            recorder = try await driver.open(link, options: options)
        } catch {
            await dance?.unreadable(error.description)
            context.progress.update(port) { $0.diagnostics.openError = error.description }
            out.result = .failed("cannot open the recorder: \(error)")
            out.anomalies.append(Anomaly("protocol-error", error.description))
            await finish(&out, started: started, serial: nil)
            return out
        }
        context.progress.update(port) { $0.diagnostics.record(recorder.info) }
        do {
            try await dock(recorder, &out)
        } catch let error as RecorderError where error.isLinkLost {
            // Unplugged, or the stream fell out of step: the session stays open, and the next
            // dock of this recorder, in any bay, continues it.
            out.result = .interrupted(error.description)
            out.anomalies.append(Anomaly("interrupted", error.description))
        } catch let error as StorageError {
            out.result = .failed(error.description)
            out.anomalies.append(Anomaly(error.isDiskFull ? "disk-full" : "storage-error", error.description))
        } catch let error as DockFailure {
            out.result = .failed(error.description)
        } catch {
            out.result = .failed("\(error)")
            out.anomalies.append(Anomaly("protocol-error", "\(error)"))
        }
        let stats = await recorder.statistics()
        context.progress.update(port) { $0.diagnostics.record(stats) }
        await recorder.close()
        await finish(&out, started: started, serial: out.serial)
        return out
    }

    /// A reason to stop the dock that is already recorded as an anomaly.
    struct DockFailure: Error, CustomStringConvertible {
        var description: String
    }

    private func finish(_ out: inout DockOutcome, started: ContinuousClock.Instant, serial: String?) async {
        let elapsed = ContinuousClock.now - started
        out.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        // A dock that ends with verified recordings left on the recorder says so where the
        // technician looks (`recorderctl devices`, `info`), not only in the anomalies.
        let kept = out.anomalies.first { $0.code == "verified-not-released" }
        let (phase, text): (ProgressBoard.Phase, String) = switch out.result {
        case .completed: (.done, kept.map { "verified, not released (\($0.detail))" } ?? "")
        case .interrupted(let why): (.interrupted, why)
        case .failed(let why): (.error, why)
        }
        context.progress.update(port) { $0.phase = phase; $0.note = text }
        context.progress.record(out, phase: phase)
        if case .failed(let why) = out.result {
            await audit(.error, serial: serial, detail: ["reason": why])
        }
        await audit(.undocked, serial: serial, detail: ["result": "\(phase.rawValue)", "files": "\(out.files)",
                                                         "bytes": "\(out.bytes)"])
    }

    // MARK: - The dock, in order

    /// The steps of a dock: admit (who the recorder is, its clock and catalog), then for each
    /// volume of its medium (`DockVolume`: one implicit volume for a recorder with one) plan
    /// (what the ledger and an open session already hold), pull, verify the source and seal
    /// that volume's bag; then set the clock and release, once every volume's bag is sealed. A
    /// step that cannot go on throws, and `run` turns that into the outcome: a volume whose bag
    /// is sealed stays sealed, and the next dock continues the volume that was cut off.
    private func dock(_ recorder: any Recorder, _ out: inout DockOutcome) async throws {
        let dockStart = Date()
        let admitted = try await admit(recorder, &out)
        let identity = admitted.identity, clock = admitted.clock, storageTotal = admitted.storageTotal
        let provenance = recorder as? any SourceProvenance
        let medium = await provenance?.sourceMedium()
        if let dance {
            // The dance compares the volumes with the recorder's last ones, and estimates the
            // clock (neither vendor family can read it).
            out.anomalies += await dance.mediumRead(medium)
            if admitted.clock == nil,
               let estimate = await dance.estimateClock(catalog: admitted.catalog, dockStart: dockStart, serial: identity.serial) {
                out.anomalies.append(Anomaly("clock-estimated", "the clock's offset is estimated from the newest recording (recording \(estimate.newestRecordingId)): \(estimate.offsetMs) ms; an estimate, not a measurement"))
            }
        }
        let openKeys = try journal.unfinishedSessions(serial: identity.serial).map(\.volume)
        var volumes = DockVolume.split(admitted.catalog, medium: medium, volumeOf: { provenance?.sourceVolume(of: $0) },
                                       openKeys: openKeys)
        // The catalog is now held once, by volume, and each volume's part only by its admission
        // below, which lets it go before sealing: with a large catalog it is MBs (#11).
        _ = consume admitted
        // What the dock found before any volume (clock, status) goes into every volume's record;
        // what a volume's steps find goes into that volume's only.
        let dockAnomalies = out.anomalies
        var sealed: [SealedVolume] = []
        for i in volumes.indices {
            let found = out.anomalies.count
            var volume = volumes[i]
            volumes[i].catalog = []
            let admission = DockAdmission(identity: identity, clock: clock, storageTotal: storageTotal, catalog: volume.catalog)
            volume.catalog = []
            guard let done = try await dockVolume(recorder, volume, admission, dockStart: dockStart,
                                                  dockAnomalies: dockAnomalies, found: found, out: &out) else { continue }
            sealed.append(done)
        }
        try await setClockAndRelease(recorder, identity: identity, clock: clock, volumes: sealed, out: &out)
        out.result = .completed
    }

    /// Plan, pull, verify and seal one volume's bag. Nil for a volume the medium no longer has
    /// whose open session is gone by now (`DockVolume.listed`).
    private func dockVolume(_ recorder: any Recorder, _ volume: DockVolume, _ admitted: consuming DockAdmission,
                            dockStart: Date, dockAnomalies: [Anomaly], found: Int,
                            out: inout DockOutcome) async throws -> SealedVolume? {
        let identity = admitted.identity, clock = admitted.clock
        guard var plan = try await self.plan(admitted, volume: volume, dockStart: dockStart, &out) else { return nil }
        try await pullPending(recorder, catalog: admitted.catalog, plan: &plan, out: &out)
        let source = try await checkSource(recorder, volume: volume, firstListing: admitted.catalog, plan: &plan, out: &out)
        // Sealing needs the session's files once and its meta, not the catalog, the files by id
        // or the journal's text of the meta (decoded into `plan.meta`): with a large catalog
        // each is MBs, let go here rather than held through the seal (#11).
        _ = consume admitted
        let bagFiles = plan.files.values.sorted { $0.recordingId < $1.recordingId }
        var session = plan.session
        let meta = plan.meta, previouslyIngested = plan.previouslyIngested
        _ = consume plan // `meta` is then the only reference, consumed by `seal`
        session.meta = ""

        // Finalize the bag.
        context.progress.update(port) { $0.phase = .finalizing }
        let dockEnd = Date()
        var bagPath: String?
        // The files go to the seal, which lets them go once the custody record is made from
        // them; release reads the bag's files again from the journal (#11).
        if bagFiles.isEmpty {
            // Nothing new on the volume: no bag; the audit log records the dock.
            try journal.finish(session: session.id, state: .finalized, endedUTC: UTCTimestamp.string(dockEnd))
        } else {
            bagPath = try await seal(session: session, meta: consume meta, files: consume bagFiles, identity: identity, recorder: recorder,
                                     clock: clock, dockEnd: dockEnd, source: source,
                                     anomalies: dockAnomalies + out.anomalies[found...], out: &out)
        }
        return SealedVolume(bagPath: bagPath, session: session.id, previouslyIngested: previouslyIngested)
    }

    /// Runs a recorder operation; returns its error when the device refused or failed, nil on
    /// success. A lost link is not returned but thrown on, ending the dock as interrupted.
    func attempt(_ operation: () async throws(RecorderError) -> Void) async throws(RecorderError) -> RecorderError? {
        do {
            try await operation()
            return nil
        } catch {
            if error.isLinkLost { throw error }
            return error
        }
    }

    /// Appends to the audit log; true when the entry is durable.
    @discardableResult
    func audit(_ event: AuditEvent, serial: String? = nil, detail: [String: String] = [:]) async -> Bool {
        // The audit log failing must not stop an ingest (the bag and journal are the evidence);
        // the operator is told at once.
        do {
            try await context.audit.append(event, serial: serial, bay: bay, detail: detail)
            return true
        } catch {
            FileHandle.standardError.write(Data("recorder-gatewayd: bay \(bay): cannot write the audit log: \(error)\n".utf8))
            return false
        }
    }
}
