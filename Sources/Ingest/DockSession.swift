import Evidence
import EvidenceStore
import Foundation
import GatewayCrypto
import Journal
import RecorderHAL
#if canImport(Glibc)
import Glibc
#endif

/// One recorder docked in one bay, from HELLO to release: the gateway's core procedure.
///
/// 1. HELLO, IDENTITY, AUTHENTICATE (password for the serial, else the fleet default; a
///    refusal is reported once, never retried).
/// 2. CLOCK_GET samples; the smallest round trip gives the offset.
/// 3. CATALOG; recordings the ledger already holds are skipped.
/// 4. Each new recording is pulled into staging and hashed; a mismatch with the device's hash
///    is read again once, a second mismatch quarantines the file (kept, never released).
/// 5. The bag is finalized (tag files, custody record, signature, atomic rename), then the
///    clock is set, then recordings are released as the policy allows.
///
/// An interrupted dock (unplugged, gateway stopped) leaves its session open in the journal;
/// the next dock of the same recorder, in any bay, continues it from the durable offsets.
public struct DockSession: Sendable {
    public let context: IngestContext
    /// The bay's USB port path (or the simulator's bay name).
    public let port: String

    public init(context: IngestContext, port: String) {
        self.context = context
        self.port = port
    }

    var bay: String { context.config.bayName(port: port) }
    var journal: Journal { context.journal }

    /// Runs the dock to its end and says how it went. Never throws: every failure becomes the
    /// outcome's result and anomalies, and an audit entry.
    public func run(link: any RecorderLink, driver: any RecorderDriver) async -> DockOutcome {
        let started = ContinuousClock.now
        var out = DockOutcome(bay: bay)
        context.progress.update(port) { $0 = ProgressBoard.Bay(bay: bay, phase: .identifying) }
        await audit(.docked, detail: ["link": link.description, "driver": driver.name])
        var options = context.driverOptions
        options.hostName = context.config.gatewayId
        let recorder: any Recorder
        do {
            recorder = try await driver.open(link: link, options: options)
        } catch {
            context.progress.update(port) { $0.diagnostics.openError = error.description }
            out.result = .failed("cannot open the recorder: \(error)")
            out.anomalies.append(Anomaly("protocol-error", error.description))
            await finish(&out, started: started, serial: nil)
            return out
        }
        context.progress.update(port) {
            $0.diagnostics.link = recorder.info.link
            $0.diagnostics.driver = recorder.info.driver
            $0.diagnostics.maxPayload = recorder.info.maxPayload
            $0.diagnostics.maxInFlight = recorder.info.maxInFlight
            $0.diagnostics.linkCapacityBytesPerSecond = recorder.info.linkCapacityBytesPerSecond
        }
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
        context.progress.update(port) {
            $0.diagnostics.requests = stats.requests
            $0.diagnostics.timeouts = stats.timeouts
            $0.diagnostics.corruptReplies = stats.corruptReplies
            $0.diagnostics.strayReplies = stats.strayReplies
            $0.diagnostics.peakInFlight = stats.peakInFlight
        }
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
        let (phase, text): (ProgressBoard.Phase, String) = switch out.result {
        case .completed: (.done, "done")
        case .interrupted(let why): (.interrupted, why)
        case .failed(let why): (.error, why)
        }
        context.progress.update(port) { $0.phase = phase; $0.note = text }
        if case .failed(let why) = out.result {
            await audit(.error, serial: serial, detail: ["reason": why])
        }
        await audit(.undocked, serial: serial, detail: ["result": "\(phase.rawValue)", "files": "\(out.files)",
                                                         "bytes": "\(out.bytes)"])
    }

    // MARK: - The dock

    private func dock(_ recorder: any Recorder, _ out: inout DockOutcome) async throws {
        let dockStart = Date()
        let identity = try await recorder.identity()
        out.serial = identity.serial
        out.officerNumber = identity.officerNumber
        context.progress.update(port) { $0.serial = identity.serial; $0.officer = identity.officerNumber; $0.phase = .authenticating }
        await audit(.identified, serial: identity.serial, detail: [
            "officerNumber": identity.officerNumber, "unitNumber": identity.unitNumber,
            "model": identity.model, "firmware": identity.firmware])

        guard let password = context.config.password(for: identity.serial) else {
            let why = "no password configured for \(identity.serial) and no password.default"
            out.anomalies.append(Anomaly("authentication-failed", why))
            await audit(.authenticationFailed, serial: identity.serial, detail: ["reason": why])
            throw DockFailure(description: why)
        }
        let refusal = try await attempt({ () async throws(RecorderError) in try await recorder.authenticate(password: password) })
        context.progress.update(port) { $0.diagnostics.authenticated = refusal == nil; $0.diagnostics.authenticationError = refusal?.description }
        if let refusal {
            out.anomalies.append(Anomaly("authentication-failed", refusal.description))
            await audit(.authenticationFailed, serial: identity.serial, detail: ["reason": refusal.description])
            throw DockFailure(description: "authentication: \(refusal)")
        }
        await audit(.authenticated, serial: identity.serial)

        let clock = try await measureClock(recorder)
        out.clockOffsetMilliseconds = clock.offsetMilliseconds
        await audit(.clockOffset, serial: identity.serial, detail: [
            "offsetMs": String(format: "%.1f", clock.offsetMilliseconds),
            "roundTripMs": String(format: "%.3f", clock.roundTripMilliseconds)])

        // Health for the technician's view; a recorder that cannot say is not a failed dock.
        var storageTotal: UInt64?
        let health = try await attempt { () async throws(RecorderError) in
            let s = try await recorder.status()
            storageTotal = s.storageTotalBytes
            context.progress.update(port) { $0.batteryPercent = s.batteryPercent; $0.storageFreeBytes = s.storageFreeBytes }
        }
        if let health { out.anomalies.append(Anomaly("status-unavailable", health.description)) }
        context.progress.update(port) { $0.clockOffsetMilliseconds = clock.offsetMilliseconds; $0.phase = .cataloguing }
        var listing: [CatalogEntry] = []
        if let refusal = try await attempt({ () async throws(RecorderError) in listing = try await recorder.catalog() }) {
            out.anomalies.append(Anomaly("catalog-refused", refusal.description))
            throw DockFailure(description: "catalog: \(refusal)")
        }
        let catalog = listing
        out.listed = catalog.count

        // The session: continue an interrupted one, or start a new one.
        var open = try journal.unfinishedSession(serial: identity.serial)
        // A session left open although its bag is sealed (the gateway stopped between the
        // rename and the ledger commit, and start-up recovery could not finish it): finish it.
        if let sealed = open, try SealRecovery(context: context).commitIfSealed(sealed) {
            open = nil
            out.recoveredBags += await SealRecovery(context: context).auditUnnamedBags()
        }
        let session: Journal.Session
        if let open {
            session = open
            try journal.setBay(session: open.id, bay)
            out.anomalies.append(Anomaly("resumed", "continues the interrupted dock of \(open.startedUTC) (bag \(open.bagName))"))
        } else {
            session = try openSession(identity: identity, dockStart: dockStart)
        }
        context.progress.update(port) { $0.bag = session.bagName }
        var meta = SessionMeta.decode(session.meta)
        meta.docks.append(.init(bay: bay, startUTC: UTCTimestamp.string(dockStart)))
        let earlierAnomalies = meta.anomalies ?? []

        // Plan: what this session holds already, what the ledger holds, what is new.
        var files = Dictionary(uniqueKeysWithValues: try journal.files(session: session.id).map { ($0.recordingId, $0) })
        var sanitizer = PathSanitizer()
        for f in files.values.sorted(by: { $0.recordingId < $1.recordingId }) { sanitizer.reserve(f.bagPath) }
        var previouslyIngested: [(CatalogEntry, Journal.LedgerEntry)] = []
        // The kiosk's own bound, which holds when STATUS is missing or lies too.
        // (Unknown when statvfs fails: then only the recorder's own figure bounds a size.)
        let storeSize = (try? FileIO.filesystemSize(context.store.root)) ?? .max
        for entry in catalog.sorted(by: { $0.id < $1.id }) {
            // A size is the recorder's word: one larger than its whole medium, or than the whole
            // filesystem of the kiosk's store, is a broken or hostile catalog, and pulling it
            // would only fill the kiosk's disk. The recording stays on the recorder (never
            // released) for a technician to look at.
            if let total = storageTotal, total > 0, entry.size > total {
                out.anomalies.append(Anomaly("implausible-size", recordingId: entry.id,
                                             "the catalog lists \(entry.size) bytes, more than the recorder's whole storage (\(total) bytes): not read, left on the recorder"))
                continue
            }
            if entry.size > storeSize {
                out.anomalies.append(Anomaly("implausible-size", recordingId: entry.id,
                                             "the catalog lists \(entry.size) bytes, more than the whole filesystem of the kiosk's store (\(storeSize) bytes): not read, left on the recorder"))
                continue
            }
            if let f = files[entry.id], f.size == entry.size, f.deviceSHA256 == entry.deviceSHA256 { continue }
            // A quarantined copy is not a collected one: the recording is read again at every
            // dock until a copy verifies (and it is never released before).
            if let ledger = try journal.ledgerEntry(serial: identity.serial, recordingId: entry.id, size: entry.size,
                                                    deviceSHA256: entry.deviceSHA256), !ledger.quarantined {
                out.alreadyIngested += 1
                previouslyIngested.append((entry, ledger))
                continue
            }
            let file = Journal.File(sessionId: session.id, recordingId: entry.id, size: entry.size,
                                    deviceSHA256: entry.deviceSHA256,
                                    bagPath: files[entry.id]?.bagPath ?? sanitizer.bagPath(for: entry.pathBytes, recordingId: entry.id))
            try journal.put(file)
            files[entry.id] = file
            meta.entries[String(entry.id)] = SessionMeta.Entry(
                kind: entry.kind.description, pathHex: hexString(entry.pathBytes), sequence: entry.sequence,
                important: entry.important, startMilliseconds: entry.startMilliseconds, endMilliseconds: entry.endMilliseconds)
        }
        try journal.setMeta(session: session.id, meta.encoded())

        // Pull what is not yet staged.
        let byId = Dictionary(catalog.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let pending = files.values.filter { $0.state == .pending }.sorted { $0.recordingId < $1.recordingId }
        // The recorder's sizes: their sum may not fit a UInt64 (each is at most the kiosk's
        // filesystem, unknown when statvfs fails).
        let total = pending.map(\.size).saturatingSum()
        let already = pending.map(\.durableOffset).saturatingSum()
        context.progress.update(port) { $0.phase = .ingesting; $0.bytesTotal = total; $0.bytesDone = already }
        var fileAnomalies: [Anomaly] = []
        for file in pending {
            guard let entry = byId[file.recordingId] else {
                // The recorder no longer lists it: keep what is staged, flagged.
                let staged = try StagedFile.trimAndHash(store: context.store, bag: session.bagName, bagPath: file.bagPath, to: file.durableOffset)
                var f = file
                f.state = .incomplete
                f.sha256 = staged
                try journal.put(f)
                files[f.recordingId] = f
                fileAnomalies.append(Anomaly("vanished", recordingId: file.recordingId,
                                             "listed at an earlier dock, no longer listed; \(file.durableOffset) of \(file.size) bytes kept as an incomplete copy"))
                continue
            }
            let pullStart = ContinuousClock.now, before = out.bytes
            let result = try await pull(recorder, entry: entry, file: file, session: session, out: &out)
            let pulled = out.bytes - before, spent = ContinuousClock.now - pullStart
            context.progress.update(port) {
                $0.diagnostics.pulledBytes += pulled
                $0.diagnostics.pullSeconds += Double(spent.components.seconds) + Double(spent.components.attoseconds) / 1e18
                $0.diagnostics.rereads += result.file.rereads
            }
            files[result.file.recordingId] = result.file
            if !result.anomalies.isEmpty {
                fileAnomalies += result.anomalies
                // Kept in the journal, so an interruption later in this dock does not lose them.
                meta.anomalies = earlierAnomalies + fileAnomalies
                try journal.setMeta(session: session.id, meta.encoded())
            }
        }
        out.anomalies += fileAnomalies
        meta.anomalies = earlierAnomalies

        // Finalize the bag.
        context.progress.update(port) { $0.phase = .finalizing }
        let bagFiles = files.values.sorted { $0.recordingId < $1.recordingId }
        let dockEnd = Date()
        if bagFiles.isEmpty {
            // Nothing new on the recorder: no bag; the audit log records the dock.
            try journal.finish(session: session.id, state: .finalized, endedUTC: UTCTimestamp.string(dockEnd))
        } else {
            try await seal(session: session, meta: meta, files: bagFiles, identity: identity, recorder: recorder,
                           clock: clock, dockEnd: dockEnd, out: &out)
        }
        try await setClockAndRelease(recorder, identity: identity, clock: clock, bagFiles: bagFiles,
                                     previouslyIngested: previouslyIngested, out: &out)
        out.result = .completed
    }

    private func seal(session: Journal.Session, meta original: SessionMeta, files bagFiles: [Journal.File],
                      identity: RecorderIdentity, recorder: any Recorder, clock: ClockSample, dockEnd: Date,
                      out: inout DockOutcome) async throws {
        var meta = original
        meta.docks[meta.docks.count - 1].endUTC = UTCTimestamp.string(dockEnd)
        meta.docks[meta.docks.count - 1].result = "completed"
        let custody = CustodyComposer(context: context, identity: identity, info: recorder.info, bay: bay,
                                      session: session, meta: meta, files: bagFiles, clock: clock,
                                      anomalies: (meta.anomalies ?? []) + out.anomalies, dockEnd: dockEnd,
                                      seconds: dockEnd.timeIntervalSince(UTCTimestamp.date(session.startedUTC) ?? dockEnd),
                                      auditHead: await context.audit.head)
        // An incomplete file holds only its durable bytes.
        let payload = bagFiles.map { LocalStore.PayloadFile(bagPath: $0.bagPath, sha256: $0.sha256 ?? [], size: $0.durableOffset) }
        let staging = context.store.stagingBag(session.bagName)
        let sealed = custody.sealed { bagPath in
            // Logs are small; a recording is never read here (only gps-log and time-log are).
            FileManager.default.contents(atPath: staging + "/" + bagPath).map { Array($0) }
        }
        context.progress.update(port) { $0.diagnostics.driftSecondsPerDay = sealed.record.clock.driftSecondsPerDay }
        let bagPath = try context.store.finalize(bag: session.bagName, payload: payload,
                                                 bagInfo: custody.bagInfo(payload: payload, dockStart: UTCTimestamp.date(session.startedUTC) ?? dockEnd),
                                                 custody: try sealed.record.canonicalJSON(), derived: sealed.derivedFiles, key: context.key)
        // An incomplete copy is in the bag but not in the ledger: it was not collected.
        let ledger = bagFiles.filter { $0.state != .incomplete }.map {
            Journal.LedgerEntry(serial: identity.serial, recordingId: $0.recordingId, size: $0.size,
                                deviceSHA256: $0.deviceSHA256, sha256: $0.sha256 ?? [], bagName: session.bagName,
                                quarantined: $0.state == .quarantined, ingestedUTC: UTCTimestamp.string(dockEnd))
        }
        CrashPoint.bagRenamed.reached()
        try journal.commitBag(session: session.id, entries: ledger, endedUTC: UTCTimestamp.string(dockEnd))
        CrashPoint.bagCommitted.reached()
        out.bagPath = bagPath
        out.files = bagFiles.count
        out.verified = bagFiles.filter { $0.state == .staged }.count
        out.quarantined = bagFiles.filter { $0.state == .quarantined }.count
        out.incomplete = bagFiles.filter { $0.state == .incomplete }.count
        if await audit(.bagFinalized, serial: identity.serial, detail: [
            "bag": session.bagName, "files": "\(out.files)", "verified": "\(out.verified)", "quarantined": "\(out.quarantined)",
            "incomplete": "\(out.incomplete)"]) {
            CrashPoint.bagAudited.reached()
            try journal.markBagAudited(session: session.id)
        }
        if let forwarder = context.forwarder {
            do {
                try await forwarder.enqueue(bag: session.bagName)
            } catch {
                out.anomalies.append(Anomaly("forward-not-queued", "\(error)"))
            }
        }
    }

    private func setClockAndRelease(_ recorder: any Recorder, identity: RecorderIdentity, clock: ClockSample,
                                    bagFiles: [Journal.File], previouslyIngested: [(CatalogEntry, Journal.LedgerEntry)],
                                    out: inout DockOutcome) async throws {

        // Set the clock, now that the measured offset is sealed in the custody record.
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        if let refusal = try await attempt({ () async throws(RecorderError) in
            try await recorder.setClock(DeviceTime(utcMilliseconds: now, zoneOffsetMinutes: clock.device.zoneOffsetMinutes))
        }) {
            out.anomalies.append(Anomaly("clock-set-failed", refusal.description))
            await audit(.error, serial: identity.serial, detail: ["reason": "CLOCK_SET: \(refusal)"])
        } else {
            await audit(.clockSet, serial: identity.serial, detail: ["previousOffsetMs": String(format: "%.1f", clock.offsetMilliseconds)])
        }

        // Release as the policy allows: files verified in this bag, and ones verified in earlier
        // bags that the recorder still holds (the ledger remembers).
        if context.config.releasePolicy == .releaseAfterVerified {
            context.progress.update(port) { $0.phase = .releasing }
            var candidates: [(UInt32, UInt64, [UInt8]?, [UInt8])] = []
            // With a remote store, a recording is released only once its bag is verified there.
            var thisBagStored = true
            if let forwarder = context.forwarder, let bag = bagFiles.first.flatMap({ _ in out.bagPath }).map({ ($0 as NSString).lastPathComponent }) {
                context.progress.update(port) { $0.phase = .forwarding }
                thisBagStored = await forwarder.waitFor(bag: bag, timeout: forwarder.settings.wait)
                if !thisBagStored {
                    out.anomalies.append(Anomaly("not-yet-forwarded", "bag \(bag) is not yet verified in the remote store; its recordings stay on the recorder until a later dock"))
                }
                context.progress.update(port) { $0.phase = .releasing }
            }
            if thisBagStored {
                candidates += bagFiles.filter { $0.state == .staged && $0.sha256 != nil }
                    .map { ($0.recordingId, $0.size, $0.deviceSHA256, $0.sha256!) }
            }
            // Recordings verified in earlier bags: released once those bags are in the store,
            // waiting (within forward-wait) for a queue that is still catching up.
            var storedBags: [String: Bool] = [:]
            for entry in previouslyIngested where entry.1.releasedUTC == nil {
                let bag = entry.1.bagName
                if storedBags[bag] == nil {
                    if let forwarder = context.forwarder {
                        storedBags[bag] = await forwarder.waitFor(bag: bag, timeout: forwarder.settings.wait)
                    } else {
                        storedBags[bag] = true
                    }
                }
                if storedBags[bag] == true { candidates.append((entry.0.id, entry.0.size, entry.0.deviceSHA256, entry.1.sha256)) }
            }
            for (id, size, device, sha) in candidates {
                if let refusal = try await attempt({ () async throws(RecorderError) in try await recorder.release(id, sha256: sha) }) {
                    out.anomalies.append(Anomaly("release-refused", recordingId: id, refusal.description))
                    await audit(.error, serial: identity.serial, detail: ["recordingId": "\(id)", "reason": "RELEASE refused: \(refusal)"])
                    continue
                }
                CrashPoint.released.reached()
                try journal.markReleased(serial: identity.serial, recordingId: id, size: size, deviceSHA256: device,
                                         releasedUTC: UTCTimestamp.string(Date()))
                out.released += 1
                await audit(.released, serial: identity.serial, detail: ["recordingId": "\(id)", "sha256": hexString(sha)])
            }
        }
    }

    // MARK: - One recording

    private struct PullResult {
        var file: Journal.File
        var anomalies: [Anomaly]
    }

    /// Pulls one recording with its retries and verification, and records the result.
    private func pull(_ recorder: any Recorder, entry: CatalogEntry, file start: Journal.File,
                      session: Journal.Session, out: inout DockOutcome) async throws -> PullResult {
        var file = start
        var anomalies: [Anomaly] = []
        var from = file.durableOffset
        var mismatches = 0, readRetries = 1
        var firstMismatch: [UInt8]?
        let serial = session.serial
        while true {
            let pulled: FilePull.Result
            let board = context.progress, port = self.port
            do {
                pulled = try await FilePull(recorder: recorder, entry: entry, store: context.store, bag: session.bagName,
                                            bagPath: file.bagPath, journal: journal, sessionId: session.id,
                                            progress: { n in board.update(port) { $0.bytesDone += n } }).run(from: from)
            } catch let error as RecorderError {
                // What reached the disk before the failure counts as pulled, and stays: FilePull
                // made it durable before throwing.
                let durable = (try journal.files(session: session.id).first { $0.recordingId == entry.id })?.durableOffset ?? 0
                out.bytes += durable > from ? durable - from : 0
                // A lost link is no verdict on this file: it stays pending, and the next dock
                // continues it from the durable offset.
                if error.isLinkLost { throw error.context("file \(entry.id) at offset \(durable)") }
                if readRetries > 0 {
                    readRetries -= 1
                    from = durable
                    continue
                }
                // The device would not give it all: keep what arrived as an incomplete copy,
                // never released, not counted as collected, so a later dock reads it again.
                file.durableOffset = durable
                file.state = .incomplete
                file.sha256 = try StagedFile.trimAndHash(store: context.store, bag: session.bagName, bagPath: file.bagPath, to: durable)
                try journal.put(file)
                CrashPoint.fileRecorded.reached()
                anomalies.append(Anomaly("read-failed", recordingId: entry.id,
                                         "\(error); \(durable) of \(entry.size) bytes kept as an incomplete copy, not released; the next dock reads it again"))
                await audit(.readFailed, serial: serial, detail: ["recordingId": "\(entry.id)", "kept": "\(durable)",
                                                                 "size": "\(entry.size)", "reason": error.description])
                return PullResult(file: file, anomalies: anomalies)
            }
            out.bytes += pulled.pulled
            file.rereads += pulled.rereads
            file.durableOffset = entry.size
            file.sha256 = pulled.sha256
            guard let device = entry.deviceSHA256, device != pulled.sha256 else {
                file.state = .staged
                try journal.put(file)
                CrashPoint.fileRecorded.reached()
                await audit(.recordingIngested, serial: serial, detail: [
                    "recordingId": "\(entry.id)", "size": "\(entry.size)", "sha256": hexString(pulled.sha256),
                    "bagPath": file.bagPath])
                return PullResult(file: file, anomalies: anomalies)
            }
            mismatches += 1
            await audit(.hashMismatch, serial: serial, detail: [
                "recordingId": "\(entry.id)", "device": hexString(device), "computed": hexString(pulled.sha256),
                "attempt": "\(mismatches)"])
            if mismatches == 1 {
                firstMismatch = pulled.sha256
                anomalies.append(Anomaly("device-hash-mismatch", recordingId: entry.id,
                                         "computed \(hexString(pulled.sha256)), device says \(hexString(device)); reading again"))
                file.rereads += 1
                file.durableOffset = 0
                try journal.put(file)
                from = 0
                continue
            }
            file.state = .quarantined
            try journal.put(file)
            CrashPoint.fileRecorded.reached()
            let readings = firstMismatch == pulled.sha256
                ? "SHA-256 \(hexString(pulled.sha256)) both times"
                : "SHA-256 \(hexString(firstMismatch ?? [])) then \(hexString(pulled.sha256))"
            anomalies.append(Anomaly("quarantined", recordingId: entry.id,
                                     "read twice, \(readings), device says \(hexString(device)); kept, never released"))
            await audit(.quarantined, serial: serial, detail: ["recordingId": "\(entry.id)", "reason": "device hash mismatch twice"])
            return PullResult(file: file, anomalies: anomalies)
        }
    }

    /// A new session whose bag name is `<serial>_<officer>_<yyyyMMddTHHmmssZ>`, with `-2`, `-3`…
    /// when a dock of the same recorder began in the same second.
    private func openSession(identity: RecorderIdentity, dockStart: Date) throws -> Journal.Session {
        let base = "\(identity.serial)_\(identity.officerNumber.isEmpty ? "000000" : identity.officerNumber)_\(compactUTC(dockStart))"
        var attempt = 1
        while true {
            let name = attempt == 1 ? base : "\(base)-\(attempt)"
            let taken = FileManager.default.fileExists(atPath: context.store.finalBag(name))
                || FileManager.default.fileExists(atPath: context.store.stagingBag(name))
            if !taken {
                let opened: Result<Journal.Session, JournalError>
                do throws(JournalError) {
                    opened = .success(try journal.openSession(serial: identity.serial, bay: bay, bagName: name,
                                                              startedUTC: UTCTimestamp.string(dockStart)))
                } catch {
                    opened = .failure(error)
                }
                switch opened {
                case .success(let session): return session
                case .failure(let error):
                    // Most likely the name is in the journal already (a session of the same second).
                    if attempt >= 20 { throw error }
                }
            }
            attempt += 1
        }
    }

    /// Runs a recorder operation; returns its error when the device refused or failed, nil on
    /// success. A lost link is not returned but thrown on, ending the dock as interrupted.
    private func attempt(_ operation: () async throws(RecorderError) -> Void) async throws(RecorderError) -> RecorderError? {
        do {
            try await operation()
            return nil
        } catch {
            if error.isLinkLost { throw error }
            return error
        }
    }

    private func measureClock(_ recorder: any Recorder) async throws -> ClockSample {
        var best: ClockSample?
        for _ in 0..<max(1, context.clockSamples) {
            let s = try await recorder.readClock()
            if best == nil || s.roundTripMilliseconds < best!.roundTripMilliseconds { best = s }
        }
        return best!
    }

    /// Appends to the audit log; true when the entry is durable.
    @discardableResult
    private func audit(_ event: AuditEvent, serial: String? = nil, detail: [String: String] = [:]) async -> Bool {
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

/// What staging already holds of a file that will not be completed.
enum StagedFile {
    /// Cuts the staged file to `end` bytes (dropping a torn tail), fsyncs it, and returns the
    /// SHA-256 of what remains. A missing file counts as empty.
    static func trimAndHash(store: LocalStore, bag: String, bagPath: String, to end: UInt64) throws -> [UInt8] {
        let (fd, path) = try store.openStagingFile(bag: bag, bagPath: bagPath)
        defer { close(fd) }
        try FileIO.truncate(fd, to: end, path: path)
        try FileIO.sync(fd, path: path)
        let hasher = SHA256Hasher()
        try FileDigest.feed(fd, upTo: end, path: path, into: hasher)
        return hasher.finalize()
    }
}
