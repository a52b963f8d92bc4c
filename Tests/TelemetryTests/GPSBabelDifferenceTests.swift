import Foundation
import Testing
@testable import Telemetry

/// The differences from GPSBabel that `FixAssembler` and `NMEADate` document, each shown on a
/// small hand-built log run through both, with the difference asserted exactly; and the cases
/// where the documentation says the two agree.
@Suite(.enabled(if: GPSBabel.available, "skipped: gpsbabel is not installed"))
struct GPSBabelDifferenceTests {
    /// Our fixes and GPSBabel's points for the same sentences.
    func both(_ bodies: [String]) throws -> (FixAssembly, [GPXPoint]) {
        let lines = bodies.map(nmea)
        let log = parse(lines)
        #expect(log.statistics.rejectedCount == 0)
        return (log.assembleFixes(), try GPSBabel.trackPoints(nmeaText: lines.joined(separator: "\r\n") + "\r\n"))
    }

    static let day = Int64(86_400_000)

    @Test func twoDigitYearsFrom80AreNineteenHundredsHereAndTwoThousandsInGPSBabel() throws {
        let (ours, theirs) = try both([
            "GPRMC,120000,A,0100.0000,N,00100.0000,E,0.0,0.0,311299,,,A",
            "GPRMC,120001,A,0100.0000,N,00100.0000,E,0.0,0.0,311279,,,A",
        ])
        #expect(ours.fixes.map(\.time) == [utcMilliseconds(1999, 12, 31, 12, 0, 0), utcMilliseconds(2079, 12, 31, 12, 0, 1)])
        #expect(theirs.map(\.time) == [utcMilliseconds(2099, 12, 31, 12, 0, 0), utcMilliseconds(2079, 12, 31, 12, 0, 1)])
    }

    @Test func anRMCOnlyEpochAfterAGGAIsAFixHereAndRetimesThePreviousPointInGPSBabel() throws {
        let (ours, theirs) = try both([
            "GPGGA,100000,0100.0000,N,00100.0000,E,1,04,1.0,1.0,M,,M,,",
            "GPRMC,100000,A,0100.0000,N,00100.0000,E,0.0,0.0,010126,,,A",
            "GPRMC,100001,A,0100.1000,N,00100.0000,E,0.0,0.0,010126,,,A",
            "GPGGA,100002,0100.2000,N,00100.0000,E,1,04,1.0,1.0,M,,M,,",
            "GPRMC,100002,A,0100.2000,N,00100.0000,E,0.0,0.0,010126,,,A",
        ])
        let t0 = utcMilliseconds(2026, 1, 1, 10, 0, 0)
        #expect(ours.fixes.map(\.time) == [t0, t0 + 1000, t0 + 2000])
        let latitudes: [Double] = [1, 1.001666667, 1.003333333]
        #expect(zip(ours.fixes.map(\.latitude), latitudes).allSatisfy { abs($0 - $1) <= 1e-6 })
        // GPSBabel: the 10:00:00 position at 10:00:01, no point for the RMC-only epoch.
        #expect(theirs.map(\.time) == [t0 + 1000, t0 + 2000])
        #expect(theirs.count == 2 && abs(theirs[0].latitude - latitudes[0]) <= 1e-6 && abs(theirs[1].latitude - latitudes[2]) <= 1e-6)
    }

    @Test func aSmallClockStepBackStaysOnItsDayHereAndIsANewDayInGPSBabel() throws {
        let (ours, theirs) = try both([
            "GPRMC,100005,A,0100.0000,N,00100.0000,E,0.0,0.0,010126,,,A",
            "GPGGA,100004,0100.1000,N,00100.0000,E,1,04,1.0,1.0,M,,M,,",
        ])
        let t = utcMilliseconds(2026, 1, 1, 10, 0, 5)
        #expect(ours.fixes.map(\.time) == [t, t - 1000])
        #expect(theirs.map(\.time) == [t, t - 1000 + Self.day])
    }

    @Test func ggaFixesBeforeTheFirstDateAreDatedBackwardsByBoth() throws {
        let (ours, theirs) = try both([
            "GPGGA,235958,0100.0000,N,00100.0000,E,1,04,1.0,1.0,M,,M,,",
            "GPGGA,235959,0100.1000,N,00100.0000,E,1,04,1.0,1.0,M,,M,,",
            "GPGGA,000000,0100.2000,N,00100.0000,E,1,04,1.0,1.0,M,,M,,",
            "GPZDA,000000,01,01,2026,,",
        ])
        let expected = [utcMilliseconds(2025, 12, 31, 23, 59, 58), utcMilliseconds(2025, 12, 31, 23, 59, 59),
                        utcMilliseconds(2026, 1, 1, 0, 0, 0)]
        #expect(ours.fixes.map(\.time) == expected)
        #expect(theirs.map(\.time) == expected)
        #expect(ours.fixesDatedBackwards == 2)
    }

    @Test func withoutAnyDateBothDropEveryFix() throws {
        let (ours, theirs) = try both([
            "GPGGA,100000,0100.0000,N,00100.0000,E,1,04,1.0,1.0,M,,M,,",
            "GPGGA,100001,0100.1000,N,00100.0000,E,1,04,1.0,1.0,M,,M,,",
        ])
        #expect(ours.fixes.isEmpty && ours.undatedFixesDropped == 2)
        #expect(theirs.isEmpty)
    }

    @Test func gllOnlyReceiversAgree() throws {
        let (ours, theirs) = try both([
            "GPZDA,120000,01,01,2026,,",
            "GPGLL,0100.0000,N,00100.0000,E,120000,A,A",
            "GPGLL,0100.1000,N,00100.0000,E,120001,A,A",
        ])
        #expect(ours.fixes.map(\.time) == theirs.map(\.time))
        #expect(ours.fixes.count == 2)
        for (f, p) in zip(ours.fixes, theirs) {
            #expect(abs(f.latitude - p.latitude) <= 1e-6 && abs(f.longitude - p.longitude) <= 1e-6)
        }
    }
}
