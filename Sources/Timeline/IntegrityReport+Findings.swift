extension IntegrityReport {
    /// The findings of a report whose other parts are filled in: alerts, then warnings, then
    /// information; within a severity in section order (sequence, overlaps, gaps, clock, GPS,
    /// important, hashes, quarantine, time log).
    static func findings(of r: IntegrityReport) -> [Finding] {
        var out: [Finding] = []
        let zone = r.deviceZoneOffsetMinutes
        let byId = r.recordingIndexById()
        func name(_ id: UInt32) -> String {
            guard let e = byId[id].map({ r.recordings[$0] }) else { return "recording \(id)" }
            return "recording \(id) (\(e.kind) #\(e.sequence))"
        }
        let mainDay = r.dutyPeriod.map { CivilTime.localDay(milliseconds: $0.startMs, zoneOffsetMinutes: zone) }
        func local(_ span: TimeSpan) -> String {
            TextLayout.clock(span.startMs, zone: zone, mainDay: mainDay) + "–" + TextLayout.clock(span.endMs, zone: zone, mainDay: mainDay)
                + " (" + CivilTime.zoneSuffix(zone) + ")"
        }
        func numbered(_ sequence: UInt32, _ id: UInt32) -> String {
            "#\(sequence) (recording \(id)" + (byId[id].map { ", " + r.recordings[$0].kind } ?? "") + ")"
        }

        // Sequence numbers.
        for g in r.sequenceGaps {
            let what = g.count == 1 ? "Sequence number \(g.firstMissing) is missing"
                : "Sequence numbers \(g.firstMissing)–\(g.lastMissing) (\(g.count)) are missing"
            out.append(.init(severity: .alert, code: "sequence-gap",
                             message: "\(what) between \(numbered(g.afterSequence, g.afterRecording)) and \(numbered(g.beforeSequence, g.beforeRecording)): possibly deleted before docking.",
                             recordings: [g.afterRecording, g.beforeRecording]))
        }
        for n in r.duplicateSequences {
            let ids = r.recordings.filter { $0.sequence == n }.map(\.id)
            out.append(.init(severity: .warning, code: "sequence-duplicate",
                             message: "Sequence number \(n) is carried by \(ids.count) files (\(TextLayout.ids(ids))).", recordings: ids))
        }

        // Overlaps and gaps.
        for o in r.overlaps {
            out.append(.init(severity: .warning, code: "recording-overlap",
                             message: "\(name(o.first).capitalizedFirst) and \(name(o.second)) overlap by \(TextLayout.duration(o.span.durationMs)), \(local(o.span)).",
                             recordings: [o.first, o.second]))
        }
        if r.overlapCount > r.overlaps.count {
            out.append(.init(severity: .warning, code: "recording-overlap",
                             message: "\(r.overlapCount - r.overlaps.count) more overlapping pairs are not listed."))
        }
        for g in r.gaps {
            out.append(.init(severity: g.long ? .warning : .info, code: "recording-gap",
                             message: "No recording for \(TextLayout.duration(g.span.durationMs)), \(local(g.span)), between \(name(g.afterRecording)) and \(name(g.beforeRecording)).",
                             recordings: [g.afterRecording, g.beforeRecording]))
        }
        for e in r.recordings where e.timesInvalid {
            out.append(.init(severity: .warning, code: "recording-times-invalid",
                             message: "\(name(e.id).capitalizedFirst) ends before it starts by the device clock (\(e.deviceStart ?? "?") to \(e.deviceEnd ?? "?")); drawn as an instant.",
                             recordings: [e.id]))
        }
        let uncorrected = r.recordings.filter { $0.corrected == nil }.map(\.id)
        if !uncorrected.isEmpty {
            let why = r.clock.flags.contains("dock-offset-invalid") || r.clock.flags.contains("dock-offset-out-of-range")
                ? "the clock's offset at the dock cannot be used (see the clock finding)"
                : "their device times are not in the record, or corrected they fall outside the years 0000–9999 (or a 64-bit millisecond count)"
            out.append(.init(severity: .alert, code: "recording-times-uncorrected",
                             message: "\(uncorrected.count == 1 ? "1 file has" : "\(uncorrected.count) files have") no corrected time (\(TextLayout.ids(uncorrected))): \(why). "
                                 + "They are left out of the duty period, overlaps, gaps and GPS coverage; their device times stand unadjusted.",
                             recordings: uncorrected))
        }

        out += clockFindings(r.clock, zone: zone)

        // GPS.
        if let share = r.gps.share {
            var message = "GPS fixes within ±\(TextLayout.duration(r.gps.toleranceMs)) cover \(Fixed.text(share * 100, 1))% of \(TextLayout.duration(r.gps.recordingMs)) of recording"
            if r.gps.fixCount == 0 { message = "No GPS fixes: none of \(TextLayout.duration(r.gps.recordingMs)) of recording has a position" }
            if !r.gps.uncoveredRecordings.isEmpty && r.gps.fixCount > 0 {
                message += "; \(r.gps.uncoveredRecordings.count) without any (\(TextLayout.ids(r.gps.uncoveredRecordings)))"
            }
            out.append(.init(severity: .info, code: "gps-coverage", message: message + ".", recordings: r.gps.uncoveredRecordings))
        }

        if !r.important.isEmpty {
            out.append(.init(severity: .info, code: "important",
                             message: "\(r.important.count) file\(r.important.count == 1 ? " is" : "s are") marked important: \(TextLayout.ids(r.important)).",
                             recordings: r.important))
        }

        // Hashes and quarantine.
        for id in r.hashes.mismatched {
            out.append(.init(severity: .alert, code: "hash-mismatch",
                             message: "\(name(id).capitalizedFirst): the gateway's SHA-256 of the stored bytes differs from the device's own.",
                             recordings: [id]))
        }
        for id in r.hashes.notStored {
            out.append(.init(severity: .alert, code: "not-stored",
                             message: "\(name(id).capitalizedFirst) was not stored whole: the gateway has no hash of it.", recordings: [id]))
        }
        for id in r.hashes.unverified {
            out.append(.init(severity: .warning, code: "unverified",
                             message: "\(name(id).capitalizedFirst) is stored but not shown to be the device's bytes.", recordings: [id]))
        }
        if !r.hashes.missingDeviceHash.isEmpty {
            let ids = r.hashes.missingDeviceHash
            out.append(.init(severity: .info, code: "device-hash-missing",
                             message: "The device keeps no SHA-256 of \(ids.count) file\(ids.count == 1 ? "" : "s") (\(TextLayout.ids(ids))): \(ids.count == 1 ? "its" : "their") integrity rests on the gateway's hash alone.",
                             recordings: ids))
        }
        for id in r.quarantined {
            out.append(.init(severity: .alert, code: "quarantined",
                             message: "\(name(id).capitalizedFirst) is quarantined: kept apart for a person to look at, not released on the device.",
                             recordings: [id]))
        }

        if let log = r.timeLog, log.rejectedLines > 0 {
            let first = log.rejected.first.map { " (first: line \($0.line), \($0.reason))" } ?? ""
            out.append(.init(severity: .warning, code: "time-log-bad-lines",
                             message: "The time log has \(log.rejectedLines) of \(log.lines) lines that could not be read\(first): clock history may be incomplete."))
        }

        let rank: [Finding.Severity: Int] = [.alert: 0, .warning: 1, .info: 2]
        return out.enumerated().sorted { (rank[$0.element.severity]!, $0.offset) < (rank[$1.element.severity]!, $1.offset) }.map(\.element)
    }

    /// One finding per clock flag, plus a plain statement of offset and drift when nothing is
    /// wrong with them.
    private static func clockFindings(_ c: ClockSummary, zone: Int) -> [Finding] {
        var out: [Finding] = []
        let offset = c.dockOffsetMs.map { TextLayout.signed($0 / 1000, 3, "s") } ?? "not read"
        let limit = Fixed.text(c.driftLimitSecondsPerDay, 1)
        let drift = c.driftSecondsPerDay.map { TextLayout.signed($0, 1, "s/day") }
        let lastSync = c.lastSyncUTCms.map { TextLayout.clock($0, zone: zone, fullDate: true) + " " + CivilTime.zoneSuffix(zone) } ?? ""
        for flag in c.flags {
            switch flag {
            case "clock-not-read":
                out.append(.init(severity: .warning, code: "clock-not-read",
                                 message: "The recorder's clock was not read at the dock (its family cannot read it): its error is unknown, and recording times are the device's own, uncorrected."))
            case "dock-offset-invalid":
                out.append(.init(severity: .alert, code: "clock-offset-invalid",
                                 message: "The dock's clock measurement is not a number: recording times are not corrected."))
            case "dock-offset-out-of-range":
                out.append(.init(severity: .alert, code: "clock-offset-out-of-range",
                                 message: "The dock measured the clock \(offset) off, beyond ±2^53 ms (about 285,000 years) where a millisecond count is exact: recording times are not corrected."))
            case "no-sync":
                let corrected = c.flags.contains("clock-not-read") || c.flags.contains("dock-offset-invalid") || c.flags.contains("dock-offset-out-of-range")
                    ? "." : "; times corrected by the constant dock offset \(offset)."
                out.append(.init(severity: .info, code: "clock-no-sync",
                                 message: "No GNSS_SYNC or TIME_SET before the dock: drift unknown" + corrected))
            case "sync-after-dock":
                out.append(.init(severity: .info, code: "clock-sync-after-dock",
                                 message: "\(c.syncPointsAfterDock.count) sync point(s) in the time log come after the dock measurement and were left out (lines \(c.syncPointsAfterDock.map { String($0.line) }.prefix(10).joined(separator: ", ")))."))
            case "clock-stepped-back":
                out.append(.init(severity: .warning, code: "clock-stepped-back",
                                 message: "The clock was set back: sync points are out of order in the time log, so some device times occur twice and are read as after the later sync."))
            case "correction-unknown":
                out.append(.init(severity: .info, code: "clock-correction-unknown",
                                 message: "A sync point does not say how far the clock was corrected: device times before it are taken as right."))
            case "implausible-correction":
                out.append(.init(severity: .warning, code: "clock-implausible-correction",
                                 message: "A clock correction is larger than the time since the previous sync point (the clock stopped, or was set by hand): the error before it is taken as constant."))
            case "large-correction":
                for p in c.syncPoints where (p.correctionMs?.magnitude ?? 0) >= UInt64(ClockModel.largeCorrectionMs) {
                    let at = TextLayout.clock(p.utcMs, zone: zone, fullDate: true)
                    out.append(.init(severity: .warning, code: "clock-large-correction",
                                     message: "\(p.type) at \(at) (time log line \(p.line)) moved the clock by \(TextLayout.signed(Double(p.correctionMs ?? 0) / 1000, 3, "s"))."))
                }
            case "drift-excessive":
                out.append(.init(severity: .warning, code: "clock-drift",
                                 message: "Clock drift \(drift ?? "") since the last sync (\(lastSync)) is beyond the ±\(limit) s/day norm; offset at the dock \(offset)."))
            case "drift-short-baseline":
                let (baseline, overflow) = c.measuredAtUTCms.subtractingReportingOverflow(c.lastSyncUTCms ?? c.measuredAtUTCms)
                out.append(.init(severity: .info, code: "clock-drift-short-baseline",
                                 message: "The drift rests on only \(overflow ? "a moment" : TextLayout.duration(baseline)) since the last sync: a few milliseconds of measurement error weigh heavily."))
            default:
                out.append(.init(severity: .info, code: "clock-" + flag, message: "Clock flag \(flag)."))
            }
        }
        if let drift, !c.driftExcessive {
            out.append(.init(severity: .info, code: "clock",
                             message: "Clock offset at the dock \(offset), drift \(drift) since the last sync (\(lastSync)): within the ±\(limit) s/day norm."))
        }
        return out
    }
}

extension String {
    /// The string with its first character upper-cased (`recording 3` → `Recording 3`).
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
