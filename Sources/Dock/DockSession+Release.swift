import Evidence
import EvidenceStore
import Foundation
import GatewayCrypto
import Journal
import RecorderHAL

extension DockSession {
    /// Sets the recorder's clock, now that the measured offset is sealed, and releases what the
    /// policy allows.
    ///
    /// The clock is set only when it was read (`clock` non-nil: the reading is the evidence of
    /// the offset the setting erases) and the recorder can set it (`.clockSet`); otherwise it is
    /// left alone and no `clock-set` is audited. A recorder without `.release` is never asked to
    /// release: when the policy would release, one `verified-not-released` anomaly counts what
    /// stays on it, and the dock still completes.
    ///
    /// It runs once every volume's bag is sealed (`volumes`, in the medium's order): a
    /// withholding anomaly of any volume withholds every release of the dock, and with a remote
    /// store each bag's recordings wait for that bag to be verified there.
    func setClockAndRelease(_ recorder: any Recorder, identity: RecorderIdentity, clock: ClockSample?,
                            volumes: [SealedVolume], out: inout DockOutcome) async throws {
        let capabilities = recorder.info.capabilities
        // Set the clock, now that the measured offset is sealed in the custody record (or, with
        // no bag, in the audit log's clock-offset entry).
        if let clock, capabilities.contains(.clockSet) {
            let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
            if let refusal = try await attempt({ () async throws(RecorderError) in
                try await recorder.setClock(DeviceTime(utcMilliseconds: now, zoneOffsetMinutes: clock.device.zoneOffsetMinutes))
            }) {
                out.anomalies.append(Anomaly("clock-set-failed", refusal.description))
                await audit(.error, serial: identity.serial, detail: ["reason": "CLOCK_SET: \(refusal)"])
            } else {
                await audit(.clockSet, serial: identity.serial, detail: ["previousOffsetMs": String(format: "%.1f", clock.offsetMilliseconds)])
            }
        }

        // A source that did not read the same twice (or could not be read again) frees nothing.
        let withheld = out.anomalies.filter { DockSession.releaseWithholding.contains($0.code) }
        if context.config.releasePolicy == .releaseAfterVerified, !withheld.isEmpty {
            await audit(.error, serial: identity.serial, detail: [
                "reason": "nothing released: " + Set(withheld.map(\.code)).sorted().joined(separator: ", ")])
            return
        }

        // Release as the policy allows: files verified in this bag, and ones verified in earlier
        // bags that the recorder still holds (the ledger remembers).
        if context.config.releasePolicy == .releaseAfterVerified && !capabilities.contains(.release) {
            var verified = 0
            for v in volumes {
                verified += try Self.releasable(journal.files(session: v.session)).count + v.previouslyIngested.filter { $0.1.releasedUTC == nil }.count
            }
            if verified > 0 {
                out.anomalies.append(Anomaly("verified-not-released", Self.notReleasedDetail(verified, driver: recorder.info.driver)))
            }
        } else if context.config.releasePolicy == .releaseAfterVerified {
            context.progress.update(port) { $0.phase = .releasing }
            var candidates: [(UInt32, UInt64, [UInt8]?, [UInt8]?, [UInt8])] = []
            for volume in volumes {
                // With a remote store, a recording is released only once its bag is verified there.
                var thisBagStored = true
                if let forwarder = context.forwarder, let bag = volume.bagPath.map({ ($0 as NSString).lastPathComponent }) {
                    context.progress.update(port) { $0.phase = .forwarding }
                    thisBagStored = await forwarder.waitFor(bag: bag, timeout: forwarder.settings.wait)
                    if !thisBagStored {
                        out.anomalies.append(Anomaly("not-yet-forwarded", "bag \(bag) is not yet verified in the remote store; its recordings stay on the recorder until a later dock"))
                    }
                    context.progress.update(port) { $0.phase = .releasing }
                }
                if thisBagStored {
                    // The bag's files as the journal has them: not held since the seal (#11).
                    candidates += try Self.releasable(journal.files(session: volume.session))
                        .map { ($0.recordingId, $0.size, $0.deviceSHA256, $0.sourceKey, $0.sha256!) }
                }
            }
            // Recordings verified in earlier bags: released once those bags are in the store,
            // waiting (within forward-wait) for a queue that is still catching up.
            var storedBags: [String: Bool] = [:]
            for entry in volumes.flatMap(\.previouslyIngested) where entry.1.releasedUTC == nil {
                let bag = entry.1.bagName
                if storedBags[bag] == nil {
                    if let forwarder = context.forwarder {
                        storedBags[bag] = await forwarder.waitFor(bag: bag, timeout: forwarder.settings.wait)
                    } else {
                        storedBags[bag] = true
                    }
                }
                if storedBags[bag] == true { candidates.append((entry.0.id, entry.0.size, entry.0.deviceSHA256, entry.1.sourceKey, entry.1.sha256)) }
            }
            for (id, size, device, sourceKey, sha) in candidates {
                if let refusal = try await attempt({ () async throws(RecorderError) in try await recorder.release(id, sha256: sha) }) {
                    out.anomalies.append(Anomaly("release-refused", recordingId: id, refusal.description))
                    await audit(.error, serial: identity.serial, detail: ["recordingId": "\(id)", "reason": "RELEASE refused: \(refusal)"])
                    continue
                }
                CrashPoint.released.reached()
                try journal.markReleased(serial: identity.serial, recordingId: id, size: size, deviceSHA256: device,
                                         sourceKey: sourceKey, releasedUTC: UTCTimestamp.string(Date()))
                out.released += 1
                await audit(.released, serial: identity.serial, detail: ["recordingId": "\(id)", "sha256": hexString(sha)])
            }
        }
    }

    /// The files of a bag that may be released: verified, with the hash the release names.
    static func releasable(_ files: [Journal.File]) -> [Journal.File] {
        files.filter { $0.state == .staged && $0.sha256 != nil }
    }

    /// The `verified-not-released` anomaly's detail.
    static func notReleasedDetail(_ count: Int, driver: String) -> String {
        "\(count) verified recording\(count == 1 ? "" : "s") stay\(count == 1 ? "s" : "") on the recorder: its family (\(driver)) has no release"
    }
}
