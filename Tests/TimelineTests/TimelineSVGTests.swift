import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Timeline

/// Collects what the tests ask of an SVG document while XMLParser reads it.
final class SVGSurvey: NSObject, XMLParserDelegate {
    var bars: [String] = []
    var classes: [String: Int] = [:]
    var fontSizes: [Double] = []
    var root: [String: String] = [:]
    var texts: [String] = []
    private var inText = false

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if name == "svg" { root = attributes }
        let tokens = (attributes["class"] ?? "").split(separator: " ").map(String.init)
        for t in tokens { classes[t, default: 0] += 1 }
        if tokens.contains("bar") { bars.append(attributes["data-id"] ?? "?") }
        if let size = attributes["font-size"] { fontSizes.append(Double(size) ?? 0) }
        if name == "text" { inText = true; texts.append("") }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inText { texts[texts.count - 1] += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" { inText = false }
    }

    /// Parses `svg`; nil with the parser's error when it is not well-formed XML.
    static func of(_ svg: String) -> (SVGSurvey?, String) {
        let survey = SVGSurvey()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = survey
        return parser.parse() ? (survey, "") : (nil, "\(parser.parserError.map { "\($0)" } ?? "?") at line \(parser.lineNumber)")
    }
}

@Suite struct TimelineSVGTests {
    @Test func theDutyDayDrawsOneBarPerRecording() throws {
        let report = DutyDay.report
        let svg = report.timelineSVG()
        let (parsed, error) = SVGSurvey.of(svg)
        let survey = try #require(parsed, "not well-formed: \(error)")
        #expect(survey.bars.sorted() == report.recordings.map { String($0.id) }.sorted())
        #expect(survey.classes["quarantined"] == 1 && survey.classes["important"] == 2)
        #expect(survey.classes["gap"] == 8 && survey.classes["overlap"] == 1 && survey.classes["hole"] == 1)
        #expect(survey.classes["sync"] == 1, "the evening TIME_SET is off the axis, the 06:30 GNSS sync on it")
        #expect(survey.classes["dock-measure"] == 1 && survey.classes["gps-fix"] == 2)
        #expect(survey.root["width"] == "1200" && survey.root["viewBox"]?.hasPrefix("0 0 1200 ") == true)
        #expect(survey.fontSizes.allSatisfy { $0 >= 11 } && survey.root["font-size"] == "12")
        #expect(survey.texts.contains("执法记录仪时间线 Timeline · A100003 · 010003 王强 · 2026-11-26"))
        // Hour ticks in Beijing time from 06:00 (the GNSS sync at 06:30) to 19:00 (the dock at 18:30).
        let hours = survey.texts.filter { $0.count == 5 && $0.contains(":") }
        #expect(Set(hours) == Set((6...19).map { String(format: "%02d:00", $0) }))
        #expect(hours.count == 2 * 14, "labels above and below the lanes")
        #expect(svg == DutyDay.report.timelineSVG(), "deterministic")
        try writeArtifacts(report, svg)
    }

    @Test func hostileTextStaysWellFormed() throws {
        var session = DutyDay.session
        session.dock.officerName = "<script>alert('x')</script> & \u{0}\u{1}\u{FFFE}\"王\""
        session.dock.serial = "]]><!--"
        session.recordings[0].kind = "vi\"deo<&>"
        session.recordings[1].id = 4_000_000_000
        let svg = IntegrityReport(session: session).timelineSVG()
        let (parsed, error) = SVGSurvey.of(svg)
        let survey = try #require(parsed, "not well-formed: \(error)")
        #expect(survey.bars.count == session.recordings.count && survey.bars.contains("4000000000"))
        #expect(survey.texts.contains { $0.contains("<script>alert('x')</script> & \u{FFFD}\u{FFFD}\u{FFFD}\"王\"") })
    }

    @Test(arguments: [0, 1, 3, 60])
    func anySizeOfSessionIsWellFormed(count: Int) throws {
        var recordings: [Recording] = []
        for i in 0..<count {
            let start = DutyDay.beijing("08:00:00") + Int64(i) * 7 * 60_000
            recordings.append(Recording(id: UInt32(i + 1), kind: ["video", "audio", "photo", "kind-9"][i % 4], sequence: UInt32(i * 2),
                                        important: i % 5 == 0, deviceStartMs: start, deviceEndMs: start + Int64(i % 4 == 2 ? 0 : 9 * 60_000),
                                        size: 1, deviceSha256: nil, sha256: "ab", verified: true, quarantined: i % 7 == 3, bagPath: "x"))
        }
        let clock = ClockModel(dockOffsetMs: -47_000, measuredAtUTCms: DutyDay.measuredAt, events: [])
        let report = IntegrityReport(session: SessionInput(recordings: recordings, gpsFixTimesMs: [], clock: clock, dock: DutyDay.dock))
        let (parsed, error) = SVGSurvey.of(report.timelineSVG())
        if count == 60 { try writeArtifacts(report, report.timelineSVG(), name: "busy") }
        let survey = try #require(parsed, "not well-formed: \(error)")
        #expect(survey.bars.count == count)
        #expect(survey.classes["recording"] ?? 0 == count && survey.classes["log"] == nil)
    }

    /// With TIMELINE_ARTIFACTS set to a directory, leaves the duty day's timeline.svg,
    /// report.json and report.txt there (and `busy-` ones for 60 recordings), to look at:
    /// `rsvg-convert -w 1200 timeline.svg -o timeline.png`.
    func writeArtifacts(_ report: IntegrityReport, _ svg: String, name: String = "") throws {
        guard let dir = ProcessInfo.processInfo.environment["TIMELINE_ARTIFACTS"] else { return }
        let url = URL(fileURLWithPath: dir, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let prefix = name.isEmpty ? "" : name + "-"
        try Data(svg.utf8).write(to: url.appendingPathComponent(prefix + "timeline.svg"))
        try report.json().write(to: url.appendingPathComponent(prefix + "report.json"))
        try Data(report.text().utf8).write(to: url.appendingPathComponent(prefix + "report.txt"))
    }
}
