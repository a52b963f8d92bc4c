import Evidence
import Foundation
import GatewayCrypto
import Journal
import RecorderHAL
import Settings

/// Where the files of a bag were read from, and whether each was read a second time: what the
/// custody record says about the source beyond the catalog.
struct SourceCheck {
    /// The medium as first listed (`SourceProvenance`), nil for a family that reads none.
    var medium: SourceMedium?
    /// Each bag file's runs as first listed; absent ids are unknown.
    var extents: [UInt32: [SourceExtent]] = [:]
    /// Each bag file's `sourceVerification`, for a recorder without its own hashes; nil for one
    /// that keeps them (its device hash is the independent check).
    var verification: [UInt32: String]?

    static let agreed = "second-read-agreed", differs = "second-read-differs", failed = "second-read-failed", notDone = "not-done"
}

extension DockSession {
    /// Anomalies that withhold every release of the dock: the source did not read the same
    /// twice, or could not be read a second time.
    static let releaseWithholding: Set<String> = ["source-changed", "volume-changed", "source-unverified"]

    /// Whether this dock reads the source a second time: never for a recorder that keeps its own
    /// hashes; for one that does not, at every dock with `verify-source = always`, else when the
    /// dock would release (the recorder can, and the release policy does).
    func verifiesSource(_ info: RecorderInfo) -> Bool {
        let can = info.capabilities
        guard !can.contains(.deviceHashes) else { return false }
        switch context.config.verifySource {
        case .always: return true
        case .beforeRelease: return can.contains(.release) && context.config.releasePolicy == .releaseAfterVerified
        }
    }

    /// The forensic imager's "verify source", before sealing: records where the bag's files were
    /// read from, then, when `verifiesSource`, reads every verified file of the bag a second
    /// time, whole and straight from the recorder (never from staging), and compares its
    /// SHA-256 with the first read's; then lists the catalog again (a mass-storage recorder
    /// reads its volumes afresh) and compares it with the first listing.
    ///
    /// A disagreement is an anomaly (`source-changed` naming the file and both hashes,
    /// `volume-changed`), and a file whose second read differs is quarantined: kept as first
    /// read, never released, and not counted as collected, so the next dock reads it again. So
    /// is a second read or listing that fails (`source-unverified`);
    /// each withholds every release of this dock. Recordings earlier bags hold that this dock
    /// would release are read again too and compared with the ledger's hash. A lost link is
    /// thrown on: the session stays open and the next dock verifies again.
    ///
    /// For one volume of a medium with several (not `volume.whole`) the medium is that
    /// volume's (`DockVolume.medium`), the runs are those of its files with `volume` 0 (its
    /// index in that medium), and the listing again is compared for this volume only: entries,
    /// the volume's description and its files' runs.
    func checkSource(_ recorder: any Recorder, volume: DockVolume, firstListing: [CatalogEntry], plan: inout DockPlan,
                     out: inout DockOutcome) async throws -> SourceCheck {
        var check = SourceCheck()
        let provenance = recorder as? any SourceProvenance
        let whole = volume.whole
        let onVolume: Set<UInt32> = whole ? [] : Set(firstListing.map(\.id))
        /// The medium as the latest listing describes it, restricted to this volume, and the
        /// volume's index in that listing.
        func latestMedium() async -> (medium: SourceMedium?, index: Int?) {
            let medium = await provenance?.sourceMedium()
            if whole { return (medium, nil) }
            let here = medium?.restricted(toVolume: volume.key)
            return (here?.medium, here?.index)
        }
        /// A file's runs in the latest listing, in the terms of this bag's `source`; nil when
        /// the latest listing has it on another volume.
        func extents(of id: UInt32, volumeIndex: Int?) -> [SourceExtent]? {
            guard let provenance else { return nil }
            if whole { return provenance.sourceExtents(of: id) }
            guard let volumeIndex, provenance.sourceVolume(of: id) == volumeIndex else { return nil }
            return provenance.sourceExtents(of: id)?.map { var e = $0; e.volume = 0; return e }
        }
        if provenance != nil {
            let latest = await latestMedium()
            check.medium = whole ? latest.medium : volume.medium
            for id in plan.files.keys where whole || onVolume.contains(id) {
                check.extents[id] = extents(of: id, volumeIndex: latest.index)
            }
        }
        guard !recorder.info.capabilities.contains(.deviceHashes) else { return check }
        let files = plan.files.values.sorted { $0.recordingId < $1.recordingId }
        check.verification = Dictionary(uniqueKeysWithValues: files.map { ($0.recordingId, SourceCheck.notDone) })
        guard verifiesSource(recorder.info) else { return check }

        let listed = Dictionary(firstListing.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        typealias Target = (id: UInt32, size: UInt64, sha256: [UInt8], inBag: Bool)
        var targets: [Target] = files.compactMap { f -> Target? in
            guard f.state == .staged, let sha = f.sha256, listed[f.recordingId]?.size == f.size else { return nil }
            return (f.recordingId, f.size, sha, true)
        }
        if context.config.releasePolicy == .releaseAfterVerified {
            targets += plan.previouslyIngested.filter { $0.1.releasedUTC == nil && !$0.1.quarantined }
                .map { e -> Target in (e.0.id, e.0.size, e.1.sha256, false) }
        }
        context.progress.update(port) { $0.note = "verifying source: reading \(targets.count) files again" }
        let serial = plan.session.serial
        // What this check finds is kept in the journal as it is found, so that a dock cut off
        // before sealing (the file it quarantined stays so) still seals the reason.
        let found = out.anomalies.count
        defer { keepInJournal(Array(out.anomalies[found...]), session: plan.session) }
        for target in targets {
            let second: [UInt8]
            switch await secondRead(recorder, id: target.id, size: target.size) {
            case .success(let sha): second = sha
            case .failure(let error) where error.isLinkLost: throw error
            case .failure(let error):
                if target.inBag { check.verification?[target.id] = SourceCheck.failed }
                out.anomalies.append(Anomaly("source-unverified", recordingId: target.id,
                                             "the second read failed: \(error); nothing of this dock is released"))
                await audit(.error, serial: serial, detail: ["recordingId": "\(target.id)", "reason": "second read: \(error)"])
                continue
            }
            if second == target.sha256 {
                if target.inBag { check.verification?[target.id] = SourceCheck.agreed }
                continue
            }
            if target.inBag, var file = plan.files[target.id] {
                check.verification?[target.id] = SourceCheck.differs
                file.state = .quarantined
                try journal.put(file)
                plan.files[target.id] = file
            }
            let path = listed[target.id]?.path ?? "?"
            out.anomalies.append(Anomaly("source-changed", recordingId: target.id,
                                         "\(path): first read SHA-256 \(hexString(target.sha256)), second read \(hexString(second)); nothing of this dock is released"))
            await audit(.hashMismatch, serial: serial, detail: [
                "recordingId": "\(target.id)", "first": hexString(target.sha256), "second": hexString(second), "check": "second-read"])
        }

        // The listing again: a file added, removed, resized or moved, or a volume that is no
        // longer the same, is a medium that changed between the reads.
        var relisted: [CatalogEntry] = []
        if let refusal = try await attempt({ () async throws(RecorderError) in relisted = try await recorder.catalog() }) {
            out.anomalies.append(Anomaly("source-unverified", "listing the catalog again failed: \(refusal); nothing of this dock is released"))
            return check
        }
        let latest = await latestMedium()
        if !whole {
            // This volume's entries of the new listing; none when the volume is gone.
            relisted = relisted.filter { entry in latest.index.map { provenance?.sourceVolume(of: entry.id) == $0 } ?? false }
        }
        var changes = Self.catalogChanges(firstListing, relisted)
        if provenance != nil, changes.isEmpty {
            if latest.medium != check.medium {
                changes.append(whole ? "the medium's description (volumes, geometry) differs" : "the volume's description (\(volume.key), geometry) differs")
            }
            for id in check.extents.keys.sorted() where extents(of: id, volumeIndex: latest.index) != check.extents[id] {
                changes.append("recording \(id) (\(listed[id]?.path ?? "?")) lies in other runs")
            }
        }
        if !changes.isEmpty {
            let shown = changes.prefix(20).joined(separator: "; ") + (changes.count > 20 ? "; and \(changes.count - 20) more" : "")
            out.anomalies.append(Anomaly("volume-changed", "the catalog listed again after the second read differs from the first: \(shown); nothing of this dock is released"))
            await audit(.error, serial: serial, detail: ["reason": "volume changed between the reads: \(shown)"])
        }
        return check
    }

    /// Adds `anomalies` to the session's meta in the journal (not to the dock's own copy, which
    /// the seal adds to `out.anomalies`): a later dock that continues the session seals them.
    private func keepInJournal(_ anomalies: [Anomaly], session: Journal.Session) {
        guard !anomalies.isEmpty else { return }
        do {
            guard let stored = try journal.unfinishedSession(serial: session.serial, volume: session.volume),
                  stored.id == session.id else { return }
            var meta = SessionMeta.decode(stored.meta)
            meta.anomalies = (meta.anomalies ?? []) + anomalies
            try journal.setMeta(session: session.id, meta.encoded())
        } catch {
            // The anomalies are still in this dock's outcome and, if it seals, its record.
            FileHandle.standardError.write(Data("recorder-gatewayd: bay \(bay): cannot keep the source check's anomalies in the journal: \(error)\n".utf8))
        }
    }

    /// The SHA-256 of recording `id` read whole from the recorder, bytes in order and exactly
    /// `size` of them (else `.protocolViolation`).
    private func secondRead(_ recorder: any Recorder, id: UInt32, size: UInt64) async -> Result<[UInt8], RecorderError> {
        do throws(RecorderError) {
            return .success(try await secondReadHash(recorder, id: id, size: size))
        } catch {
            return .failure(error)
        }
    }

    private func secondReadHash(_ recorder: any Recorder, id: UInt32, size: UInt64) async throws(RecorderError) -> [UInt8] {
        let stream = recorder.read(id, range: 0..<size)
        let hasher = SHA256Hasher()
        var offset: UInt64 = 0
        do throws(RecorderError) {
            while let chunk = try await stream.next() {
                guard chunk.offset == offset else {
                    throw RecorderError(.protocolViolation("chunk at \(chunk.offset), expected \(offset)"))
                }
                hasher.update(chunk.data)
                offset += UInt64(chunk.data.count)
                guard offset <= size else { throw RecorderError(.protocolViolation("more than the \(size) bytes listed")) }
            }
        } catch {
            stream.cancel()
            throw error.context("second read of recording \(id) at offset \(offset)")
        }
        guard offset == size else {
            throw RecorderError(.protocolViolation("second read of recording \(id) ended at \(offset) of \(size) bytes"))
        }
        return hasher.finalize()
    }

    /// What differs between two listings, for a person: entries added, removed or changed.
    static func catalogChanges(_ first: [CatalogEntry], _ second: [CatalogEntry]) -> [String] {
        let a = Dictionary(first.map { ($0.id, $0) }, uniquingKeysWith: { x, _ in x })
        let b = Dictionary(second.map { ($0.id, $0) }, uniquingKeysWith: { x, _ in x })
        var changes: [String] = []
        for (id, entry) in a.sorted(by: { $0.key < $1.key }) {
            guard let now = b[id] else { changes.append("\(entry.path) is gone"); continue }
            if now != entry { changes.append("\(entry.path) changed (size \(entry.size) → \(now.size))") }
        }
        for (id, entry) in b.sorted(by: { $0.key < $1.key }) where a[id] == nil { changes.append("\(entry.path) appeared") }
        return changes
    }
}
