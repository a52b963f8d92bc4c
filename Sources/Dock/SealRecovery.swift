import Evidence
import Foundation
import Journal

/// Finishes what a stop cut short after a bag was sealed, so that every bag under bags/ is in
/// the ledger and named in the audit log.
///
/// Sealing is: rename into bags/ → ledger commit (which marks the bag as not yet audited) →
/// `bag-finalized` audit entry → mark audited. A stop between the rename and the commit leaves
/// the session open with its bag already sealed; a stop before the mark leaves a bag the audit
/// log may not name. Both are found from the journal alone, at start-up and at the next dock
/// of the recorder. A stop between the audit entry and the mark names the bag twice: the second
/// entry says `recovered`, and twice is better than never.
struct SealRecovery {
    let context: IngestContext

    /// What one pass did.
    struct Result {
        /// Sessions whose bag's ledger commit was completed now (not queued for forwarding yet).
        var committed: [Journal.Session] = []
        /// Bags the audit log names now that it may not have named before.
        var audited: [String] = []
    }

    /// Completes every open session whose bag is already sealed, then writes the missing
    /// `bag-finalized` entries.
    func run() async -> Result {
        var result = Result()
        for session in (try? context.journal.openSessions()) ?? [] {
            if (try? commitIfSealed(session)) == true { result.committed.append(session) }
        }
        result.audited = await auditUnnamedBags()
        return result
    }

    /// Completes the ledger commit of `session` from the journal when its bag is already
    /// sealed under bags/ (signature present, no staging copy). Returns true when it did.
    func commitIfSealed(_ session: Journal.Session) throws -> Bool {
        let final = context.store.finalBag(session.bagName)
        guard FileManager.default.fileExists(atPath: final + "/custody.json.sig"),
              !FileManager.default.fileExists(atPath: context.store.stagingBag(session.bagName)) else { return false }
        let now = UTCTimestamp.string(Date())
        // Incomplete copies are in the bag but not collected: not in the ledger (as at sealing).
        let entries = try context.journal.files(session: session.id).filter { $0.state == .staged || $0.state == .quarantined }.map {
            Journal.LedgerEntry(serial: session.serial, recordingId: $0.recordingId, size: $0.size, deviceSHA256: $0.deviceSHA256,
                                sha256: $0.sha256 ?? [], bagName: session.bagName, quarantined: $0.state == .quarantined,
                                ingestedUTC: now, sourceKey: $0.sourceKey)
        }
        try context.store.makeReadOnly(final)
        try context.journal.commitBag(session: session.id, entries: entries, endedUTC: now)
        return true
    }

    /// Writes `bag-finalized` (with `recovered`) for each committed bag whose entry may be
    /// missing, and marks it audited once the entry is durable. Returns the bags named.
    func auditUnnamedBags() async -> [String] {
        var named: [String] = []
        for session in (try? context.journal.bagsAwaitingAudit()) ?? [] {
            guard FileManager.default.fileExists(atPath: context.store.finalBag(session.bagName)) else { continue }
            let files = (try? context.journal.files(session: session.id)) ?? []
            do {
                try await context.audit.append(.bagFinalized, serial: session.serial, bay: session.bay, detail: [
                    "bag": session.bagName, "files": "\(files.count)",
                    "verified": "\(files.filter { $0.state == .staged }.count)",
                    "quarantined": "\(files.filter { $0.state == .quarantined }.count)",
                    "incomplete": "\(files.filter { $0.state == .incomplete }.count)",
                    "recovered": "the gateway stopped after sealing this bag, before this entry"]
                    .merging(session.volume.isEmpty ? [:] : ["volume": session.volume]) { a, _ in a })
                try context.journal.markBagAudited(session: session.id)
                named.append(session.bagName)
            } catch {
                FileHandle.standardError.write(Data("recorder-gatewayd: bag \(session.bagName): cannot name it in the audit log: \(error)\n".utf8))
            }
        }
        return named
    }
}
