import Evidence
import EvidenceStore
import Foundation
import GatewayCrypto
import Journal
import RecorderHAL

/// What the recorder says about itself before anything is read: who it is (once it accepted
/// the password), its clock, its storage, and what it holds.
struct DockAdmission {
    var identity: RecorderIdentity
    /// The best clock reading; nil when the recorder's family cannot read its clock
    /// (`.clockRead` absent): then nothing about its clock is known, and nothing is claimed.
    var clock: ClockSample?
    /// The recorder's whole storage in bytes, when its STATUS says.
    var storageTotal: UInt64?
    var catalog: [CatalogEntry]
}

extension DockSession {
    /// HELLO, IDENTITY, AUTHENTICATE (password for the serial, else the fleet default; a
    /// refusal is reported once, never retried), CLOCK_GET samples, STATUS, CATALOG. A recorder
    /// without a login (`.authenticationRequired` absent) needs no password; one that cannot
    /// read its clock (`.clockRead` absent) is not asked, and the anomaly `clock-not-read` says so.
    func admit(_ recorder: any Recorder, _ out: inout DockOutcome) async throws -> DockAdmission {
        var identity = try await recorder.identity()
        if let dance { identity = await dance.identity(identity) }
        out.serial = identity.serial
        out.officerNumber = identity.officerNumber
        context.progress.update(port) {
            $0.serial = identity.serial
            $0.officer = identity.officerNumber
            $0.officerName = identity.officerName
            $0.phase = .authenticating
        }
        await audit(.identified, serial: identity.serial, detail: [
            "officerNumber": identity.officerNumber, "unitNumber": identity.unitNumber,
            "model": identity.model, "firmware": identity.firmware])

        let capabilities = recorder.info.capabilities
        if capabilities.contains(.authenticationRequired) {
            try await authenticate(recorder, identity: identity, &out)
        }

        var clock: ClockSample?
        if capabilities.contains(.clockRead) {
            let sample = try await measureClock(recorder)
            clock = sample
            out.clockOffsetMilliseconds = sample.offsetMilliseconds
            await audit(.clockOffset, serial: identity.serial, detail: [
                "offsetMs": String(format: "%.1f", sample.offsetMilliseconds),
                "roundTripMs": String(format: "%.3f", sample.roundTripMilliseconds)])
        } else {
            // No reading, no offset: not an offset of 0. The audit log has no clock-offset entry
            // for this dock; the anomaly (in the custody record) is the statement.
            out.anomalies.append(Anomaly("clock-not-read", Self.clockNotReadDetail(driver: recorder.info.driver)))
        }

        // Health for the technician's view; a recorder that cannot say is not a failed dock.
        var storageTotal: UInt64?
        let health = try await attempt { () async throws(RecorderError) in
            let s = try await recorder.status()
            storageTotal = s.storageTotalBytes
            context.progress.update(port) { $0.batteryPercent = s.batteryPercent; $0.storageFreeBytes = s.storageFreeBytes }
        }
        if let health { out.anomalies.append(Anomaly("status-unavailable", health.description)) }
        context.progress.update(port) { $0.clockOffsetMilliseconds = clock?.offsetMilliseconds; $0.phase = .cataloguing }
        var listing: [CatalogEntry] = []
        if let refusal = try await attempt({ () async throws(RecorderError) in listing = try await recorder.catalog() }) {
            out.anomalies.append(Anomaly("catalog-refused", refusal.description))
            throw DockFailure(description: "catalog: \(refusal)")
        }
        let catalog = listing
        out.listed = catalog.count
        return DockAdmission(identity: identity, clock: clock, storageTotal: storageTotal, catalog: catalog)
    }

    /// The `clock-not-read` anomaly's detail.
    static func clockNotReadDetail(driver: String) -> String {
        "the recorder's family (\(driver)) cannot read its clock: its times are the device's own, uncorrected, and its clock offset is unknown (not 0)"
    }

    /// Logs in with the password for the serial, else the fleet default; a refusal is reported
    /// once, never retried.
    private func authenticate(_ recorder: any Recorder, identity: RecorderIdentity, _ out: inout DockOutcome) async throws {
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
    }

    func measureClock(_ recorder: any Recorder) async throws -> ClockSample {
        var best: ClockSample?
        for _ in 0..<max(1, context.clockSamples) {
            let s = try await recorder.readClock()
            if best == nil || s.roundTripMilliseconds < best!.roundTripMilliseconds { best = s }
        }
        return best!
    }
}
