import Testing
@testable import Telemetry

/// Line ends, blank and comment lines, padding, long lines: tolerated and accounted for.
@Suite struct LineHandlingTests {
    static let rmc = nmea("GPRMC,081411.000,A,5541.1955,N,03737.2872,E,0.60,301.29,260514,,,A")
    static let gga = nmea("GPGGA,081411.000,5541.1955,N,03737.2872,E,1,5,4.87,66.2,M,14.5,M,,")

    func log(_ text: String) -> NMEALog { NMEAParser().parse(Array(text.utf8)) }

    @Test func lfCrLfAndCrGiveTheSameSentences() {
        let lines = [Self.rmc, Self.gga, Self.rmc]
        let lf = log(lines.joined(separator: "\n") + "\n")
        let crlf = log(lines.joined(separator: "\r\n") + "\r\n")
        let cr = log(lines.joined(separator: "\r") + "\r")
        let mixed = log(Self.rmc + "\r\n" + Self.gga + "\n" + Self.rmc)
        for other in [crlf, cr, mixed] {
            #expect(other.sentences == lf.sentences)
            #expect(other.statistics.lines == 3)
        }
        #expect(lf.sentences.count == 3)
        #expect(lf.statistics.rejectedCount == 0)
    }

    @Test func blankCommentAndPaddedLinesAreAccountedFor() {
        let text = "# Name: test\r\n#\r\n\r\n   \t\r\n\0\0\0\0\n\0\0" + Self.rmc + "\0\0 \r\n" + Self.gga + "\r\n\r\n"
        let l = log(text)
        let s = l.statistics
        #expect(l.sentences.count == 2)
        #expect(s.lines == 8)
        #expect(s.commentLines == 2)
        #expect(s.blankLines == 4)
        #expect(s.sentenceLines == 2)
        #expect(s.rejectedCount == 0)
        #expect(s.lines == s.blankLines + s.commentLines + s.sentenceLines + s.garbageLines)
    }

    @Test func trailingFlashPaddingWithoutLineEndIsBlank() {
        let l = log(Self.rmc + "\r\n" + String(repeating: "\0", count: 512))
        #expect(l.statistics.rejectedCount == 0)
        #expect(l.statistics.blankLines == 1)
        #expect(l.sentences.count == 1)
    }

    @Test func emptyInputIsAnEmptyLog() {
        #expect(NMEAParser().parse([]) == NMEALog())
    }

    @Test func sentencesOverEightyTwoCharactersAreCountedAndParsed() {
        let long = nmea("GPGGA,132823.30,4134.49925615,N,09345.03415818,W,2,09,1.0,278.845,M,-31.442,M,10.2,0133")
        #expect(long.count == 91)
        let exactly80 = nmea("GPTXT,01,01,02," + String(repeating: "x", count: 80 - 19))
        #expect(exactly80.count == 80)
        let l = log([long, exactly80, Self.rmc].joined(separator: "\r\n") + "\r\n")
        #expect(l.statistics.overlongSentences == 1)
        #expect(l.sentences.count == 3)
    }

    @Test func proprietarySentencesAreCheckedCountedAndSkipped() {
        let good = nmea("PMTK001,320,2")
        let bad = String(good.dropLast()) + (good.hasSuffix("0") ? "1" : "0")
        let l = log([good, bad, "$PQVERNO,R,L70BGR03A05S,2019/10/09,21:12*23", Self.rmc].joined(separator: "\n") + "\n")
        #expect(l.statistics.proprietaryByAddress == ["PMTK001": 1, "PQVERNO": 1])
        #expect(l.statistics.rejectedByReason == [.badChecksum: 1])
        #expect(l.sentences.count == 1)
    }
}
