import Testing
@testable import Timeline

@Suite struct FormattingTests {
    @Test func instantsFormatWithoutLocaleOrZone() throws {
        let t: Int64 = 1_795_680_902_123   // 2026-11-26T08:15:02.123Z
        #expect(CivilTime.utcString(milliseconds: t) == "2026-11-26T08:15:02.123Z")
        #expect(CivilTime.localString(milliseconds: t, zoneOffsetMinutes: 480) == "2026-11-26T16:15:02.123+08:00")
        #expect(CivilTime.localString(milliseconds: t, zoneOffsetMinutes: -330) == "2026-11-26T02:45:02.123-05:30")
        #expect(CivilTime.utcString(milliseconds: -1) == "1969-12-31T23:59:59.999Z")
        #expect(CivilTime.utcString(milliseconds: .min).hasPrefix("-") && CivilTime.utcString(milliseconds: .max).hasPrefix("+"))
        #expect(CivilTime.parseUTC("2026-11-26T08:15:02.123Z") == t)
        #expect(CivilTime.parseUTC("2026-11-26T08:15:02Z") == nil && CivilTime.parseUTC("2026-02-30T00:00:00.000Z") == nil)
        // The log form and the formatter agree across a year of days.
        for day in stride(from: Int64(0), to: 366, by: 1) {
            let ms = t + day * 86_400_000 + day * 7
            let text = CivilTime.localString(milliseconds: ms, zoneOffsetMinutes: 480)
            #expect(try LogTimestamp.parse(Array(text.utf8)).utcMilliseconds == ms)
        }
    }

    @Test func durationsAndClocksRoundToTheSecond() {
        #expect(TextLayout.duration(999) == "999 ms")
        #expect(TextLayout.duration(1_199_991) == "20 min")
        #expect(TextLayout.duration(6_131_000) == "1 h 42 min")
        #expect(TextLayout.duration(-90_000) == "-1 min 30 s")
        #expect(TextLayout.duration(3 * 86_400_000 + 4 * 3_600_000) == "3 d 4 h")
        let t: Int64 = 1_795_680_902_500
        #expect(TextLayout.clock(t, zone: 480) == "16:15:03")
        #expect(TextLayout.clock(t - 1, zone: 480) == "16:15:02")
        #expect(TextLayout.clock(t, zone: 480, mainDay: "2026-11-25") == "11-26 16:15:03")
        #expect(TextLayout.clock(t, zone: 480, fullDate: true) == "2026-11-26 16:15:03")
        #expect(TextLayout.clock(-500, zone: 0, fullDate: true) == "1970-01-01 00:00:00")
        #expect(TextLayout.clock(-501, zone: 0, fullDate: true) == "1969-12-31 23:59:59")
        #expect(Fixed.text(5.2, 2) == "5.20" && Fixed.text(-0.04, 1) == "0.0" && Fixed.text(.nan, 1) == "0.0")
    }

    @Test func chineseTakesTwoColumns() {
        #expect(TextLayout.width("王强") == 4 && TextLayout.width("A100003") == 7 && TextLayout.width("ＡＢ") == 4)
        #expect(TextLayout.pad("王强", 6) == "王强  ")
        #expect(TextLayout.oneLine("a\u{1B}[2Jb\nc\u{202E}d") == "a\u{FFFD}[2Jb\u{FFFD}c\u{FFFD}d")
    }

    @Test func svgTextIsEscaped() {
        #expect(SVGWriter.escape("<a href='x'>&\"</a>") == "&lt;a href=&apos;x&apos;&gt;&amp;&quot;&lt;/a&gt;")
        #expect(SVGWriter.escape("\u{0}\u{9}\u{FFFF}王") == "\u{FFFD}\u{FFFD}\u{FFFD}王")
        #expect(SVGWriter.n(12.345) == "12.3" && SVGWriter.n(-0.04) == "0.0" && SVGWriter.n(.infinity) == "0.0")
    }
}
