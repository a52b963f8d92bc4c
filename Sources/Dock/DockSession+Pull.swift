import Evidence
import EvidenceStore
import Foundation
import GatewayCrypto
import Journal
import RecorderHAL
#if canImport(Glibc)
import Glibc
#endif


extension DockSession {
    /// Pulls every file of the plan not yet staged, one after another, and keeps each file's
    /// anomalies in the journal as they come.
    func pullPending(_ recorder: any Recorder, catalog: [CatalogEntry], plan: inout DockPlan,
                     out: inout DockOutcome) async throws {
        // `plan.files` is changed in place: a copy of it would be copied whole at its first change.
        // What earlier docks of this session recorded (the plan's meta as the journal had it).
        let session = plan.session, earlierAnomalies = plan.meta.anomalies ?? []
        // Pull what is not yet staged.
        // Each id's first entry, by index: a dictionary of the entries themselves held a second
        // copy of every one while the whole pull ran (#11).
        var indexById: [UInt32: Int] = [:]
        indexById.reserveCapacity(catalog.count)
        for (i, entry) in catalog.enumerated() where indexById[entry.id] == nil { indexById[entry.id] = i }
        let pending = DockPlan.pullOrder(plan.files.values.filter { $0.state == .pending },
                                         important: Set(catalog.filter(\.important).map(\.id)))
        // The recorder's sizes: their sum may not fit a UInt64 (each is at most the kiosk's
        // filesystem, unknown when statvfs fails).
        let total = pending.map(\.size).saturatingSum()
        let already = pending.map(\.durableOffset).saturatingSum()
        // Added to the bay's figures (zero when the dock begins): a medium with several volumes is
        // pulled volume by volume and shown as one dock, its bytes done never going back.
        context.progress.update(port) {
            $0.phase = .ingesting
            $0.bytesTotal = [$0.bytesTotal, total].saturatingSum()
            $0.bytesDone = [$0.bytesDone, already].saturatingSum()
        }
        var fileAnomalies: [Anomaly] = []
        for file in pending {
            guard let entry = indexById[file.recordingId].map({ catalog[$0] }) else {
                // The recorder no longer lists it: keep what is staged, flagged.
                let staged = try StagedFile.trimAndHash(store: context.store, bag: session.bagName, bagPath: file.bagPath, to: file.durableOffset)
                var f = file
                f.state = .incomplete
                f.sha256 = staged
                try journal.put(f)
                plan.files[f.recordingId] = f
                fileAnomalies.append(Anomaly("vanished", recordingId: file.recordingId,
                                             "listed at an earlier dock, no longer listed; \(file.durableOffset) of \(file.size) bytes kept as an incomplete copy"))
                continue
            }
            let pullStart = ContinuousClock.now, before = out.bytes
            let result = try await pull(recorder, entry: entry, file: file, session: session, out: &out)
            let pulled = out.bytes - before, spent = ContinuousClock.now - pullStart
            context.progress.update(port) { $0.diagnostics.recordPull(bytes: pulled, spent: spent, rereads: result.file.rereads) }
            plan.files[result.file.recordingId] = result.file
            if !result.anomalies.isEmpty {
                fileAnomalies += result.anomalies
                // Kept in the journal, so an interruption later in this dock does not lose them.
                plan.meta.anomalies = earlierAnomalies + fileAnomalies
                try journal.setMeta(session: session.id, plan.meta.encoded())
            }
        }
        out.anomalies += fileAnomalies
        plan.meta.anomalies = earlierAnomalies
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
            let pulled: FilePull.Pulled
            let board = context.progress, port = self.port
            do {
                pulled = try await FilePull(recorder: recorder, entry: entry, store: context.store, bag: session.bagName,
                                            bagPath: file.bagPath, journal: journal, sessionId: session.id,
                                            progress: { n in board.update(port) { $0.bytesDone += n } }).run(from: from)
            } catch let error as RecorderError {
                // What reached the disk before the failure counts as pulled, and stays: FilePull
                // made it durable before throwing.
                let durable = try journal.durableOffset(session: session.id, recording: entry.id)
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
