import Foundation
import Testing
@testable import Telemetry

/// Epochs, validity, merging, dates and the century rule, on hand-built logs.
@Suite struct FixAssemblerTests {
    func fixes(_ bodies: [String]) -> FixAssembly {
        let log = parse(bodies.map(nmea))
        #expect(log.statistics.rejectedCount == 0, "\(log.statistics.firstRejections)")
        return log.assembleFixes()
    }

    @Test func oneEpochOfRMCGGAGSAAndVTGMakesOneFix() throws {
        let a = fixes([
            "GPGGA,053232.438,3114.8789,N,12135.2442,E,1,06,1.2,153.8,M,8.3,M,,0000",
            "GNGSA,A,3,22,18,14,12,31,24,,,,,,,2.5,1.3,2.2",
            "GNGSA,A,3,201,,,,,,,,,,,,2.5,1.3,2.2",
            "GNRMC,053232.438,A,3114.8789,N,12135.2442,E,0.26,167.42,020315,,,A",
            "GPVTG,167.42,T,,M,0.26,N,0.48,K,A",
        ])
        #expect(a.epochs == 1)
        let fix = try #require(a.fixes.first)
        #expect(a.fixes.count == 1)
        #expect(fix.time == utcMilliseconds(2015, 3, 2, 5, 32, 32, 438))
        #expect(abs(fix.latitude - 31.247981666667) < 1e-9)
        #expect(abs(fix.longitude - 121.587403333333) < 1e-9)
        #expect(fix.altitude == 153.8)
        #expect(abs(fix.speedMetresPerSecond! - 0.26 * 1852 / 3600) < 1e-12)
        #expect(fix.course == 167.42)
        #expect(fix.mode == "3d")
        #expect(fix.satellites == 6, "GGA's count, not the GSAs' seven")
        #expect(fix.hdop == 1.2, "GGA's HDOP before GSA's")
        #expect(fix.date.timeIntervalSince1970 == Double(fix.time) / 1000)
    }

    @Test func withoutGGATheGSAsGiveSatellitesAndHDOPAndVTGGivesSpeed() throws {
        let a = fixes([
            "GPRMC,120000,A,0100.0000,N,00100.0000,E,,,010126,,,A",
            "GPGSA,A,2,01,02,03,,,,,,,,,,3.0,2.0,2.2",
            "GLGSA,A,2,65,66,,,,,,,,,,,3.0,2.1,2.2",
            "GPVTG,90.0,T,,M,,N,36.0,K,A",
        ])
        let fix = try #require(a.fixes.first)
        #expect(fix.satellites == 5)
        #expect(fix.hdop == 2.1)
        #expect(fix.mode == "2d")
        #expect(fix.speedMetresPerSecond == 10)
        #expect(fix.course == 90)
        #expect(fix.altitude == nil)
    }

    @Test func modeFallsBackToQualityThenModeIndicator() {
        let a = fixes([
            "GPGGA,120000,0100.0000,N,00100.0000,E,2,08,1.0,1.0,M,,M,,",
            "GPRMC,120000,A,0100.0000,N,00100.0000,E,,,010126,,,A",
            "GPRMC,120001,A,0100.0000,N,00100.0000,E,,,010126,,,R",
            "GPGSA,A,1,,,,,,,,,,,,,,,",
            "GPGLL,0100.0000,N,00100.0000,E,120002,A",
        ])
        #expect(a.fixes.map(\.mode) == ["dgps", "rtk", nil])
    }

    @Test func onlyValidSentencesGivePositions() {
        let a = fixes([
            "GPRMC,120000,V,0100.0000,N,00100.0000,E,,,010126,,,N",
            "GPGGA,120001,0100.0000,N,00100.0000,E,0,00,,,M,,M,,",
            "GPGLL,0100.0000,N,00100.0000,E,120002,V,N",
            "GPGGA,120003,,,,,1,04,1.0,,M,,M,,",
            "GPZDA,120004,01,01,2026,,",
            "GPGLL,0200.0000,S,00200.0000,W,120005,A,A",
        ])
        #expect(a.epochs == 6)
        #expect(a.epochsWithoutPosition == 5)
        #expect(a.fixes.count == 1)
        #expect(a.fixes.first?.latitude == -2)
        #expect(a.fixes.first?.longitude == -2)
        #expect(a.fixes.first?.time == utcMilliseconds(2026, 1, 1, 12, 0, 5))
    }

    @Test func aValidGGAIsNotVetoedByAnInvalidRMCOfTheSameEpoch() {
        let a = fixes([
            "GPRMC,120000,A,0100.0000,N,00100.0000,E,,,010126,,,A",
            "GPGGA,120001,0100.5000,N,00100.0000,E,6,04,1.0,10.0,M,,M,,",
            "GPRMC,120001,V,0100.5000,N,00100.0000,E,,,010126,,,E",
        ])
        #expect(a.fixes.count == 2)
        #expect(a.fixes.last?.mode == "estimated")
        #expect(a.fixes.last?.altitude == 10)
    }

    @Test func ggaFixesBeforeTheFirstDateAreHeldAndDatedBackwardsAcrossMidnight() {
        let a = fixes([
            "GPGGA,235958,0100.0000,N,00100.0000,E,1,04,1.0,1.0,M,,M,,",
            "GPGGA,235959,0100.0000,N,00100.0000,E,1,04,1.0,2.0,M,,M,,",
            "GPGGA,000000,0100.0000,N,00100.0000,E,1,04,1.0,3.0,M,,M,,",
            "GPRMC,000000,A,0100.0000,N,00100.0000,E,,,010126,,,A",
            "GPGGA,000001,0100.0000,N,00100.0000,E,1,04,1.0,4.0,M,,M,,",
        ])
        #expect(a.fixes.map(\.time) == [
            utcMilliseconds(2025, 12, 31, 23, 59, 58), utcMilliseconds(2025, 12, 31, 23, 59, 59),
            utcMilliseconds(2026, 1, 1, 0, 0, 0), utcMilliseconds(2026, 1, 1, 0, 0, 1),
        ])
        #expect(a.fixes.map(\.altitude) == [1, 2, 3, 4])
        #expect(a.fixesDatedBackwards == 2)
        #expect(a.undatedFixesDropped == 0)
    }

    @Test func fixesWithoutAnyDateAreDroppedAndCounted() {
        let a = fixes([
            "GPGGA,120000,0100.0000,N,00100.0000,E,1,04,1.0,1.0,M,,M,,",
            "GPGGA,120001,0100.0000,N,00100.0000,E,1,04,1.0,1.0,M,,M,,",
            "GPRMC,120002,V,,,,,,,010126,,,N",
        ])
        #expect(a.fixes.isEmpty)
        #expect(a.undatedFixesDropped == 2)
        #expect(a.epochs == 3)
        #expect(a.epochsWithoutPosition == 1)
    }

    @Test func theDateOfAnInvalidRMCIsNeverUsed() {
        // The mtk-3301 start: a clock reset to 1980 before the first fix.
        let a = fixes([
            "GPRMC,235959,V,,,,,,,050180,,,N",
            "GPGGA,081436.000,5212.982135,N,00653.101394,E,1,3,2.88,102.907,M,47.093,M,,",
            "GPRMC,081437.000,A,5212.981473,N,00653.102458,E,0.039,0.00,230808,,,A",
        ])
        #expect(a.fixes.map(\.time) == [utcMilliseconds(2008, 8, 23, 8, 14, 36), utcMilliseconds(2008, 8, 23, 8, 14, 37)])
    }

    @Test func undatedEpochsAfterADateCrossMidnightForwardButNotOnASmallStepBack() {
        let a = fixes([
            "GPZDA,235959,31,12,2025,,",
            "GPGGA,235959,0100.0000,N,00100.0000,E,1,04,1.0,1.0,M,,M,,",
            "GPGGA,000000,0100.0000,N,00100.0000,E,1,04,1.0,1.0,M,,M,,",
            "GPGGA,235959.5,0100.0000,N,00100.0000,E,1,04,1.0,1.0,M,,M,,",
            "GPGGA,000001,0100.0000,N,00100.0000,E,1,04,1.0,1.0,M,,M,,",
        ])
        #expect(a.fixes.map(\.time) == [
            utcMilliseconds(2025, 12, 31, 23, 59, 59), utcMilliseconds(2026, 1, 1, 0, 0, 0),
            utcMilliseconds(2025, 12, 31, 23, 59, 59, 500), utcMilliseconds(2026, 1, 1, 0, 0, 1),
        ])
    }

    @Test func zdaDateWinsOverRMCDate() {
        let a = fixes([
            "GPRMC,120000,A,0100.0000,N,00100.0000,E,,,010199,,,A",
            "GPZDA,120000,01,01,2099,,",
        ])
        #expect(a.fixes.map(\.time) == [utcMilliseconds(2099, 1, 1, 12, 0, 0)])
    }

    @Test(arguments: [("311299", 1999, 12, 31), ("010100", 2000, 1, 1), ("060180", 1980, 1, 6), ("311279", 2079, 12, 31),
                      ("290224", 2024, 2, 29)])
    func twoDigitYearsFollowTheCenturyWindow(text: String, year: Int, month: Int, day: Int) {
        let a = fixes(["GPRMC,120000,A,0100.0000,N,00100.0000,E,,,\(text),,,A"])
        #expect(a.fixes.map(\.time) == [utcMilliseconds(year, month, day, 12, 0, 0)])
    }

    @Test func untimedSentencesBeforeTheFirstEpochAndUntimedPositionsAreIgnored() {
        let a = fixes([
            "GPGSA,A,3,01,02,03,04,,,,,,,,,1.0,1.0,1.0",
            "GPVTG,10.0,T,,M,1.0,N,1.9,K,A",
            "GPRMC,,A,0100.0000,N,00100.0000,E,,,010126,,,A",
            "GPRMC,120000,A,0100.0000,N,00100.0000,E,,,010126,,,A",
        ])
        #expect(a.fixes.count == 1)
        #expect(a.fixes.first?.mode == "gps")
        #expect(a.fixes.first?.speedMetresPerSecond == nil)
        #expect(a.untimedPositionsIgnored == 1)
    }

    @Test func streamingGivesTheSameAsAssemble() {
        let log = parse([
            nmea("GPGGA,120000,0100.0000,N,00100.0000,E,1,04,1.0,1.0,M,,M,,"),
            nmea("GPRMC,120000,A,0100.0000,N,00100.0000,E,,,010126,,,A"),
            nmea("GPGGA,120001,0100.0000,N,00100.0000,E,1,04,1.0,1.0,M,,M,,"),
        ])
        var assembler = FixAssembler()
        for s in log.sentences { assembler.add(s) }
        #expect(assembler.finish() == log.assembleFixes())
        #expect(assembler.finish() == FixAssembly(), "finish starts afresh")
    }

    @Test func fixCodableRoundTrip() throws {
        let fix = GPSFix(time: 1_795_738_502_123, latitude: 31.247981667, longitude: 121.587403333, altitude: 153.8,
                         speedMetresPerSecond: 0.134, course: 167.42, mode: "3d", satellites: 6, hdop: 1.2)
        let data = try JSONEncoder().encode(fix)
        #expect(try JSONDecoder().decode(GPSFix.self, from: data) == fix)
        let minimal = GPSFix(time: 0, latitude: 0, longitude: 0)
        #expect(try JSONDecoder().decode(GPSFix.self, from: JSONEncoder().encode(minimal)) == minimal)
    }
}
