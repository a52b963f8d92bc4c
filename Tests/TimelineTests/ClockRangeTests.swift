import Testing
@testable import Timeline

/// Dock offsets across everything a recorder's clock can show: the simulator's ±200 years are
/// carried exactly; beyond what a Double holds to the millisecond there is no corrected time,
/// and a flag says why, never a time clamped to a different one.
@Suite struct ClockRangeTests {
    /// 2026-11-26T18:30:00Z, the gateway clock at the dock.
    static let measured: Int64 = 1_795_717_800_000
    /// 150 years of 365 days and a fraction, in milliseconds.
    static let years150: Double = 4_730_400_000_123.4
    static let day: Int64 = 86_400_000

    @Test(arguments: [1.0, -1.0])
    func aClockOff150YearsIsCorrectedExactlyWithoutSyncPoints(sign: Double) {
        let offset = sign * Self.years150
        let m = ClockModel(dockOffsetMs: offset, measuredAtUTCms: Self.measured, events: [])
        #expect(m.dockOffsetMs == offset)
        #expect(m.flags == ["no-sync"])
        let whole = Int64(sign) * 4_730_400_000_123   // the offset's 0.4 ms round away
        for t in [Self.measured + whole, Self.measured + whole - 8 * 3_600_000, Self.measured + whole - 1000 * Self.day] {
            #expect(m.correctedUTC(deviceMilliseconds: t) == t - whole, "offset \(offset), device time \(t)")
        }
        #expect(m.correctedUTC(deviceMilliseconds: Self.measured + whole) == Self.measured)
    }

    /// With a sync point a day before the dock (by the device clock) the error grows from 0 to
    /// the whole offset; at the dock the corrected time is the gateway's. (A whole-millisecond
    /// offset: over one day a fraction of a millisecond in the dock's device time is multiplied
    /// by the 150 years the clock ran away.)
    @Test(arguments: [1.0, -1.0])
    func aClockOff150YearsIsCorrectedExactlyFromItsLastSync(sign: Double) throws {
        let offset = sign * Self.years150.rounded(.down)
        let deviceAtDock = Self.measured + Int64((offset).rounded())
        let sync = min(Self.measured, deviceAtDock) - Self.day
        let m = ClockModel(dockOffsetMs: offset, measuredAtUTCms: Self.measured,
                           events: [TimeLogEvent(deviceUTCms: sync, zoneOffsetMinutes: 480, type: "GNSS_SYNC", detail: "correction_ms=0")])
        #expect(m.dockOffsetMs == offset && m.lastSyncUTCms == sync)
        #expect(m.correctedUTC(deviceMilliseconds: sync) == sync)
        let atDock = try #require(m.correctedUTC(deviceMilliseconds: deviceAtDock))
        #expect(abs(atDock - Self.measured) <= 1, "at the dock: \(atDock) against \(Self.measured)")
        let half = sync + (deviceAtDock - sync) / 2
        let corrected = try #require(m.correctedUTC(deviceMilliseconds: half))
        #expect(abs(Double(corrected) - (Double(half) - offset * Double(half - sync) / (Double(deviceAtDock) - Double(sync)))) <= 1)
    }

    /// 2^53 ms (about 285,000 years) is the most a Double carries to the millisecond.
    @Test(arguments: [9_007_199_254_740_994.0, -1e16, 1e300])
    func anOffsetBeyondExactMillisecondsGivesNoCorrectedTime(offset: Double) {
        let m = ClockModel(dockOffsetMs: offset, measuredAtUTCms: Self.measured, events: [])
        #expect(m.dockOffsetMs == offset)
        #expect(m.flags.first == "dock-offset-out-of-range")
        #expect(!m.correctsTimes)
        for t: Int64 in [.min, 0, Self.measured, .max] { #expect(m.correctedUTC(deviceMilliseconds: t) == nil) }
    }

    @Test func theLargestExactOffsetIsStillUsed() {
        let m = ClockModel(dockOffsetMs: ClockModel.maximumDockOffsetMs, measuredAtUTCms: 0, events: [])
        #expect(m.correctsTimes && m.flags == ["no-sync"])
        #expect(m.correctedUTC(deviceMilliseconds: 9_007_199_254_740_992) == 0)
    }

    @Test func anOffsetThatIsNotANumberGivesNoCorrectedTime() {
        let m = ClockModel(dockOffsetMs: .nan, measuredAtUTCms: Self.measured, events: [])
        #expect(m.flags == ["dock-offset-invalid", "no-sync"] && m.dockOffsetMs == 0)
        #expect(m.correctedUTC(deviceMilliseconds: Self.measured) == nil)
    }

    /// A correction that leaves the Int64 range has no corrected time rather than a saturated one.
    @Test func aCorrectionPastTheEndsOfInt64GivesNoCorrectedTime() {
        let m = ClockModel(dockOffsetMs: 4_000_000_000_000_000, measuredAtUTCms: Self.measured, events: [])
        #expect(m.correctedUTC(deviceMilliseconds: .min + 5) == nil)
        #expect(m.correctedUTC(deviceMilliseconds: Int64.max) == Int64.max - 4_000_000_000_000_000)
        let back = ClockModel(dockOffsetMs: -4_000_000_000_000_000, measuredAtUTCms: Self.measured, events: [])
        #expect(back.correctedUTC(deviceMilliseconds: .max - 5) == nil)
    }

    /// Halves round away from zero, on either side of 1970.
    @Test func halvesRoundAwayFromZero() {
        let m = ClockModel(dockOffsetMs: 0.5, measuredAtUTCms: 0, events: [])
        #expect(m.correctedUTC(deviceMilliseconds: 10) == 10)    // 9.5 → 10
        #expect(m.correctedUTC(deviceMilliseconds: 0) == -1)     // −0.5 → −1
        let n = ClockModel(dockOffsetMs: -0.5, measuredAtUTCms: 0, events: [])
        #expect(n.correctedUTC(deviceMilliseconds: 10) == 11)    // 10.5 → 11
        #expect(n.correctedUTC(deviceMilliseconds: -10) == -10)  // −9.5 → −10
    }
}
