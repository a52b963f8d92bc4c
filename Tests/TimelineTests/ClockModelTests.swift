import Testing
@testable import Timeline

@Suite struct ClockModelTests {
    /// 2026-11-26T00:00:00Z (08:00 in Beijing).
    static let day: Int64 = 1_795_651_200_000
    static let hour: Int64 = 3_600_000

    static func event(_ type: String, at ms: Int64, _ detail: String = "", line: Int = 0) -> TimeLogEvent {
        TimeLogEvent(line: line, deviceUTCms: ms, zoneOffsetMinutes: 480, type: type, detail: detail)
    }

    @Test func withoutSyncPointsTheDockOffsetIsConstant() {
        let m = ClockModel(dockOffsetMs: 2500, measuredAtUTCms: Self.day + 10 * Self.hour,
                           events: [Self.event("POWER_ON", at: Self.day), Self.event("RECORD_START", at: Self.day + 1)])
        #expect(m.driftSecondsPerDay == nil && m.lastSyncUTCms == nil && m.syncPoints.isEmpty)
        #expect(m.flags == ["no-sync"])
        for t in [Self.day - 100 * Self.hour, Self.day, Self.day + 10 * Self.hour + 2500] {
            #expect(m.correctedUTC(deviceMilliseconds: t) == t - 2500)
        }
    }

    @Test func oneSyncGrowsTheErrorLinearlyToTheDock() {
        // Synced at 08:00, docked 12 h later 2.6 s fast: 5.2 s/day, over the 3 s/day norm.
        let s = Self.day, measured = Self.day + 12 * Self.hour
        let m = ClockModel(dockOffsetMs: 2600, measuredAtUTCms: measured,
                           events: [Self.event("POWER_ON", at: s - 1000), Self.event("GNSS_SYNC", at: s, "correction_ms=-1180", line: 2)])
        #expect(m.lastSyncUTCms == s)
        #expect(abs(m.driftSecondsPerDay! - 5.2) < 1e-9)
        #expect(m.flags == ["drift-excessive"])
        #expect(m.syncPoints == [.init(utcMs: s, type: "GNSS_SYNC", line: 2, correctionMs: -1180)])
        // At the sync the clock is right; at the dock (device time measured + 2600) it is off by 2600.
        #expect(m.correctedUTC(deviceMilliseconds: s) == s)
        #expect(m.correctedUTC(deviceMilliseconds: measured + 2600) == measured)
        // Half way by the device clock, half the error.
        let half = s + (12 * Self.hour + 2600) / 2
        #expect(m.errorMs(deviceMilliseconds: half) == 1300)
        #expect(m.correctedUTC(deviceMilliseconds: half) == half - 1300)
        // Four hours of true time after the sync the device shows 4 h + 866.67 ms.
        #expect(m.correctedUTC(deviceMilliseconds: s + 4 * Self.hour + 867) == s + 4 * Self.hour)
        // Before the only sync point: the error just before it, −correction, held constant.
        #expect(m.correctedUTC(deviceMilliseconds: s - 3 * Self.hour) == s - 3 * Self.hour - 1180)
    }

    @Test func twoSyncsInterpolateTheCorrectionBetweenThem() {
        // Set by the dock last night (TIME_SET, 7.25 s back), synced from GNSS this morning
        // (2 s back after 12 h: 4 s/day), docked again 24 h later 1 s fast (1 s/day).
        let s1 = Self.day - 12 * Self.hour, s2 = Self.day, measured = Self.day + 24 * Self.hour
        let events = [
            Self.event("TIME_SET", at: s1, "old=2026-11-25T20:00:07.250+08:00 new=2026-11-25T20:00:00.000+08:00", line: 1),
            Self.event("RECORD_START", at: s1 + Self.hour),
            Self.event("GNSS_SYNC", at: s2, "correction_ms=-2000", line: 3),
        ]
        let m = ClockModel(dockOffsetMs: 1000, measuredAtUTCms: measured, events: events)
        #expect(m.flags.isEmpty, "\(m.flags)")
        #expect(m.lastSyncUTCms == s2)
        #expect(abs(m.driftSecondsPerDay! - 1.0) < 1e-9)
        #expect(m.syncPoints.map(\.correctionMs) == [-7250, -2000])
        #expect(m.syncPoints[0].driftSecondsPerDaySincePrevious == nil)
        #expect(abs(m.syncPoints[1].driftSecondsPerDaySincePrevious! - 4.0) < 1e-9)
        // Between them: 0 just after s1, 2000 at the device time s2 + 2000 shown just before the correction.
        #expect(m.correctedUTC(deviceMilliseconds: s1) == s1)
        let span = Double(s2 + 2000 - s1)
        let t = s1 + 6 * Self.hour
        #expect(m.errorMs(deviceMilliseconds: t) == 2000 * Double(6 * Self.hour) / span)
        #expect(m.correctedUTC(deviceMilliseconds: t) == t - 1000)   // 999.95 rounds to 1000
        #expect(m.correctedUTC(deviceMilliseconds: s2 - 1) == s2 - 1 - 2000 + 0)   // 1999.95 → 2000
        // After s2: up to the dock offset.
        #expect(m.correctedUTC(deviceMilliseconds: s2 + 12 * Self.hour + 500) == s2 + 12 * Self.hour)
        // Before s1: the TIME_SET's own correction, constant.
        #expect(m.correctedUTC(deviceMilliseconds: s1 - Self.hour) == s1 - Self.hour - 7250)
    }

    @Test(arguments: [(2600.0, true), (-2600.0, true), (1500.0, false), (-1500.0, false), (1550.0, true), (1500.0 - 1e-6, false)])
    func driftIsFlaggedBeyondThreeSecondsPerDay(offset: Double, flagged: Bool) {
        // 12 h baseline: 1500 ms is exactly 3 s/day, which is still healthy.
        let m = ClockModel(dockOffsetMs: offset, measuredAtUTCms: Self.day + 12 * Self.hour,
                           events: [Self.event("GNSS_SYNC", at: Self.day, "correction_ms=0")])
        #expect(abs(m.driftSecondsPerDay! - offset / 500) < 1e-9)
        #expect(m.flags.contains("drift-excessive") == flagged)
    }

    @Test func theDriftLimitCanBeChanged() {
        let m = ClockModel(dockOffsetMs: 1000, measuredAtUTCms: Self.day + 12 * Self.hour,
                           events: [Self.event("GNSS_SYNC", at: Self.day)], driftLimitSecondsPerDay: 1.5)
        #expect(m.flags == ["correction-unknown", "drift-excessive"] && m.driftLimitSecondsPerDay == 1.5)
    }

    @Test func syncPointsAfterTheMeasurementAreLeftOut() {
        let measured = Self.day + 10 * Self.hour
        let m = ClockModel(dockOffsetMs: 5000, measuredAtUTCms: measured, events: [
            Self.event("GNSS_SYNC", at: Self.day, "correction_ms=-10"),
            Self.event("TIME_SET", at: measured + 1000, line: 7),   // the dock set it: after the measurement in true time
            Self.event("TIME_SET", at: measured + 6000, line: 8),   // after even by the device clock
        ])
        #expect(m.lastSyncUTCms == Self.day)
        #expect(m.syncPointsAfterDock.map(\.line) == [7, 8])
        #expect(m.flags == ["sync-after-dock", "drift-excessive"])
    }

    @Test func aShortBaselineIsNoted() {
        let m = ClockModel(dockOffsetMs: 30, measuredAtUTCms: Self.day + 10 * 60_000,
                           events: [Self.event("GNSS_SYNC", at: Self.day, "correction_ms=5")])
        #expect(m.flags == ["drift-excessive", "drift-short-baseline"])
    }

    @Test func oddSyncHistoriesAreFlaggedNotTrusted() {
        let events = [
            Self.event("GNSS_SYNC", at: Self.day, "correction_ms=-100", line: 1),
            // Set back an hour and 5 s by hand: out of order in the file, and a large correction.
            Self.event("TIME_SET", at: Self.day - Self.hour, "old=2026-11-26T08:00:05.000+08:00 new=2026-11-26T07:00:00.000+08:00", line: 2),
            Self.event("GNSS_SYNC", at: Self.day + Self.hour, line: 3),
            Self.event("GNSS_SYNC", at: Self.day + Self.hour, "correction_ms=4", line: 4),
            // 90 s slow one minute after a sync: more than the time since.
            Self.event("GNSS_SYNC", at: Self.day + Self.hour + 60_000, "correction_ms=90000", line: 5),
        ]
        let m = ClockModel(dockOffsetMs: 0, measuredAtUTCms: Self.day + 30 * Self.hour, events: events)
        #expect(m.flags == ["clock-stepped-back", "correction-unknown", "implausible-correction", "large-correction"])
        // Same millisecond: one point; unknown + 4 is unknown.
        #expect(m.syncPoints.map(\.utcMs) == [Self.day - Self.hour, Self.day, Self.day + Self.hour, Self.day + Self.hour + 60_000])
        #expect(m.syncPoints.map(\.line) == [2, 1, 4, 5])
        #expect(m.syncPoints.map(\.correctionMs) == [-3_605_000, -100, nil, 90_000])
        // Between the TIME_SET and the next sync: 0 rising to 100 ms.
        #expect(m.errorMs(deviceMilliseconds: Self.day - Self.hour / 2) == 100 * Double(Self.hour / 2) / Double(Self.hour + 100))
        // Unknown correction: the device time is taken as right.
        #expect(m.correctedUTC(deviceMilliseconds: Self.day + Self.hour / 2) == Self.day + Self.hour / 2)
        // Implausible correction: its −c held constant.
        #expect(m.correctedUTC(deviceMilliseconds: Self.day + Self.hour + 30_000) == Self.day + Self.hour + 120_000)
        // Before the first point the clock was 3 605 s fast.
        #expect(m.correctedUTC(deviceMilliseconds: Self.day - 2 * Self.hour) == Self.day - 2 * Self.hour - 3_605_000)
    }

    @Test func correctionsAtTheSameMillisecondAddUp() {
        let m = ClockModel(dockOffsetMs: 0, measuredAtUTCms: Self.day + Self.hour * 5, events: [
            Self.event("GNSS_SYNC", at: Self.day - Self.hour),
            Self.event("GNSS_SYNC", at: Self.day, "correction_ms=-300"),
            Self.event("GNSS_SYNC", at: Self.day, "correction_ms=-200"),
        ])
        #expect(m.syncPoints.map(\.correctionMs) == [nil, -500])
        #expect(m.correctedUTC(deviceMilliseconds: Self.day - 1) == Self.day - 1 - 500)
    }

    @Test func hostileNumbersNeverTrap() {
        let m = ClockModel(dockOffsetMs: .nan, measuredAtUTCms: .max, events: [
            Self.event("GNSS_SYNC", at: .min, "correction_ms=999999999999"),
            Self.event("GNSS_SYNC", at: .min + 1, "correction_ms=-999999999999"),
            Self.event("TIME_SET", at: 0),
        ])
        #expect(m.flags.first == "dock-offset-invalid")
        for t: Int64 in [.min, .min + 1, -1, 0, 1, .max] { _ = m.correctedUTC(deviceMilliseconds: t) }
        // An offset that is not a number corrects nothing (it used to pass device times through
        // as if corrected).
        let n = ClockModel(dockOffsetMs: .infinity, measuredAtUTCms: .min, events: [])
        #expect(n.correctedUTC(deviceMilliseconds: .min) == nil && n.correctedUTC(deviceMilliseconds: .max) == nil)
        let big = ClockModel(dockOffsetMs: 1e300, measuredAtUTCms: 0, events: [Self.event("GNSS_SYNC", at: -1)])
        _ = big.correctedUTC(deviceMilliseconds: .max)
        #expect(big.driftSecondsPerDay!.isFinite)
    }
}
