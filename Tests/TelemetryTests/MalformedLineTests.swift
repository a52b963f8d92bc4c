import Foundation
import Testing
@testable import Telemetry

/// Each malformed line must be refused for its own specific reason, counted once, and reported
/// with its line number; for malformed fields, the error must name the field.
@Suite struct MalformedLineTests {
    static let goodGGA = "GPGGA,081412.000,5541.1956,N,03737.2877,E,1,5,4.87,66.2,M,14.5,M,,"

    /// (what is wrong, the line, the reason, text the detail must contain)
    static let cases: [(String, String, NMEARejection.Reason, String)] = [
        ("checksum off by one", String(nmea(goodGGA).dropLast()) + (nmea(goodGGA).hasSuffix("A") ? "B" : "A"), .badChecksum, "its bytes give"),
        ("checksum not hex", "$" + goodGGA + "*ZZ", .badChecksum, "\"ZZ\""),
        ("checksum of three digits", nmea(goodGGA) + "0", .badChecksum, "not two hexadecimal digits"),
        ("one changed field, old checksum", nmea(goodGGA).replacingOccurrences(of: "5541.1956", with: "5541.1957"), .badChecksum, "GPGGA"),
        ("no checksum", "$" + goodGGA, .missingChecksum, "GPGGA has no checksum"),
        ("star without digits", "$" + goodGGA + "*", .truncated, "checksum cut short"),
        ("star and one digit", "$" + goodGGA + "*6", .truncated, "checksum cut short"),
        ("GNS is not decoded", nmea("GNGNS,053232.438,3114.8789,N,12135.2442,E,ANNA,07,1.2,153.8,8.3,,0000"), .unknownType, "GNGNS"),
        ("GST is not decoded", nmea("GPGST,150119.000,004.0,008.7,004.7,132.3,006.8,007.2,00014"), .unknownType, "GPGST"),
        ("latitude minutes 60", nmea("GPGGA,235946.005,8960.000000,N,00000.000000,E,0,0,,137.000,M,13.000,M,,"), .malformedField, "latitude"),
        ("latitude 91 degrees", nmea("GPGGA,000000,9100.0000,N,00000.0000,E,1,4,1,1,M,,M,,"), .malformedField, "latitude"),
        ("longitude 181 degrees", nmea("GPGLL,0000.0000,N,18100.0000,E,000000,A"), .malformedField, "longitude"),
        ("hemisphere X", nmea("GPGLL,4916.45,X,12311.12,W,225444,A"), .malformedField, "latitude hemisphere"),
        ("latitude without hemisphere", nmea("GPGLL,4916.45,,12311.12,W,225444,A"), .malformedField, "latitude hemisphere"),
        ("coordinate with exponent", nmea("GPGLL,4.9e3,N,12311.12,W,225444,A"), .malformedField, "latitude"),
        ("time 24:00:00", nmea("GPGLL,4916.45,N,12311.12,W,240000,A"), .malformedField, "time"),
        ("leap second", nmea("GPGLL,4916.45,N,12311.12,W,235960,A"), .malformedField, "time"),
        ("time with letters", nmea("GPGLL,4916.45,N,12311.12,W,22544x,A"), .malformedField, "time"),
        ("31 February", nmea("GPRMC,000000,A,0100.00,N,00100.00,E,0,0,310226,,"), .malformedField, "date"),
        ("date of five digits", nmea("GPRMC,000000,A,0100.00,N,00100.00,E,0,0,10226,,"), .malformedField, "date"),
        ("RMC status X", nmea("GPRMC,000000,X,0100.00,N,00100.00,E,0,0,010226,,"), .malformedField, "status"),
        ("RMC without status", nmea("GPRMC,000000,,0100.00,N,00100.00,E,0,0,010226,,"), .malformedField, "status"),
        ("RMC cut before the date", nmea("GPRMC,000000,A,0100.00,N,00100.00,E,0,0"), .malformedField, "date"),
        ("speed inf", nmea("GPRMC,000000,A,0100.00,N,00100.00,E,inf,0,010226,,"), .malformedField, "speed"),
        ("negative speed", nmea("GPRMC,000000,A,0100.00,N,00100.00,E,-1.0,0,010226,,"), .malformedField, "speed"),
        ("variation without direction", nmea("GPRMC,000000,A,0100.00,N,00100.00,E,0,0,010226,3.1,"), .malformedField, "magnetic variation direction"),
        ("mode Q", nmea("GPRMC,000000,A,0100.00,N,00100.00,E,0,0,010226,,,Q"), .malformedField, "mode"),
        ("GGA altitude in feet", nmea("GPGGA,000000,0100.00,N,00100.00,E,1,4,1.0,300,F,,M,,"), .malformedField, "altitude unit"),
        ("GGA quality A", nmea("GPGGA,000000,0100.00,N,00100.00,E,A,4,1.0,300,M,,M,,"), .malformedField, "quality"),
        ("GGA cut before quality", nmea("GPGGA,000000,0100.00,N,00100.00,E"), .malformedField, "quality"),
        ("GSA of eleven slots", nmea("GPGSA,A,3,1,2,3,,,,,,,,1.0,1.0,1.0"), .malformedField, "satellites"),
        ("GSA fix type 4", nmea("GPGSA,A,4,1,2,3,,,,,,,,,,1.0,1.0,1.0"), .malformedField, "fix type"),
        ("GSV cut inside a satellite", nmea("GPGSV,1,1,02,01,45,123,40,02,45"), .malformedField, "satellites"),
        ("GSV message 3 of 2", nmea("GPGSV,2,3,02,01,45,123,40"), .malformedField, "message number"),
        ("GSV elevation 95", nmea("GPGSV,1,1,01,01,95,123,40"), .malformedField, "satellite 1 elevation"),
        ("VTG with unit X", nmea("GPVTG,054.7,X,034.4,M,005.5,N,010.2,K"), .malformedField, "course true unit"),
        ("VTG of the 1.5 form", nmea("GPVTG,054.7,034.4,005.5,010.2"), .malformedField, "speed unit K"),
        ("ZDA without month", nmea("GPZDA,201530.00,04,,2026,,"), .malformedField, "month"),
        ("ZDA two-digit year", nmea("GPZDA,201530.00,04,07,26,,"), .malformedField, "year"),
        ("ZDA 30 February", nmea("GPZDA,201530.00,30,02,2024,,"), .malformedField, "day"),
        ("GLL of the 1.5 form", nmea("GPGLL,4916.45,N,12311.12,W"), .malformedField, "status"),
        ("TXT message 2 of 1", nmea("GPTXT,01,02,02,hello"), .malformedField, "message number"),
        ("a line of words", "hello world", .garbage, "no \"$\""),
        ("AIS is not NMEA 0183 position data", "!AIVDM,1,1,,A,13aEOK?P00PD2wVMdLDRhgvL289?,0*26", .garbage, "no \"$\""),
        ("lower-case address", nmea("gprmc,000000,A,0100.00,N,00100.00,E,0,0,010226,,"), .garbage, "address field"),
        ("address of two letters", nmea("GP,1,2"), .garbage, "address field"),
        ("address with a digit for type", nmea("GPGG1,1,2"), .garbage, "address field"),
        ("tab inside a sentence", nmea("GPTXT,01,01,02,a\tb"), .garbage, "0x09"),
        ("byte 0xFF inside a sentence", "$GPTXT,01,01,02,a\u{FF}b*00", .garbage, "0xC3"),
        ("NUL inside a sentence", "$GPTXT,01,01,02,a\u{0}b*00", .garbage, "0x00"),
    ]

    @Test(arguments: cases.indices)
    func malformedLineIsCountedForItsReason(index: Int) {
        let (what, line, reason, detail) = Self.cases[index]
        let log = parse([nmea(Self.goodGGA), line, nmea(Self.goodGGA)])
        let s = log.statistics
        #expect(s.rejectedByReason == [reason: 1], "\(what): \(s.firstRejections)")
        #expect(s.firstRejections.count == 1, "\(what)")
        #expect(s.firstRejections.first?.line == 2, "\(what)")
        #expect(s.firstRejections.first?.reason == reason, "\(what)")
        #expect(s.firstRejections.first?.detail.contains(detail) == true, "\(what): \(s.firstRejections.first?.detail ?? "")")
        #expect(log.sentences.count == 2, "\(what): the good lines around it still parse")
    }

    @Test func missingChecksumIsAcceptedWhenAllowed() {
        let log = parse(["$" + Self.goodGGA], requireChecksum: false)
        #expect(log.statistics.rejectedCount == 0)
        #expect(log.sentences.count == 1)
    }

    @Test func unterminatedLastLineWithoutChecksumIsTruncatedEvenWhenChecksumsAreOptional() {
        for required in [true, false] {
            let text = nmea(Self.goodGGA) + "\n" + "$GPGGA,081413.000,5541.19"
            let log = NMEAParser(requireChecksum: required).parse(Array(text.utf8))
            #expect(log.statistics.rejectedByReason == [.truncated: 1])
            #expect(log.statistics.firstRejections.first?.line == 2)
            #expect(log.sentences.count == 1)
        }
    }

    @Test func unterminatedLastLineWithChecksumIsAccepted() {
        let log = NMEAParser().parse(Array((nmea(Self.goodGGA) + "\n" + nmea(Self.goodGGA)).utf8))
        #expect(log.statistics.rejectedCount == 0)
        #expect(log.sentences.count == 2)
    }

    @Test func sentenceCutOffByTheNextOnTheSameLine() {
        // Bytes lost on the serial line: the tail of one sentence and the line end are gone.
        let log = parse(["$GPGGA,081412.000,5541.19" + nmea(Self.goodGGA)])
        #expect(log.statistics.rejectedByReason == [.truncated: 1])
        #expect(log.statistics.firstRejections.first?.detail.contains("next \"$\"") == true)
        #expect(log.sentences.count == 1)
        #expect(log.statistics.sentencesSeen == 2)
        #expect(log.statistics.sentenceLines == 1)
    }

    @Test func twoCompleteSentencesOnOneLineBothParse() {
        let log = parse([nmea(Self.goodGGA) + nmea(Self.goodGGA)])
        #expect(log.statistics.rejectedCount == 0)
        #expect(log.sentences.count == 2)
    }

    @Test func noiseBeforeTheDollarIsGarbageAndTheSentenceStillParses() {
        let log = parse(["\u{7F}\u{7F}xx" + nmea(Self.goodGGA)])
        #expect(log.statistics.rejectedByReason == [.garbage: 1])
        #expect(log.statistics.garbageFragments == 1)
        #expect(log.sentences.count == 1)
    }

    @Test func rejectionsKeepLineNumbersOfTheFirstTwenty() {
        var lines: [String] = []
        for k in 0..<30 { lines.append(k % 2 == 0 ? nmea(Self.goodGGA) : "junk \(k)") }
        let s = parse(lines).statistics
        #expect(s.rejected(.garbage) == 15)
        #expect(s.firstRejections.count == 15)
        #expect(s.firstRejections.map(\.line) == Array(stride(from: 2, through: 30, by: 2)))

        let many = parse((0..<50).map { "junk \($0)" }).statistics
        #expect(many.rejected(.garbage) == 50)
        #expect(many.firstRejections.map(\.line) == Array(1...NMEAStatistics.firstRejectionLimit))
    }
}
