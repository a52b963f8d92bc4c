import Foundation
import Testing
@testable import Telemetry

/// One hand-built sentence per type, from several talkers, with every field checked. The
/// expected coordinates are the decimal degrees of the ddmm.mmmm text worked out by hand.
@Suite struct SentenceGoldenTests {
    func time(_ h: Int, _ m: Int, _ s: Int, _ ms: Int = 0) -> NMEATimeOfDay { NMEATimeOfDay(hour: h, minute: m, second: s, millisecond: ms)! }

    func decoded(_ body: String) -> NMEASentence? {
        let (sentence, statistics) = single(nmea(body))
        #expect(statistics.rejectedCount == 0, "\(body): \(statistics.firstRejections)")
        return sentence
    }

    @Test func rmcFromGPS() throws {
        guard case .rmc(let s) = try #require(decoded("GPRMC,081411.000,A,5541.1955,N,03737.2872,E,0.60,301.29,260514,,,A")) else {
            Issue.record("not RMC"); return
        }
        #expect(s.talker == .gps)
        #expect(s.time == time(8, 14, 11))
        #expect(s.isValid)
        #expect(abs(s.latitude! - 55.686591666667) < 1e-9)
        #expect(abs(s.longitude! - 37.621453333333) < 1e-9)
        #expect(s.speedKnots == 0.60)
        #expect(s.course == 301.29)
        #expect(s.date == NMEADate(year: 2014, month: 5, day: 26))
        #expect(s.magneticVariation == nil)
        #expect(s.mode == .autonomous)
    }

    @Test func rmcFromCombinedSouthWestWithVariation() throws {
        guard case .rmc(let s) = try #require(decoded("GNRMC,235959.999,A,3351.1234,S,15112.5678,W,12.5,45.0,311299,3.1,W,D")) else {
            Issue.record("not RMC"); return
        }
        #expect(s.talker == .combined)
        #expect(s.time == time(23, 59, 59, 999))
        #expect(abs(s.latitude! - -33.852056666667) < 1e-9)
        #expect(abs(s.longitude! - -151.209463333333) < 1e-9)
        #expect(s.date == NMEADate(year: 1999, month: 12, day: 31))
        #expect(s.magneticVariation == -3.1)
        #expect(s.mode == .differential)
    }

    @Test func rmcInvalidWithEmptyPosition() throws {
        guard case .rmc(let s) = try #require(decoded("GNRMC,053229.438,V,,,,,,,020315,,,N")) else {
            Issue.record("not RMC"); return
        }
        #expect(!s.isValid)
        #expect(s.latitude == nil && s.longitude == nil && s.speedKnots == nil)
        #expect(s.time == time(5, 32, 29, 438))
        #expect(s.mode == .notValid)
    }

    @Test func ggaFromBeiDouGB() throws {
        guard case .gga(let s) = try #require(decoded("GBGGA,053232.438,3114.8789,N,12135.2442,E,1,06,1.2,153.8,M,8.3,M,,0000")) else {
            Issue.record("not GGA"); return
        }
        #expect(s.talker == .beidouGB)
        #expect(s.time == time(5, 32, 32, 438))
        #expect(abs(s.latitude! - 31.247981666667) < 1e-9)
        #expect(abs(s.longitude! - 121.587403333333) < 1e-9)
        #expect(s.quality == 1 && s.isValid)
        #expect(s.satellites == 6)
        #expect(s.hdop == 1.2)
        #expect(s.altitude == 153.8)
        #expect(s.geoidSeparation == 8.3)
        #expect(s.dgpsAge == nil)
        #expect(s.dgpsStation == 0)
    }

    @Test func ggaFromQZSSNegativeAltitudeDifferential() throws {
        guard case .gga(let s) = try #require(decoded("QZGGA,000000.00,0000.0000,N,00000.0000,E,2,12,0.8,-12.5,M,-31.4,M,2.5,0133")) else {
            Issue.record("not GGA"); return
        }
        #expect(s.talker == .qzss)
        #expect(s.time == time(0, 0, 0))
        #expect(s.latitude == 0 && s.longitude == 0)
        #expect(s.quality == 2)
        #expect(s.altitude == -12.5 && s.geoidSeparation == -31.4)
        #expect(s.dgpsAge == 2.5 && s.dgpsStation == 133)
    }

    @Test func ggaTrimbleEightDecimalMinutesKeepsEveryDigit() throws {
        guard case .gga(let s) = try #require(decoded("GPGGA,132820.60,4134.49821229,N,09345.03351845,W,2,09,1.0,278.020,M,-31.442,M,7.6,0133")) else {
            Issue.record("not GGA"); return
        }
        // 41 + 34.49821229 / 60 and -(93 + 45.03351845 / 60), to 1e-12.
        #expect(abs(s.latitude! - 41.5749702048333) < 1e-12)
        #expect(abs(s.longitude! - -93.7505586408333) < 1e-12)
        #expect(s.time == time(13, 28, 20, 600))
    }

    @Test func gsaWithSystemIDFromCombined() throws {
        guard case .gsa(let s) = try #require(decoded("GNGSA,A,3,201,202,,,,,,,,,,,2.5,1.2,2.2,4")) else {
            Issue.record("not GSA"); return
        }
        #expect(s.talker == .combined)
        #expect(s.isAutomatic == true)
        #expect(s.fixType == 3)
        #expect(s.satellites == [201, 202])
        #expect(s.pdop == 2.5 && s.hdop == 1.2 && s.vdop == 2.2)
        #expect(s.systemID == 4)
    }

    @Test func gsaNoFixFromGPS() throws {
        guard case .gsa(let s) = try #require(decoded("GPGSA,M,1,,,,,,,,,,,,,,,")) else {
            Issue.record("not GSA"); return
        }
        #expect(s.isAutomatic == false)
        #expect(s.fixType == 1)
        #expect(s.satellites.isEmpty)
        #expect(s.pdop == nil && s.hdop == nil && s.vdop == nil && s.systemID == nil)
    }

    @Test func gsvFromGLONASSWithUntrackedSatellite() throws {
        guard case .gsv(let s) = try #require(decoded("GLGSV,3,1,09,65,45,123,40,66,,,,72,10,300,35,88,05,010,")) else {
            Issue.record("not GSV"); return
        }
        #expect(s.talker == .glonass)
        #expect(s.messageCount == 3 && s.messageNumber == 1 && s.satellitesInView == 9)
        #expect(s.satellites == [
            .init(number: 65, elevation: 45, azimuth: 123, snr: 40),
            .init(number: 66),
            .init(number: 72, elevation: 10, azimuth: 300, snr: 35),
            .init(number: 88, elevation: 5, azimuth: 10, snr: nil),
        ])
        #expect(s.signalID == nil)
    }

    @Test func gsvFromGalileoWithSignalID() throws {
        guard case .gsv(let s) = try #require(decoded("GAGSV,1,1,01,301,30,100,42,7")) else {
            Issue.record("not GSV"); return
        }
        #expect(s.talker == .galileo)
        #expect(s.satellites == [.init(number: 301, elevation: 30, azimuth: 100, snr: 42)])
        #expect(s.signalID == "7")
    }

    @Test func vtg() throws {
        guard case .vtg(let s) = try #require(decoded("GPVTG,054.7,T,034.4,M,005.5,N,010.2,K,A")) else {
            Issue.record("not VTG"); return
        }
        #expect(s.courseTrue == 54.7 && s.courseMagnetic == 34.4)
        #expect(s.speedKnots == 5.5 && s.speedKilometresPerHour == 10.2)
        #expect(s.mode == .autonomous)
    }

    @Test func zdaFromCombinedWithZone() throws {
        guard case .zda(let s) = try #require(decoded("GNZDA,201530.00,04,07,2026,-05,30")) else {
            Issue.record("not ZDA"); return
        }
        #expect(s.time == time(20, 15, 30))
        #expect(s.date == NMEADate(year: 2026, month: 7, day: 4))
        #expect(s.zoneHours == -5 && s.zoneMinutes == 30)
    }

    @Test func gllFromBeiDou() throws {
        guard case .gll(let s) = try #require(decoded("BDGLL,4916.45,N,12311.12,W,225444,A,A")) else {
            Issue.record("not GLL"); return
        }
        #expect(s.talker == .beidou)
        #expect(abs(s.latitude! - 49.274166666667) < 1e-9)
        #expect(abs(s.longitude! - -123.185333333333) < 1e-9)
        #expect(s.time == time(22, 54, 44))
        #expect(s.isValid)
        #expect(s.mode == .autonomous)
    }

    @Test func txtKeepsCommasInText() throws {
        guard case .txt(let s) = try #require(decoded("GPTXT,01,01,02,ANTSTATUS=OK,SHORT=0")) else {
            Issue.record("not TXT"); return
        }
        #expect(s.messageCount == 1 && s.messageNumber == 1 && s.identifier == 2)
        #expect(s.text == "ANTSTATUS=OK,SHORT=0")
    }

    @Test func lowerCaseChecksumIsAccepted() {
        let line = nmea("GPTXT,01,01,02,hello")
        #expect(line.hasSuffix("*2F"))
        #expect(single(String(line.dropLast(2)) + "2f").0 != nil)
    }

    @Test func talkersAndTypesAreCounted() {
        let log = parse([
            nmea("GPGGA,000001,0100.0000,N,00100.0000,E,1,04,1.0,1.0,M,,M,,"),
            nmea("GLGSV,1,1,01,65,45,123,40"),
            nmea("GBGSV,1,1,01,201,45,123,40"),
            nmea("BDGSV,1,1,01,201,45,123,40"),
            nmea("GAGSV,1,1,01,301,45,123,40"),
            nmea("QZGSV,1,1,01,193,45,123,40"),
            nmea("GNRMC,000001,A,0100.0000,N,00100.0000,E,0,0,010126,,,A"),
            nmea("GIRMC,000001,A,0100.0000,N,00100.0000,E,0,0,010126,,,A"),
            nmea("PMTK001,320,2"),
            nmea("PGRME,7.6,M,41.7,M,42.4,M"),
        ])
        #expect(log.statistics.rejectedCount == 0)
        #expect(log.statistics.sentencesByTalker == [
            .gps: 1, .glonass: 1, .beidouGB: 1, .beidou: 1, .galileo: 1, .qzss: 1, .combined: 1, NMEATalker(rawValue: "GI")!: 1,
        ])
        #expect(log.statistics.sentencesByType == [.gga: 1, .gsv: 5, .rmc: 2])
        #expect(log.statistics.proprietaryByAddress == ["PMTK001": 1, "PGRME": 1])
        #expect(log.sentences.map(\.type) == [.gga, .gsv, .gsv, .gsv, .gsv, .gsv, .rmc, .rmc])
    }
}
