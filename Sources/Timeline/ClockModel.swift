/// How wrong the recorder's clock was at any moment, from the dock's measurement and the time
/// log's sync points, and device times corrected to UTC with it.
///
/// **Sync points.** Every `GNSS_SYNC` and `TIME_SET` event is a sync point: just after it the
/// device clock is taken to be right (error 0), so its device time is also its UTC. Its
/// correction `c` (`TimeLogEvent.clockCorrectionMs`, device time after minus before) says the
/// error just before it was `−c`. Sync points are ordered by device time; sync points at the
/// same millisecond are one point whose correction is the sum (unknown if any is unknown).
/// Sync points at or after the dock measurement by either clock (device time ≥ `measuredAtUTCms`
/// or ≥ `measuredAtUTCms + dockOffsetMs`) come after the measurement and are left out (flag
/// `sync-after-dock`).
///
/// **Error.** `error(t)` = device time − UTC at device time `t`, milliseconds, with `D` the dock
/// offset, `T = measuredAtUTCms + D` the device clock at the measurement and `s1 < … < sn` the
/// sync points with corrections `c1 … cn`:
/// - no sync point: `error(t) = D` for every `t` (constant offset; drift unknown, flag `no-sync`);
/// - `t ≥ sn`: `error(t) = D · (t − sn) / (T − sn)`, growing linearly from 0 at the last sync to
///   `D` at the dock (and on past it). This is exactly a clock running at the constant rate
///   `1 + D / (measuredAtUTCms − sn)`;
/// - `sk ≤ t < sk+1`: `error(t) = −ck+1 · (t − sk) / (sk+1 − ck+1 − sk)`, linear from 0 just after
///   `sk` to `−ck+1` at the device time `sk+1 − ck+1` the clock showed just before the correction;
///   `0` when `ck+1` is unknown (flag `correction-unknown`); the constant `−ck+1` when the
///   correction is larger than the time since `sk` (flag `implausible-correction`);
/// - `t < s1`: `error(t) = −c1` (constant; there is no earlier point known to be right), or 0
///   when `c1` is unknown.
/// When the clock was set back, device times just before a sync point repeat just after it; such
/// a time is read as after the sync point (flag `clock-stepped-back` when sync points are out of
/// order in the file).
///
/// **No reading.** A recorder whose family cannot read its clock gives no dock offset (nil):
/// the model then corrects nothing (`correctedUTC` is nil), its first flag is `clock-not-read`,
/// it has no drift, and every sync point is taken as before the dock. It never stands in 0 for
/// an offset nobody measured.
///
/// **Range.** The dock offset is used exactly as measured, however large: a recorder whose RTC
/// battery died may be decades off (the simulator goes to ±200 years), and an offset clamped to
/// a smaller one would shift every corrected time by the difference without a word. A Double
/// holds every whole millisecond up to `maximumDockOffsetMs` (2^53 ms, about 285,000 years);
/// an offset beyond it (flag `dock-offset-out-of-range`) or one that is not a number (flag
/// `dock-offset-invalid`) corrects nothing: `correctedUTC` is then nil. A corrected time is
/// `t − error(t)` computed exactly on the Int64 `t` (only the error is a Double), and is nil
/// when it would leave the Int64 range: never a saturated or clamped stand-in.
///
/// Guarantees: pure and total. No input traps.
public struct ClockModel: Sendable, Hashable {
    /// The drift a healthy recorder clock stays within, seconds per day either way.
    public static let healthyDriftSecondsPerDay = 3.0
    /// A drift measured over less than this (milliseconds, one hour) is flagged
    /// `drift-short-baseline`: the dock offset's few milliseconds of uncertainty weigh heavily.
    public static let shortBaselineMs: Int64 = 3_600_000
    /// A correction at least this large (milliseconds, one minute) is flagged `large-correction`.
    public static let largeCorrectionMs: Int64 = 60_000
    /// The largest dock offset either way that corrects times: 2^53 ms, about 285,000 years,
    /// up to which a Double holds every whole millisecond. A device clock beyond it is not one
    /// any recorder shows (or its Int64 reading was not exact in the first place).
    public static let maximumDockOffsetMs: Double = 9_007_199_254_740_992

    /// One sync point the model uses.
    public struct SyncPoint: Sendable, Hashable, Codable {
        /// Device time just after the sync, which is also its UTC, milliseconds since 1970.
        public var utcMs: Int64
        /// `GNSS_SYNC` or `TIME_SET` (of the last event when several share the millisecond).
        public var type: String
        /// The time-log line (of the last event when several share the millisecond).
        public var line: Int
        /// Device time after minus before, milliseconds; nil when unknown.
        public var correctionMs: Int64?
        /// The drift from the previous sync point to this one, seconds per day (positive: the
        /// clock ran fast), `−correctionMs · 86400 / (utcMs − previous utcMs)`; nil for the first
        /// point or an unknown correction.
        public var driftSecondsPerDaySincePrevious: Double?
    }

    /// Device clock minus gateway clock at the dock, milliseconds, as measured (0 if the input
    /// was not finite); nil when the clock was not read (flag `clock-not-read`).
    public let dockOffsetMs: Double?
    /// When the dock measured the offset, gateway UTC milliseconds since 1970 (when the clock
    /// was not read: the dock's time the caller gives instead).
    public let measuredAtUTCms: Int64
    /// The sync points the model uses, ascending.
    public let syncPoints: [SyncPoint]
    /// Sync points left out because they come at or after the dock measurement, in file order.
    public let syncPointsAfterDock: [SyncPoint]
    /// The drift from the last sync point to the dock, seconds per day, positive when the clock
    /// runs fast: `dockOffsetMs · 86400 / (measuredAtUTCms − lastSyncUTCms)`. Nil with no sync point.
    public let driftSecondsPerDay: Double?
    /// UTC of the last sync point before the dock measurement; nil when there is none.
    public let lastSyncUTCms: Int64?
    /// The drift limit this model was checked against, seconds per day.
    public let driftLimitSecondsPerDay: Double
    /// Stable codes of what is doubtful about the clock, in this order when present:
    /// `clock-not-read`, `dock-offset-invalid`, `dock-offset-out-of-range`, `no-sync`, `sync-after-dock`, `clock-stepped-back`,
    /// `correction-unknown`, `implausible-correction`, `large-correction`, `drift-excessive`
    /// (|drift| over the limit), `drift-short-baseline`. See the type's documentation.
    public let flags: [String]

    /// A model from the dock's measurement and the time log's events (any events: those that are
    /// not sync points are ignored). `driftLimitSecondsPerDay` is the norm `drift-excessive`
    /// is checked against. A nil `dockOffsetMs` is a clock that was not read (see the type).
    public init(dockOffsetMs: Double?, measuredAtUTCms: Int64, events: [TimeLogEvent],
                driftLimitSecondsPerDay: Double = ClockModel.healthyDriftSecondsPerDay) {
        var flags: [String] = []
        let offset: Double
        if dockOffsetMs == nil {
            offset = 0
            flags.append("clock-not-read")
        } else if let dockOffsetMs, !dockOffsetMs.isFinite {
            offset = 0
            flags.append("dock-offset-invalid")
        } else {
            // Never clamped: a smaller offset would move every corrected time by the difference.
            offset = dockOffsetMs ?? 0
            if abs(offset) > Self.maximumDockOffsetMs { flags.append("dock-offset-out-of-range") }
        }
        self.dockOffsetMs = dockOffsetMs == nil ? nil : offset
        self.measuredAtUTCms = measuredAtUTCms
        self.driftLimitSecondsPerDay = driftLimitSecondsPerDay

        let deviceAtDock = Double(measuredAtUTCms) + offset
        let all = events.filter(\.isSyncPoint).map {
            SyncPoint(utcMs: $0.deviceUTCms, type: $0.type, line: $0.line, correctionMs: $0.clockCorrectionMs)
        }
        let read = dockOffsetMs != nil
        let isBefore = { (p: SyncPoint) in !read || (p.utcMs < measuredAtUTCms && Double(p.utcMs) < deviceAtDock) }
        let used = all.filter(isBefore)
        let points = Self.merge(used)
        syncPoints = points
        syncPointsAfterDock = all.filter { !isBefore($0) }

        if points.isEmpty { flags.append("no-sync") }
        if !syncPointsAfterDock.isEmpty { flags.append("sync-after-dock") }
        if zip(used, used.dropFirst()).contains(where: { $0.utcMs > $1.utcMs }) { flags.append("clock-stepped-back") }
        if points.contains(where: { $0.correctionMs == nil }) { flags.append("correction-unknown") }
        if zip(points, points.dropFirst()).contains(where: { prev, next in
            next.correctionMs.map { Double(next.utcMs) - Double($0) <= Double(prev.utcMs) } ?? false
        }) { flags.append("implausible-correction") }
        if points.contains(where: { ($0.correctionMs?.magnitude ?? 0) >= UInt64(Self.largeCorrectionMs) }) {
            flags.append("large-correction")
        }

        if let last = points.last, !read {
            // Without the dock's reading there is no error at the dock to reach: no drift.
            lastSyncUTCms = last.utcMs
            driftSecondsPerDay = nil
        } else if let last = points.last {
            lastSyncUTCms = last.utcMs
            // In Double: the difference of two arbitrary Int64 device times can overflow Int64.
            let baseline = Double(measuredAtUTCms) - Double(last.utcMs)
            let drift = offset * 86_400 / baseline   // in this order 1500 ms over 12 h is exactly 3.0
            // Finite for every offset a device can cause; an absurd one given by code is no drift.
            driftSecondsPerDay = drift.isFinite ? drift : nil
            if abs(drift) > driftLimitSecondsPerDay { flags.append("drift-excessive") }
            if baseline < Double(Self.shortBaselineMs) { flags.append("drift-short-baseline") }
        } else {
            lastSyncUTCms = nil
            driftSecondsPerDay = nil
        }
        self.flags = flags
    }

    /// The device clock when the dock measured it: `measuredAtUTCms + dockOffsetMs`.
    /// (`measuredAtUTCms` when the clock was not read.)
    public var deviceAtDockMs: Double { Double(measuredAtUTCms) + (dockOffsetMs ?? 0) }

    /// `error(t)` of the type's documentation: device time minus UTC at device time `t`, ms.
    public func errorMs(deviceMilliseconds t: Int64) -> Double {
        let tt = Double(t)
        let dockOffsetMs = self.dockOffsetMs ?? 0
        guard let last = syncPoints.last else { return dockOffsetMs }
        if t >= last.utcMs {
            return dockOffsetMs * (tt - Double(last.utcMs)) / (deviceAtDockMs - Double(last.utcMs))
        }
        // The first sync point after t: binary search, the list may be long (a GNSS sync a minute).
        var lo = 0, hi = syncPoints.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if syncPoints[mid].utcMs > t { hi = mid } else { lo = mid + 1 }
        }
        let next = syncPoints[lo]
        guard let c = next.correctionMs else { return 0 }
        let errorBefore = -Double(c)
        guard lo > 0 else { return errorBefore }
        let prev = Double(syncPoints[lo - 1].utcMs)
        let span = Double(next.utcMs) - Double(c) - prev
        guard span > 0 else { return errorBefore }
        return errorBefore * (tt - prev) / span
    }

    /// Whether the model corrects device times at all: false when the clock was not read, or the
    /// dock offset is not a number or beyond `maximumDockOffsetMs` (see the flags).
    public var correctsTimes: Bool {
        !flags.contains("clock-not-read") && !flags.contains("dock-offset-invalid") && !flags.contains("dock-offset-out-of-range")
    }

    /// Whether the dock read the clock (false: flag `clock-not-read`, no offset known).
    public var clockRead: Bool { dockOffsetMs != nil }

    /// UTC of device time `deviceMilliseconds`: `t − error(t)`, rounded to the nearest
    /// millisecond (halves away from zero), exact on `t`. Nil when the model corrects nothing
    /// (`correctsTimes`) or the result is not an Int64.
    public func correctedUTC(deviceMilliseconds t: Int64) -> Int64? {
        guard correctsTimes else { return nil }
        return Self.subtract(errorMs(deviceMilliseconds: t), from: t)
    }

    /// `t − e` rounded to the nearest integer, halves away from zero, computed without passing
    /// `t` through a Double (which holds it exactly only up to 2^53); nil when `e` is not finite
    /// or the result is outside Int64.
    static func subtract(_ e: Double, from t: Int64) -> Int64? {
        guard e.isFinite else { return nil }
        let whole = e.rounded(.down)
        guard let w = Int64(exactly: whole) else { return nil }
        // In [0, 1]: exact (Sterbenz) except for −1 < e < 0, where it is off by at most half an
        // ulp of 1, which moves the result only for an error within 1e-16 of a half.
        let fraction = e - whole
        let (base, overflow) = t.subtractingReportingOverflow(w)
        guard !overflow else { return nil }
        // base − fraction: base when the fraction is under a half, base − 1 over it; at exactly a
        // half, away from zero (base − 0.5 is positive only when base ≥ 1).
        if fraction < 0.5 || (fraction == 0.5 && base > 0) { return base }
        let (below, under) = base.subtractingReportingOverflow(1)
        return under ? nil : below
    }

    /// Sync points sharing a millisecond become one: the corrections add up, since each was
    /// applied on top of the one before.
    private static func merge(_ points: [SyncPoint]) -> [SyncPoint] {
        let sorted = points.enumerated().sorted { ($0.element.utcMs, $0.offset) < ($1.element.utcMs, $1.offset) }.map(\.element)
        var out: [SyncPoint] = []
        for p in sorted {
            if var last = out.last, last.utcMs == p.utcMs {
                let (sum, overflow) = (last.correctionMs ?? 0).addingReportingOverflow(p.correctionMs ?? 0)
                last.correctionMs = last.correctionMs == nil || p.correctionMs == nil || overflow ? nil : sum
                last.type = p.type
                last.line = p.line
                out[out.count - 1] = last
            } else {
                out.append(p)
            }
        }
        for i in out.indices.dropFirst() {
            if let c = out[i].correctionMs {
                out[i].driftSecondsPerDaySincePrevious = -Double(c) * 86_400 / (Double(out[i].utcMs) - Double(out[i - 1].utcMs))
            }
        }
        return out
    }

}
