extension IntegrityReport {
    /// The report of `session` under `options`.
    ///
    /// Guarantees: total and pure; the same input gives an equal report whatever the order of
    /// `session.recordings` and `session.gpsFixTimesMs`. Times are corrected with
    /// `session.clock`; a time without a correction in years 0000–9999 is left out (the entry's
    /// `corrected` is nil and a finding names it), never clamped into them. When the clock was
    /// not read (`ClockModel.clockRead` false) there is no correction to make: the time line is
    /// the device's own times, as they are, and the clock finding and summary say so.
    public init(session: SessionInput, options: ReportOptions = ReportOptions()) {
        let clock = session.clock
        let coverage = SessionAnalysis.FixCoverage(fixes: session.gpsFixTimesMs, toleranceMs: options.gpsToleranceMs)

        // Corrected spans, and the entries in a fixed order.
        var entries: [RecordingEntry] = []
        var media: [SessionAnalysis.Interval] = []
        var numbered: [(id: UInt32, sequence: UInt32)] = []
        var recordingMs = 0.0, coveredMs = 0.0
        var uncovered: [UInt32] = []
        // Made to size: grown by doubling, the entries were the seal's heap peak (#11).
        entries.reserveCapacity(session.recordings.count)
        media.reserveCapacity(session.recordings.count)
        numbered.reserveCapacity(session.recordings.count)
        func corrected(_ t: Int64?) -> Int64? {
            t.flatMap { clock.clockRead ? clock.correctedUTC(deviceMilliseconds: $0) : $0 }.flatMap(TimeRange.within)
        }
        for r in session.recordings {
            let invalid = r.deviceStartMs.flatMap { s in r.deviceEndMs.map { $0 < s } } ?? false
            var span: TimeSpan?
            if let start = corrected(r.deviceStartMs), let rawEnd = corrected(r.deviceEndMs) {
                span = TimeSpan(start, invalid ? start : max(start, rawEnd))
            }
            var share: Double?
            if !r.isLog { numbered.append((r.id, r.sequence)) }
            if !r.isLog, let span {
                let (start, end) = (span.startMs, span.endMs)
                media.append(.init(id: r.id, sequence: r.sequence, start: start, end: end))
                if end > start {
                    let covered = coverage.coveredMs(start: start, end: end)
                    recordingMs += Double(end - start)
                    coveredMs += Double(covered)
                    share = Fixed.ratio(Double(covered), Double(end - start))
                } else {
                    share = coverage.contains(start) ? 1 : 0
                }
            }
            entries.append(RecordingEntry(
                id: r.id, kind: r.kind, sequence: r.sequence, important: r.important, quarantined: r.quarantined,
                verified: r.verified, isLog: r.isLog, size: r.size, bagPath: r.bagPath,
                deviceStart: r.deviceStartMs.map { CivilTime.utcString(milliseconds: $0) },
                deviceEnd: r.deviceEndMs.map { CivilTime.utcString(milliseconds: $0) },
                corrected: span, timesInvalid: invalid, gpsCoverage: share, hash: Self.hashState(r)))
        }
        // Without a corrected time, last; in id order among themselves.
        entries.sort {
            ($0.corrected == nil ? 1 : 0, $0.corrected?.startMs ?? 0, $0.id, $0.sequence)
                < ($1.corrected == nil ? 1 : 0, $1.corrected?.startMs ?? 0, $1.id, $1.sequence)
        }
        for e in entries where e.gpsCoverage == 0 { uncovered.append(e.id) }

        schema = 1
        dock = session.dock
        deviceZoneOffsetMinutes = CivilTime.clampZone(session.deviceZoneOffsetMinutes)
        deviceZone = CivilTime.zoneSuffix(deviceZoneOffsetMinutes)
        self.options = options
        recordings = entries
        dutyPeriod = media.isEmpty ? nil : TimeSpan(media.map(\.start).min()!, media.map(\.end).max()!)

        let logNumbers = Set(session.recordings.filter(\.isLog).map(\.sequence))
        sequenceGaps = SessionAnalysis.sequenceGaps(media: numbered, taken: logNumbers)
        duplicateSequences = SessionAnalysis.duplicates(session.recordings.map(\.sequence))
        (overlaps, overlapCount) = SessionAnalysis.overlaps(media, limit: Self.overlapListLimit)
        gaps = SessionAnalysis.gaps(media, thresholdMs: options.gapThresholdMs, longMs: options.longGapThresholdMs)

        self.clock = ClockSummary(
            dockOffsetMs: clock.dockOffsetMs.map { Fixed.round($0, 3) }, measuredAt: CivilTime.utcString(milliseconds: clock.measuredAtUTCms),
            measuredAtUTCms: clock.measuredAtUTCms, driftSecondsPerDay: clock.driftSecondsPerDay.map { Fixed.round($0, 3) },
            driftLimitSecondsPerDay: Fixed.round(clock.driftLimitSecondsPerDay, 3),
            driftExcessive: clock.flags.contains("drift-excessive"),
            lastSync: clock.lastSyncUTCms.map { CivilTime.utcString(milliseconds: $0) }, lastSyncUTCms: clock.lastSyncUTCms,
            syncPoints: clock.syncPoints.map(Self.rounded), syncPointsAfterDock: clock.syncPointsAfterDock.map(Self.rounded),
            flags: clock.flags)

        gps = GPSCoverage(fixCount: session.gpsFixTimesMs.count, toleranceMs: options.gpsToleranceMs,
                          recordingMs: Fixed.int64(recordingMs), coveredMs: Fixed.int64(coveredMs),
                          share: recordingMs > 0 ? Fixed.ratio(coveredMs, recordingMs) : nil,
                          uncoveredRecordings: uncovered, spans: coverage.spans)

        important = entries.filter(\.important).map(\.id)
        quarantined = entries.filter(\.quarantined).map(\.id)
        hashes = HashSummary(
            missingDeviceHash: entries.filter { $0.hash == "no-device-hash" }.map(\.id),
            mismatched: entries.filter { $0.hash == "mismatch" }.map(\.id),
            notStored: entries.filter { $0.hash == "not-stored" }.map(\.id),
            unverified: entries.filter { !$0.verified && $0.hash != "not-stored" }.map(\.id))

        timeLog = session.timeLog.map { log in
            TimeLogSummary(lines: log.lineCount, events: log.events.count, rejectedLines: log.rejectedCount,
                           rejected: log.rejected.prefix(TimeLogSummary.rejectedListLimit).map {
                               .init(line: $0.line, code: $0.reason.code, reason: $0.reason.description)
                           })
        }
        findings = []
        findings = Self.findings(of: self)
    }

    /// `not-stored` wins over the rest: without the gateway's hash nothing else can be said.
    static func hashState(_ r: Recording) -> String {
        guard let mine = r.sha256 else { return "not-stored" }
        guard let theirs = r.deviceSha256 else { return "no-device-hash" }
        return mine.lowercased() == theirs.lowercased() ? "match" : "mismatch"
    }

    private static func rounded(_ p: ClockModel.SyncPoint) -> ClockModel.SyncPoint {
        var p = p
        p.driftSecondsPerDaySincePrevious = p.driftSecondsPerDaySincePrevious.map { Fixed.round($0, 3) }
        return p
    }
}

/// Doubles as the report writes them: rounded to fixed decimals, always finite, so the JSON is
/// stable and readable (`5.2`, not `5.2000000000000002`).
enum Fixed {
    /// `x` rounded to `decimals` places; 0 for NaN and infinities. A value too large to have
    /// such decimals (2^53 units of the last place or more) is returned as it is: it is a whole
    /// number already, and clamping it would report another value (a clock offset, say).
    static func round(_ x: Double, _ decimals: Int) -> Double {
        guard x.isFinite else { return 0 }
        let scale = pow10(decimals)
        guard abs(x * scale) < 9_007_199_254_740_992 else { return x }
        return (x * scale).rounded() / scale
    }

    /// `part / whole` to four decimals, clamped to 0…1; 0 when `whole` is not positive.
    static func ratio(_ part: Double, _ whole: Double) -> Double {
        guard whole > 0, part.isFinite, whole.isFinite else { return 0 }
        return round(min(max(part / whole, 0), 1), 4)
    }

    /// A non-negative sum of milliseconds back to Int64, saturating.
    static func int64(_ x: Double) -> Int64 {
        guard x.isFinite else { return 0 }
        return x >= 9.2e18 ? Int64.max : Int64(max(x, 0).rounded())
    }

    /// `x` with `decimals` places, as text (`5.20`, `-0.6`), with no locale involved; a value
    /// whose digits do not fit an Int64 is written out exactly from the double (C's `%.Nf`,
    /// which no locale changes for digits and `.`), never clamped.
    static func text(_ x: Double, _ decimals: Int) -> String {
        let rounded = round(x, decimals)
        guard abs(rounded * pow10(decimals)) < 9e18 else { return String(format: "%.\(max(0, min(decimals, 15)))f", rounded) }
        let scaled = (rounded * pow10(decimals)).rounded()
        let negative = scaled < 0
        let digits = String(Int64(abs(scaled)))
        guard decimals > 0 else { return (negative ? "-" : "") + digits }
        let padded = String(repeating: "0", count: max(0, decimals + 1 - digits.count)) + digits
        return (negative ? "-" : "") + padded.dropLast(decimals) + "." + padded.suffix(decimals)
    }

    private static func pow10(_ n: Int) -> Double {
        var p = 1.0
        for _ in 0..<max(0, min(n, 15)) { p *= 10 }
        return p
    }
}
