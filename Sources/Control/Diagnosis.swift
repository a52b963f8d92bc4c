import Foundation

/// `recorderctl diagnose`: checks of one bay's recorder and link, each PASS, WARN or FAIL with a
/// one-line hint, from the facts a dock (or a direct probe) gathered.
public enum Diagnosis {
    public enum Verdict: String, Sendable { case pass = "PASS", warn = "WARN", fail = "FAIL" }

    public struct Check: Sendable {
        public var name: String
        public var verdict: Verdict
        public var detail: String
        public var hint: String
    }

    /// The healthy norm for a recorder's clock (GA/T 947 practice).
    public static let driftNorm = 3.0

    /// The checks of one dock's facts. A dock that began with a vendor recorder's dance walks
    /// the dance in order (see `danceChecks`); any other checks the link and the reading.
    public static func evaluate(_ d: DockDiagnostics, clockOffsetMs: Double?) -> [Check] {
        if let dance = d.dance { return danceChecks(dance, disk: d, clockOffsetMs: clockOffsetMs) }
        return readChecks(d, clockOffsetMs: clockOffsetMs, authentication: true)
    }

    /// The checks of a read recorder: its enumeration, its authentication (unless a dance
    /// unlocked it), its clock, the read throughput and the transfer errors.
    static func readChecks(_ d: DockDiagnostics, clockOffsetMs: Double?, authentication: Bool) -> [Check] {
        var checks: [Check] = []
        if let error = d.openError {
            checks.append(Check(name: "enumeration", verdict: .fail, detail: error,
                                hint: "check the udev rule (group, mode), that no other program holds the device, and its descriptors"))
            return checks
        }
        checks.append(Check(name: "enumeration", verdict: .pass,
                            detail: "\(d.link ?? "?") via \(d.driver ?? "?"), payload \(d.maxPayload ?? 0) B, \(d.maxInFlight ?? 0) requests in flight",
                            hint: ""))
        // A dance's unlock is the authentication: its checks said it already.
        if authentication {
            switch d.authenticated {
            case true?: checks.append(Check(name: "authentication", verdict: .pass, detail: "password accepted", hint: ""))
            case false?: checks.append(Check(name: "authentication", verdict: .fail, detail: d.authenticationError ?? "refused",
                                             hint: "set password.SERIAL (or password.default) in the configuration; a locked recorder must wait out its lockout"))
            case nil: checks.append(Check(name: "authentication", verdict: .warn, detail: "not tried", hint: "the dock ended before authentication"))
            }
        }
        if let drift = d.driftSecondsPerDay {
            let ok = abs(drift) <= driftNorm
            checks.append(Check(name: "clock drift", verdict: ok ? .pass : .warn,
                                detail: String(format: "%+.2f s/day (norm ±%.0f s/day)", drift, driftNorm),
                                hint: ok ? "" : "the recorder's clock runs away: check its RTC battery; corrected times in custody.json account for it"))
        } else if let offset = clockOffsetMs {
            let big = abs(offset) > 60_000
            checks.append(Check(name: "clock drift", verdict: big ? .warn : .pass,
                                detail: String(format: "offset %+.1f s at dock, drift unknown (no sync point in the time log)", offset / 1000),
                                hint: big ? "the clock was far off; the gateway set it after sealing the bag" : ""))
        } else {
            checks.append(Check(name: "clock drift", verdict: .warn, detail: "not measured", hint: "the dock ended before the clock was read"))
        }
        if d.pulledBytes >= 16 << 20, d.pullSeconds > 0 {
            let rate = Double(d.pulledBytes) / d.pullSeconds
            if let capacity = d.linkCapacityBytesPerSecond {
                let share = rate / capacity
                checks.append(Check(name: "read throughput", verdict: share >= 0.5 ? .pass : .warn,
                                    detail: String(format: "%.1f MB/s, %.0f%% of the link's %.1f MB/s", rate / 1e6, share * 100, capacity / 1e6),
                                    hint: share >= 0.5 ? "" : "a slow bay: try another cable or port, or a hub that is not shared"))
            } else {
                checks.append(Check(name: "read throughput", verdict: .pass, detail: String(format: "%.1f MB/s (link capacity unknown)", rate / 1e6), hint: ""))
            }
        } else {
            checks.append(Check(name: "read throughput", verdict: .pass, detail: "too little pulled to measure (\(d.pulledBytes) bytes)", hint: ""))
        }
        let problems = d.timeouts + d.corruptReplies + d.rereads
        checks.append(Check(name: "transfer errors", verdict: problems == 0 ? .pass : .warn,
                            detail: "\(d.requests) requests, \(d.timeouts) timeouts, \(d.corruptReplies) corrupt replies, \(d.rereads) re-reads, \(d.strayReplies) stray replies, at most \(d.peakInFlight) in flight",
                            hint: problems == 0 ? "" : "errors on the link: reseat the recorder, check the bay's contacts and cable"))
        return checks
    }
}

extension DiagnoseResult {
    /// The checks of one bay's facts as the wire carries them: what the service answers to
    /// `diagnose` and what `recorderctl diagnose --direct` builds itself.
    public init(bay: String?, serial: String?, facts: DockDiagnostics, clockOffsetMs: Double?) {
        self.init(bay: bay, serial: serial, checks: Diagnosis.evaluate(facts, clockOffsetMs: clockOffsetMs).map {
            Check(name: $0.name, result: $0.verdict.rawValue, detail: $0.detail, hint: $0.hint)
        })
    }
}
