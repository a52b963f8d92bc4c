import Evidence
import EvidenceStore
import Foundation
import GatewayCrypto
import Journal
import RecorderHAL

/// What a dock will do, before anything is pulled: the session it adds to (an interrupted one
/// continued, or a new one), the files that session holds, and the recordings earlier bags
/// already hold (the ledger), which are not read again.
struct DockPlan {
    var session: Journal.Session
    var meta: SessionMeta
    /// The session's files by recording id, new ones included.
    var files: [UInt32: Journal.File]
    /// Recordings on the recorder that earlier bags hold, with their ledger entries.
    var previouslyIngested: [(CatalogEntry, Journal.LedgerEntry)]
}

extension DockPlan {
    /// The order a dock pulls its pending files in: the recordings the recorder flags important
    /// (`CatalogEntry.important`, the officer's mark) first, then the others; each group by
    /// recording id (the recorder's own order). So when a recorder is taken out early, what
    /// reached staging is the important evidence, and the next dock continues with what is
    /// left, important first again. A family without such a flag (mass storage) lists
    /// nothing as important: its files keep id order.
    static func pullOrder(_ files: [Journal.File], important: Set<UInt32>) -> [Journal.File] {
        files.sorted { a, b in
            let ai = important.contains(a.recordingId), bi = important.contains(b.recordingId)
            return ai != bi ? ai : a.recordingId < b.recordingId
        }
    }
}

extension DockSession {
    /// Opens or continues the session of `volume` and records in the journal what is to be
    /// pulled: every catalog entry of the volume that is plausible, not already staged, and not
    /// in the ledger. Nil, with nothing done, for a volume the medium no longer has
    /// (`DockVolume.listed` false) whose open session is gone by now.
    func plan(_ admitted: DockAdmission, volume: DockVolume, dockStart: Date, _ out: inout DockOutcome) async throws -> DockPlan? {
        let identity = admitted.identity, catalog = admitted.catalog, storageTotal = admitted.storageTotal
        // The session: continue an interrupted one of this volume, or start a new one.
        var open = try journal.unfinishedSession(serial: identity.serial, volume: volume.key)
        // A session left open although its bag is sealed (the gateway stopped between the
        // rename and the ledger commit, and start-up recovery could not finish it): finish it.
        if let sealed = open, try SealRecovery(context: context).commitIfSealed(sealed) {
            open = nil
            out.recoveredBags += await SealRecovery(context: context).auditUnnamedBags()
            // And into the forward queue, as start-up recovery queues the bags it commits:
            // otherwise it would wait for the next start of the gateway.
            do {
                try await context.enqueueSealed(sealed)
            } catch {
                out.anomalies.append(Anomaly("forward-not-queued", "\(sealed.bagName): \(error)"))
            }
        }
        let gone = !volume.listed
        if open == nil && gone { return nil }
        let session: Journal.Session
        if let open {
            session = open
            try journal.setBay(session: open.id, bay)
            out.anomalies.append(Anomaly("resumed", "continues the interrupted dock of \(open.startedUTC) (bag \(open.bagName))"
                                         + (gone ? ", whose volume (\(volume.key.isEmpty ? "the one volume" : volume.key)) the medium no longer has" : "")))
        } else {
            session = try openSession(identity: identity, volume: volume, dockStart: dockStart)
        }
        context.progress.update(port) { $0.bag = session.bagName }
        var meta = SessionMeta.decode(session.meta)
        meta.docks.append(.init(bay: bay, startUTC: UTCTimestamp.string(dockStart)))

        // Plan: what this session holds already, what the ledger holds, what is new.
        var files = Dictionary(uniqueKeysWithValues: try journal.files(session: session.id).map { ($0.recordingId, $0) })
        var sanitizer = PathSanitizer()
        for f in files.values.sorted(by: { $0.recordingId < $1.recordingId }) { sanitizer.reserve(f.bagPath) }
        var previouslyIngested: [(CatalogEntry, Journal.LedgerEntry)] = []
        // The kiosk's own bound, which holds when STATUS is missing or lies too.
        // (Unknown when statvfs fails: then only the recorder's own figure bounds a size.)
        let storeSize = (try? FileIO.filesystemSize(context.store.root)) ?? .max
        let catalogIds = Set(catalog.map(\.id))
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
            // The same recording by id, size, device hash and source key: a mass-storage file at a
            // reused path (same id) with the same size is another file when its key differs, and
            // its staging is started afresh rather than appended to.
            if var f = files[entry.id], f.size == entry.size, f.deviceSHA256 == entry.deviceSHA256,
               f.sourceKey == entry.sourceKey {
                // A row without its listing (a session of an older journal whose meta could not be
                // read) gets it now, so the custody record has the file's kind, path and times.
                if f.listing == nil {
                    f.listing = Self.listing(of: entry)
                    try journal.put(f)
                    files[entry.id] = f
                }
                continue
            }
            // The recorder replaced a file this session had begun staging (same id, another
            // source key): the staged bytes are all that is left of the old one, so they move
            // to an id of their own and are sealed as it stands (`vanished` if partial), and the
            // new file is read from byte 0 under a path of its own.
            if let old = files[entry.id], old.sourceKey != entry.sourceKey,
               old.durableOffset > 0, let spare = Self.spareId(taken: catalogIds, files.keys) {
                try journal.moveFile(session: session.id, from: entry.id, to: spare)
                var moved = old
                moved.recordingId = spare
                files[spare] = moved
                files[entry.id] = nil
                out.anomalies.append(Anomaly("replaced-on-recorder", recordingId: spare,
                                             "\(old.durableOffset) of \(old.size) bytes of \(old.bagPath) were staged when the recorder replaced the file (recording \(entry.id)) by another of the same path; the staged copy is kept under recording id \(spare), the new file is read whole"))
            }
            // A quarantined copy is not a collected one: the recording is read again at every
            // dock until a copy verifies (and it is never released before).
            if let ledger = try journal.ledgerEntry(serial: identity.serial, recordingId: entry.id, size: entry.size,
                                                    deviceSHA256: entry.deviceSHA256, sourceKey: entry.sourceKey),
               !ledger.quarantined {
                out.alreadyIngested += 1
                previouslyIngested.append((entry, ledger))
                continue
            }
            let file = Journal.File(sessionId: session.id, recordingId: entry.id, size: entry.size,
                                    deviceSHA256: entry.deviceSHA256,
                                    bagPath: files[entry.id]?.bagPath ?? sanitizer.bagPath(for: entry.pathBytes, recordingId: entry.id),
                                    sourceKey: entry.sourceKey, listing: Self.listing(of: entry))
            try journal.put(file)
            files[entry.id] = file
        }
        try journal.setMeta(session: session.id, meta.encoded())
        return DockPlan(session: session, meta: meta, files: files, previouslyIngested: previouslyIngested)
    }

    /// What the journal keeps of `entry` with its file's row, for the custody record.
    static func listing(of entry: CatalogEntry) -> Journal.Listing {
        Journal.Listing(kind: entry.kind.description, devicePath: entry.pathBytes, sequence: entry.sequence,
                        important: entry.important, startMilliseconds: entry.startMilliseconds,
                        endMilliseconds: entry.endMilliseconds)
    }

    /// The highest recording id neither the catalog nor the session holds, for a staged copy
    /// moved out of the way (`replaced-on-recorder`); nil only if every id is taken.
    static func spareId(taken catalog: Set<UInt32>, _ session: Dictionary<UInt32, Journal.File>.Keys) -> UInt32? {
        var id = UInt32.max
        while catalog.contains(id) || session.contains(id) {
            if id == 0 { return nil }
            id -= 1
        }
        return id
    }

    /// A new session of `volume` whose bag name is `<serial>_<officer>_<yyyyMMddTHHmmssZ>`, then
    /// `_v<N>` for volume N of a medium with several, with `-2`, `-3`… when a dock of the same
    /// recorder began in the same second.
    func openSession(identity: RecorderIdentity, volume: DockVolume, dockStart: Date) throws -> Journal.Session {
        let base = "\(identity.serial)_\(identity.officerNumber.isEmpty ? "000000" : identity.officerNumber)_\(compactUTC(dockStart))"
            + (volume.number.map { "_v\($0)" } ?? "")
        var attempt = 1
        while true {
            let name = attempt == 1 ? base : "\(base)-\(attempt)"
            let taken = FileManager.default.fileExists(atPath: context.store.finalBag(name))
                || FileManager.default.fileExists(atPath: context.store.stagingBag(name))
            if !taken {
                let opened: Result<Journal.Session, JournalError>
                do throws(JournalError) {
                    opened = .success(try journal.openSession(serial: identity.serial, bay: bay, bagName: name,
                                                              startedUTC: UTCTimestamp.string(dockStart), volume: volume.key))
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
}
